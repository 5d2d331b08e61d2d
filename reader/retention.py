"""Retention: prune old read entries on refresh, and compact the cache.

A refresh that stores a feed document removes that feed's entries that are
read, not starred, dated before the retention age, and absent from the
document. Entries the document still lists stay, so they never come back as
new. The key of each pruned entry is kept for ``TOMBSTONE_LIFETIME``, so a
feed that lists it again later does not bring it back either.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reader.models import ParsedEntry
from reader.search import index_pending

log = logging.getLogger(__name__)

DEFAULT_RETENTION = timedelta(days=90)
"""Age after which read, unstarred entries may be pruned."""

TOMBSTONE_LIFETIME = timedelta(days=365)
"""How long the key of a pruned entry keeps it from being stored again."""

_PRUNABLE = """
    feed_id = ? AND read = 1 AND starred = 0 AND sort_date < ?
    AND key NOT IN (SELECT value FROM json_each(?))
"""


@dataclass(frozen=True, slots=True)
class VacuumReport:
    """File sizes before and after ``Store.vacuum``, in bytes, WAL included."""

    before: int
    after: int


def pruned_keys(
    db: sqlite3.Connection, feed_id: int, entries: Sequence[ParsedEntry]
) -> set[str]:
    """Return the keys of ``entries`` that were pruned from the feed, which
    a save skips."""
    keys = json.dumps([entry.key for entry in entries])
    return {
        key
        for (key,) in db.execute(
            "SELECT key FROM pruned_entries WHERE feed_id = ? "
            "AND key IN (SELECT value FROM json_each(?))",
            (feed_id, keys),
        )
    }


def prune_feed(
    db: sqlite3.Connection,
    feed_id: int,
    listed_keys: Sequence[str],
    retention: timedelta,
    now: datetime,
) -> int:
    """Delete the feed's prunable entries and remember their keys.

    ``listed_keys`` are the keys in the document just stored. Returns the
    number of entries deleted. Runs in the caller's transaction.
    """
    stamp = now.astimezone(UTC).isoformat(timespec="microseconds")
    cutoff = (now - retention).astimezone(UTC).isoformat(timespec="microseconds")
    params = (feed_id, cutoff, json.dumps(list(listed_keys)))
    db.execute(
        "INSERT OR REPLACE INTO pruned_entries (feed_id, key, pruned_at) "
        f"SELECT feed_id, key, ? FROM entries WHERE {_PRUNABLE}",
        (stamp, *params),
    )
    deleted = db.execute(f"DELETE FROM entries WHERE {_PRUNABLE}", params).rowcount
    expired = (now - TOMBSTONE_LIFETIME).astimezone(UTC).isoformat()
    db.execute(
        "DELETE FROM pruned_entries WHERE feed_id = ? AND pruned_at < ?",
        (feed_id, expired),
    )
    if deleted:
        log.info("entries pruned feed_id=%d count=%d", feed_id, deleted)
    return deleted


def vacuum(db: sqlite3.Connection, path: Path) -> VacuumReport:
    """Index queued entries, merge the search index, and rebuild the file.

    VACUUM needs free disk space of about the cache's size while it runs and
    cannot run inside a transaction.
    """
    before = _size(path)
    db.execute("BEGIN IMMEDIATE")
    try:
        index_pending(db)
        db.execute("INSERT INTO entries_fts (entries_fts) VALUES ('optimize')")
    except BaseException:
        db.rollback()
        raise
    db.commit()
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return VacuumReport(before=before, after=_size(path))


def _size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            total += part.stat().st_size
    return total
