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


def backup_cache(source: Path, destination: Path) -> BackupResult:
    """Copy the cache at ``source`` to ``destination`` and check the copy.

    A ``destination`` that is a directory gets a file named after the current
    UTC time, such as ``tidings-20260301-120000.sqlite3``. An existing file
    is replaced. Raises StoreError when the destination is the cache itself,
    its directory does not exist, or the copy fails; the destination is then
    left as it was.
    """
    target = _target_path(destination)
    _reject_same_file(source, target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        _copy(source, temporary)
        counts = _check_copy(temporary)
        _replace(temporary, target)
    except (sqlite3.Error, OSError, StoreError) as error:
        temporary.unlink(missing_ok=True)
        message = f"backup to {target} failed, nothing was written: {error}"
        raise StoreError(message) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return BackupResult(target, target.stat().st_size, *counts)


def _target_path(destination: Path) -> Path:
    if destination.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return destination / f"tidings-{stamp}.sqlite3"
    if not destination.parent.is_dir():
        raise StoreError(
            f"cannot back up to {destination}: directory {destination.parent} "
            "does not exist"
        )
    return destination


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


def _replace(temporary: Path, target: Path) -> None:
    # fsync the data before the rename and the directory after it, so a
    # crash leaves either the old file or the whole new one.
    with temporary.open("rb+") as file:
        os.fsync(file.fileno())
    os.replace(temporary, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
