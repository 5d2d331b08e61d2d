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

# Large caches. Triggers keep per-feed counters, so no screen counts
# entries. Covering indexes serve every entry list, so a page is read from one
# index without touching the wide rows. Then come a full-text index of title,
# author and body text, tombstones of pruned entries, and saved searches.
_SCHEMA_SCALE = """
CREATE TABLE feed_counts (
    feed_id  INTEGER PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
    total    INTEGER NOT NULL DEFAULT 0,
    unread   INTEGER NOT NULL DEFAULT 0,   -- entries with read = 0
    starred  INTEGER NOT NULL DEFAULT 0    -- entries with starred = 1
);

INSERT INTO feed_counts (feed_id, total, unread, starred)
SELECT f.id, count(e.id), coalesce(sum(e.read = 0), 0),
       coalesce(sum(e.starred = 1), 0)
FROM feeds f LEFT JOIN entries e ON e.feed_id = f.id
GROUP BY f.id;

-- OR REPLACE: a feed id can be reused after a delete made with foreign keys
-- off, which leaves its counter row behind.
CREATE TRIGGER feeds_count_insert AFTER INSERT ON feeds BEGIN
    INSERT OR REPLACE INTO feed_counts (feed_id) VALUES (new.id);
END;

CREATE TRIGGER entries_count_insert AFTER INSERT ON entries BEGIN
    UPDATE feed_counts SET
        total = total + 1,
        unread = unread + (new.read = 0),
        starred = starred + (new.starred = 1)
    WHERE feed_id = new.feed_id;
END;

CREATE TRIGGER entries_count_delete AFTER DELETE ON entries BEGIN
    UPDATE feed_counts SET
        total = total - 1,
        unread = unread - (old.read = 0),
        starred = starred - (old.starred = 1)
    WHERE feed_id = old.feed_id;
END;

CREATE TRIGGER entries_count_update AFTER UPDATE OF feed_id, read, starred
ON entries BEGIN
    UPDATE feed_counts SET
        total = total - 1,
        unread = unread - (old.read = 0),
        starred = starred - (old.starred = 1)
    WHERE feed_id = old.feed_id;
    UPDATE feed_counts SET
        total = total + 1,
        unread = unread + (new.read = 0),
        starred = starred + (new.starred = 1)
    WHERE feed_id = new.feed_id;
END;

-- Entry lists read these indexes only: each holds every column a list row
-- shows, in the list's order, so neither a page nor a count reads the wide
-- rows whose content sits before read, starred and sort_date.
DROP INDEX entries_by_feed_date;
DROP INDEX entries_by_date;
DROP INDEX entries_unread;
DROP INDEX entries_starred;
CREATE INDEX entries_feed_rows
    ON entries (feed_id, sort_date DESC, id DESC, read, starred, title);
CREATE INDEX entries_rows
    ON entries (sort_date DESC, id DESC, feed_id, read, starred, title);
-- Unread lists scan the two indexes above, skipping read rows, because a
-- partial index of unread entries would be written on every new entry and
-- every mark. Starred entries are few and rarely change, so they have one.
-- SQLite 3.40 does not count a partial index's WHERE column as covered, so
-- starred is in it.
CREATE INDEX entries_starred_rows
    ON entries (sort_date DESC, id DESC, feed_id, read, starred, title)
    WHERE starred = 1;
-- A refresh compares fingerprints by key without reading the wide rows.
CREATE INDEX entries_fingerprints ON entries (feed_id, key, fingerprint);

-- Full-text index: rowid is entries.id. It is contentless, so the text is
-- not stored a second time (a third of the file at 100,000 entries), and a
-- row leaves it only through the 'delete' command given the exact values
-- it was indexed with. Stripping HTML from a body needs Python, so triggers
-- only queue work: new and changed entries in entries_fts_pending, and the
-- indexed values of changed and deleted entries in entries_fts_stale. The
-- store drains both queues (reader.search.index_pending), stale first.
CREATE VIRTUAL TABLE entries_fts USING fts5 (
    title, author, text,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
-- Relevance weights of title, author and text for ORDER BY rank.
INSERT INTO entries_fts (entries_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0)');

CREATE TABLE entries_fts_pending (
    entry_id  INTEGER PRIMARY KEY
);
INSERT INTO entries_fts_pending (entry_id) SELECT id FROM entries;
-- The version of the HTML-to-words step the index was built with; see
-- reader.search.SEARCH_TEXT_VERSION.
INSERT INTO meta (key, value) VALUES ('search_text_version', '1');

-- An entry not in the pending queue is in the index with its current
-- values, so those are the values its removal needs.
CREATE TABLE entries_fts_stale (
    entry_id  INTEGER PRIMARY KEY,
    title     TEXT NOT NULL,
    author    TEXT,
    content   TEXT NOT NULL
);

CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT OR IGNORE INTO entries_fts_pending (entry_id) VALUES (new.id);
END;

CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, author, content
ON entries BEGIN
    INSERT OR IGNORE INTO entries_fts_stale (entry_id, title, author, content)
    SELECT old.id, old.title, old.author, old.content
    WHERE NOT EXISTS (
        SELECT 1 FROM entries_fts_pending WHERE entry_id = old.id
    );
    INSERT OR IGNORE INTO entries_fts_pending (entry_id) VALUES (new.id);
END;

CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT OR IGNORE INTO entries_fts_stale (entry_id, title, author, content)
    SELECT old.id, old.title, old.author, old.content
    WHERE NOT EXISTS (
        SELECT 1 FROM entries_fts_pending WHERE entry_id = old.id
    );
    DELETE FROM entries_fts_pending WHERE entry_id = old.id;
END;

-- Keys of entries removed by retention, so a feed that lists them again
-- does not bring them back as new.
CREATE TABLE pruned_entries (
    feed_id    INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    pruned_at  TEXT NOT NULL,
    PRIMARY KEY (feed_id, key)
) WITHOUT ROWID;

CREATE TABLE saved_searches (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    query       TEXT NOT NULL,             -- as typed; see reader.search
    created_at  TEXT NOT NULL
);
"""

# Title order: entry lists sorted by title from A to Z, ignoring ASCII case,
# with the entry id breaking ties. The indexes mirror the three date-order
# ones above, so a page in title order is also read from one covering index
# with no sort. NOCASE is built into SQLite, so every connection can write
# these indexes, the sqlite3 shell included.
_TITLE_ORDER = """
CREATE INDEX entries_feed_title_rows
    ON entries (feed_id, title COLLATE NOCASE, id, read, starred, sort_date);
CREATE INDEX entries_title_rows
    ON entries (title COLLATE NOCASE, id, feed_id, read, starred, sort_date);
CREATE INDEX entries_starred_title_rows
    ON entries (title COLLATE NOCASE, id, feed_id, read, starred, sort_date)
    WHERE starred = 1;
"""

# Search index merges: FTS5 merges a level's segments into one once there
# are this many (4 by default). A refresh adds a segment per batch, and at 8
# the merges rewrite less of the index. A 1,000-feed refresh took 19.1 s
# instead of 21.5 s (benchmarks/refresh_profile.py). Searches over the 40,000
# entries it stored took the same time with either setting.
_INDEX_MERGES = """
INSERT INTO entries_fts (entries_fts, rank) VALUES ('automerge', 8);
"""

MIGRATIONS: tuple[str, ...] = (
    _SCHEMA_V1,
    _FOLDERS_AND_TITLES,
    _REFRESH_SCHEDULE,
    _SCHEMA_SCALE,
    _TITLE_ORDER,
    _INDEX_MERGES,
)
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
