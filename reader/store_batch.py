"""Store parsed feeds: one at a time, or a refresh's feeds in batches.

A refresh parses in several processes but writes through one connection,
because SQLite lets one connection write at a time. When each parser
process stored its own feeds, each waited about 2 s of a 10.5 s, 500-feed
refresh for the other's transactions. The single writer takes the feeds
parsed since its last commit, up to ``MAX_BATCH`` of
``reader.refresh_writes``, and stores them in one transaction, each feed
in a savepoint of its own, so a feed that fails rolls back alone. One
commit per batch also writes the pages that every feed changes (index
pages, the search index's segments) once per batch instead of once per
feed.
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from reader.entry_values import PreparedEntries
from reader.models import Feed, FetchResult, ParsedFeed, StoreError
from reader.schedule import next_after_success
from reader.store import Store, utc_now

logger = logging.getLogger(__name__)

ParsedDocument = tuple[ParsedFeed, int | None]
"""A parsed feed and the refresh interval its document declares, in seconds."""

StoreOutcome = tuple[int, int] | Exception
"""The (new, updated) entry counts of a stored feed, or why it failed."""


@dataclass(frozen=True, slots=True)
class FeedToStore:
    """One parsed feed of a refresh, ready to store."""

    feed: Feed
    result: FetchResult
    """The fetch, without its body, which the writer does not need."""
    rows: bytes
    """The pickled ``(ParsedDocument, PreparedEntries)`` of the feed's
    document, from ``reader.parsepool.prepare_document`` in a process of
    this refresh."""
    body_hash: str


def save_document(
    store: Store,
    feed: Feed,
    result: FetchResult,
    document: ParsedDocument,
    body_hash: str,
    prepared: PreparedEntries | None = None,
) -> tuple[int, int]:
    """Store a parsed document and the feed's next refresh; return the
    (new, updated) entry counts. ``prepared`` is as for ``save_parsed``."""
    parsed, declared = document
    next_refresh = next_after_success(utc_now(), feed, declared, result.max_age)
    # The entries and the schedule land together.
    with store.batch():
        counts = store.save_parsed(feed.id, result, parsed, body_hash, prepared)
        store.record_success(feed.id, next_refresh, result.max_age, declared)
    return counts


def save_batch(store: Store, jobs: Sequence[FeedToStore]) -> list[StoreOutcome]:
    """Store ``jobs`` in one transaction and return each one's outcome.

    A feed whose save raises is rolled back alone and gets the exception as
    its outcome. When SQLite fails for another reason than a constraint,
    the cache cannot be written (disk full, locked, damaged), so the whole
    batch rolls back and StoreError reaches the caller.
    """
    outcomes: list[StoreOutcome] = []
    with store.batch():
        for job in jobs:
            try:
                with store.savepoint():
                    outcomes.append(_save_job(store, job))
            except sqlite3.IntegrityError as error:
                outcomes.append(_failed(job, error))
            except (StoreError, sqlite3.Error):
                raise
            except Exception as error:
                outcomes.append(_failed(job, error))
    return outcomes


def _failed(job: FeedToStore, error: Exception) -> Exception:
    logger.warning(
        "feed not stored, rolled back alone feed_id=%d error=%r", job.feed.id, error
    )
    return error


def _save_job(store: Store, job: FeedToStore) -> tuple[int, int]:
    # The rows come from a parser process of the same refresh, never from
    # outside, so unpickling them is safe.
    document, prepared = pickle.loads(job.rows)
    return save_document(store, job.feed, job.result, document, job.body_hash, prepared)
