"""Plain messages for SQLite failures of the cache, and the busy policy.

The store turns a failed SQLite call into a ``StoreError`` whose message
names the cache path, says what went wrong (disk full, locked, damaged) and
what to do next, so neither the CLI nor the TUI shows a raw
``sqlite3.OperationalError``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reader.models import StoreError

# A second tidings process (a cron refresh beside the TUI) may hold the write
# lock for the length of one feed's transaction; wait rather than fail.
BUSY_TIMEOUT_MS = 10_000

# Seconds between attempts to begin a write when SQLite reported the cache
# busy without waiting out BUSY_TIMEOUT_MS. SQLite skips its busy handler in
# a few cases, such as while another connection recovers the WAL file.
BUSY_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)

_RESTORE_HINT = "restore it from a backup or pass another --db"

# Primary result codes (the low byte of an extended code) and what they mean
# for the user.
_REASONS = {
    sqlite3.SQLITE_FULL: "the disk is full; free some space and try again",
    sqlite3.SQLITE_BUSY: (
        f"another process kept it locked for over {BUSY_TIMEOUT_MS // 1000} s; "
        "try again when the other tidings is idle"
    ),
    sqlite3.SQLITE_LOCKED: "it is locked by another connection; try again",
    sqlite3.SQLITE_READONLY: "the file or its directory is read-only",
    sqlite3.SQLITE_IOERR: "an I/O error occurred; check the disk",
    sqlite3.SQLITE_CANTOPEN: "the file cannot be opened; check its directory",
    sqlite3.SQLITE_CORRUPT: f"the file is damaged; {_RESTORE_HINT}",
    sqlite3.SQLITE_NOTADB: f"the file is not a SQLite database; {_RESTORE_HINT}",
}
_DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def _primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def write_error_message(path: Path, error: sqlite3.Error) -> str:
    """Return the message for a write to the cache that failed and was
    rolled back."""
    reason = _REASONS.get(_primary_code(error) or -1)
    detail = f"{error}" if reason is None else f"{reason} ({error})"
    return f"cannot write to cache {path}, the change was rolled back: {detail}"


def read_error_message(path: Path, error: sqlite3.Error) -> str:
    """Return the message for a read from the cache that failed."""
    reason = _REASONS.get(_primary_code(error) or -1)
    detail = f"{error}" if reason is None else f"{reason} ({error})"
    return f"cannot read cache {path}: {detail}"


def open_error_message(path: Path, error: sqlite3.Error) -> str:
    """Return the message for a cache that could not be opened."""
    code = _primary_code(error)
    reason = _REASONS.get(code or -1)
    if code in _DAMAGE_CODES or reason is None:
        return (
            f"cache {path} is not a readable tidings database ({error}); the "
            f"file was left untouched: {_RESTORE_HINT}"
        )
    return f"cannot open cache {path}: {reason} ({error})"


def busy_without_waiting(error: sqlite3.OperationalError, waited: float) -> bool:
    """Return whether ``error`` is SQLITE_BUSY raised well before the busy
    timeout, after ``waited`` seconds, so SQLite did not wait and retrying
    may succeed."""
    busy = _primary_code(error) == sqlite3.SQLITE_BUSY
    return busy and waited < BUSY_TIMEOUT_MS / 1000 / 2


def quick_check(connection: sqlite3.Connection, path: Path) -> None:
    """Run ``PRAGMA quick_check`` and raise StoreError if it finds damage.

    The check only reads, so a damaged file is left as it was.
    """
    # The pragma returns one row "ok", or up to 100 rows that each describe
    # a problem. Damage it cannot walk past raises SQLITE_CORRUPT instead.
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as error:
        rows = [(str(error),)]
    if rows != [("ok",)]:
        raise StoreError(
            f"cache {path} is damaged (PRAGMA quick_check: {_first_problem(rows)}); "
            f"the file was left untouched: {_RESTORE_HINT}"
        )


def quick_check_file(path: Path) -> None:
    """Run ``quick_check`` over a read-only connection of its own, so the
    check can run in a thread beside the Store's connection."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise StoreError(f"cannot open cache {path} to check it: {error}") from error
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        quick_check(connection, path)
    finally:
        connection.close()


def _first_problem(rows: list[tuple[str]]) -> str:
    # A report starts with a "*** in database main ***" line, then one line
    # per problem.
    lines = [line for line in str(rows[0][0]).splitlines() if line.strip()]
    problems = [line for line in lines if not line.startswith("***")]
    return (problems or lines or ["no details"])[0]
