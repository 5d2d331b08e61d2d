"""The cache's SQLite schema and its forward migrations.

``PRAGMA user_version`` records how many migrations a database has had.
Each migration runs in one transaction, so a crash leaves the previous
version intact. A database from a newer tidings is rejected, never
downgraded.
"""

from __future__ import annotations

import sqlite3

from reader.models import StoreError

# Timestamps are TEXT in ISO 8601, always UTC with a "+00:00" suffix, so they
# sort correctly as strings. Flags keep the time they were set beside them.
_SCHEMA_V1 = """
-- AUTOINCREMENT keeps ids of removed feeds and entries from being reused,
-- so an id in a user's script never points at another feed later.
CREATE TABLE feeds (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    url            TEXT NOT NULL UNIQUE,   -- http(s) URL or local file path
    title          TEXT,                   -- from the document; NULL before a refresh
    link           TEXT,                   -- the site the feed belongs to
    etag           TEXT,                   -- validators exactly as received
    last_modified  TEXT,
    body_hash      TEXT,                   -- sha256 of the last body parsed
    added_at       TEXT NOT NULL,
    last_refreshed TEXT,
    last_error     TEXT                    -- NULL after a successful refresh
);

CREATE TABLE entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    feed_id      INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,            -- identity within the feed
    title        TEXT NOT NULL,
    link         TEXT,
    author       TEXT,
    published    TEXT,
    updated      TEXT,
    content      TEXT NOT NULL,
    summary      TEXT NOT NULL,
    enclosures   TEXT NOT NULL DEFAULT '[]',  -- JSON list of {url, type, length}
    fingerprint  TEXT NOT NULL,            -- hash of every stored field above
    first_seen   TEXT NOT NULL,
    sort_date    TEXT NOT NULL,            -- published, else updated, else first_seen
    read         INTEGER NOT NULL DEFAULT 0,
    read_at      TEXT,
    starred      INTEGER NOT NULL DEFAULT 0,
    starred_at   TEXT,
    UNIQUE (feed_id, key)
);

CREATE INDEX entries_by_feed_date ON entries (feed_id, sort_date DESC, id DESC);
CREATE INDEX entries_by_date ON entries (sort_date DESC, id DESC);
CREATE INDEX entries_unread ON entries (feed_id, read);
CREATE INDEX entries_starred ON entries (starred) WHERE starred = 1;

-- Small facts about the cache itself, such as whether the welcome feed
-- was ever added.
CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Markdown converted from an entry's content, valid while the hash matches.
CREATE TABLE markdown_cache (
    entry_id      INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
    content_hash  TEXT NOT NULL,
    markdown      TEXT NOT NULL
);
"""

# Folders are one level: a feed names its folder, and a folder exists while
# a feed is in it. Nested OPML outlines keep their path in the name
# ("Tech/Python"), and OPML export rebuilds the nesting from it, so a round
# trip is exact without a tree in the schema.
_FOLDERS_AND_TITLES = """
ALTER TABLE feeds ADD COLUMN folder TEXT;      -- NULL: not in a folder
ALTER TABLE feeds ADD COLUMN user_title TEXT;  -- set by rename; shown over title

CREATE INDEX feeds_by_folder ON feeds (folder) WHERE folder IS NOT NULL;

-- The entries the last "mark all read" changed, so it can be undone. A new
-- mark-all replaces the rows; undo deletes them.
CREATE TABLE mark_all_undo (
    entry_id  INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE
);
"""

# The refresh schedule: what keeps tidings polite to the servers it polls.
# Intervals are whole seconds.
_REFRESH_SCHEDULE = """
ALTER TABLE feeds ADD COLUMN gone_since TEXT;   -- set by HTTP 410 Gone
ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;  -- in a row
ALTER TABLE feeds ADD COLUMN next_refresh TEXT; -- NULL: due now
ALTER TABLE feeds ADD COLUMN declared_interval INTEGER; -- RSS ttl, sy:updatePeriod
ALTER TABLE feeds ADD COLUMN max_age INTEGER;   -- Cache-Control of the last response
ALTER TABLE feeds ADD COLUMN interval_override INTEGER; -- set by the user

-- Hosts that responded with 429 or 503 get no request before "until". A host is
-- "name:port", so two servers on one machine are paused apart.
CREATE TABLE host_pauses (
    host    TEXT PRIMARY KEY,
    until   TEXT NOT NULL,
    reason  TEXT NOT NULL                   -- the response that requested it
);
"""

MIGRATIONS: tuple[str, ...] = (_SCHEMA_V1, _FOLDERS_AND_TITLES, _REFRESH_SCHEDULE)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(connection: sqlite3.Connection, path: str) -> None:
    """Bring the database at ``path`` up to ``SCHEMA_VERSION``.

    Raises StoreError when the database was written by a newer tidings.
    """
    version = reject_newer(connection, path)
    for number in range(version, SCHEMA_VERSION):
        try:
            _apply(connection, number + 1, MIGRATIONS[number])
        except sqlite3.OperationalError:
            # Another process opening the same cache may have applied this
            # migration after the version was read ("table feeds already
            # exists"). Its user_version is committed with the script.
            if schema_version(connection) <= number:
                raise


def reject_newer(connection: sqlite3.Connection, path: str) -> int:
    """Return the database's schema version, or raise StoreError if a newer
    tidings wrote it. Only reads, so a rejected file stays byte for byte."""
    version = schema_version(connection)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"cache {path} has schema version {version}, but this tidings "
            f"reads up to version {SCHEMA_VERSION}; upgrade tidings or use "
            "another cache with --db"
        )
    return version


def schema_version(connection: sqlite3.Connection) -> int:
    """Return the number of migrations applied to the database."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    return int(version)


def _apply(connection: sqlite3.Connection, version: int, script: str) -> None:
    # executescript() commits first and runs outside any transaction, so the
    # script is wrapped in BEGIN/COMMIT itself, with user_version inside it.
    try:
        connection.executescript(
            f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
        )
    except sqlite3.Error:
        if connection.in_transaction:
            connection.rollback()
        raise
