"""Consistent copies of the cache made with SQLite's online backup API.

A backup may run while the TUI or a refresh writes to the cache. The copy is
taken in one step, inside one read transaction, so it is the cache as of one
moment. In WAL mode, that read does not block writers. The copy is written
to a temporary file beside the destination, checked with
``PRAGMA integrity_check`` and renamed into place, so the destination is
either the previous file or a complete copy, never half of one.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader.models import StoreError
from reader.store_errors import BUSY_TIMEOUT_MS


class BackupExistsError(StoreError):
    """The backup file exists and replacing it was not requested."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    """What a backup wrote."""

    path: Path
    """The backup file."""
    size: int
    """Size of the backup file in bytes."""
    feeds: int
    entries: int
    read: int
    """Entries marked read in the copy."""
    starred: int
    """Entries starred in the copy."""


def backup_cache(
    source: Path, destination: Path | str, *, overwrite: bool = False
) -> BackupResult:
    """Copy the cache at ``source`` to ``destination`` and check the copy.

    A ``destination`` that is an existing directory, or a string ending in a
    path separator, is a directory: it is created if missing and gets a new
    file named after the current UTC time, such as
    ``tidings-20260301-120000.sqlite3`` (``-2``, ``-3`` … are appended when
    that name is taken). An existing backup file is replaced only with
    ``overwrite``. Raises StoreError when the destination is the cache
    itself, an existing file without ``overwrite``, its directory does not
    exist, or the copy fails; the destination is then left as it was.
    """
    directory = _backup_directory(destination)
    target = _dated_name(directory) if directory else _file_target(destination)
    _reject_same_file(source, target)
    if directory is None and target.exists() and not overwrite:
        raise BackupExistsError(_exists_message(target))
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        _copy(source, temporary)
        counts = _check_copy(temporary)
        target = _publish(temporary, target, directory, overwrite)
    except BackupExistsError:
        temporary.unlink(missing_ok=True)
        raise
    except (sqlite3.Error, OSError, StoreError) as error:
        temporary.unlink(missing_ok=True)
        message = f"backup to {target} failed, nothing was written: {error}"
        raise StoreError(message) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return BackupResult(target, target.stat().st_size, *counts)


def _backup_directory(destination: Path | str) -> Path | None:
    """Return the directory to write a dated file in, creating it, or None."""
    text = str(destination)
    separators = (os.sep, os.altsep) if os.altsep else (os.sep,)
    path = Path(destination)
    if not (text.endswith(separators) or path.is_dir()):
        return None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create backup directory {path}: {error}") from error
    return path


def _dated_name(directory: Path, attempt: int = 1) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    suffix = "" if attempt == 1 else f"-{attempt}"
    return directory / f"tidings-{stamp}{suffix}.sqlite3"


def _file_target(destination: Path | str) -> Path:
    path = Path(destination)
    if not path.parent.is_dir():
        raise StoreError(
            f"cannot back up to {path}: directory {path.parent} does not exist; "
            f"end the path with / to create it as a directory"
        )
    return path


def _exists_message(target: Path) -> str:
    return (
        f"backup file {target} already exists; give a directory ending in / for "
        "a new dated file, another file name, or --force to replace it"
    )


def _reject_same_file(source: Path, target: Path) -> None:
    cache = source.resolve()
    companions = {cache, Path(f"{cache}-wal"), Path(f"{cache}-shm")}
    if target.resolve() in companions:
        raise StoreError(
            f"cannot back up the cache {source} onto itself; give another path"
        )


def _copy(source: Path, temporary: Path) -> None:
    # mode=rw opens the existing cache and never creates an empty one.
    uri = f"{source.resolve().as_uri()}?mode=rw"
    reader = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        copy = sqlite3.connect(temporary, isolation_level=None)
        try:
            # pages=-1 copies every page in one step, under one read lock.
            reader.backup(copy, pages=-1)
            # The copy inherits the WAL flag. A rollback journal keeps the
            # backup one self-contained file once it is closed.
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
    finally:
        reader.close()


def _check_copy(path: Path) -> tuple[int, int, int, int]:
    copy = sqlite3.connect(path)
    try:
        (result,) = copy.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise StoreError(f"the copy failed PRAGMA integrity_check: {result}")
        (feeds,) = copy.execute("SELECT count(*) FROM feeds").fetchone()
        entries, read, starred = copy.execute(
            "SELECT count(*), coalesce(sum(read), 0), coalesce(sum(starred), 0) "
            "FROM entries"
        ).fetchone()
    finally:
        copy.close()
    return feeds, entries, read, starred


def _publish(
    temporary: Path, target: Path, directory: Path | None, overwrite: bool
) -> Path:
    """Move the checked copy to its final name and return that name.

    Without ``overwrite`` the copy is hard-linked, which fails rather than
    replaces when another backup took the name since it was chosen.
    """
    # fsync the data before the rename and the directory after it, so a
    # crash leaves either the old file or the whole new one.
    with temporary.open("rb+") as file:
        os.fsync(file.fileno())
    if overwrite:
        os.replace(temporary, target)
    else:
        target = _link_new(temporary, target, directory)
    _sync_directory(target)
    return target


def _link_new(temporary: Path, target: Path, directory: Path | None) -> Path:
    attempt = 1
    while True:
        try:
            os.link(temporary, target)
        except FileExistsError:
            if directory is None or attempt >= 100:
                raise BackupExistsError(_exists_message(target)) from None
            attempt += 1
            target = _dated_name(directory, attempt)
            continue
        temporary.unlink()
        return target


def _sync_directory(target: Path) -> None:
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
