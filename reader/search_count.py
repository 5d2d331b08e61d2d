"""Counting the matches of a search apart from ranking them.

A query whose every term is in half of the entries or more is ranked
title matches first, then newest, and that order needs no count. Counting such a
query can take longer than ranking it: the phrase ``"of the"`` in 98,166
of 100,000 entries took about 150 ms of CPU time to count and 20 ms to
rank (``benchmarks/scale_store.py``). So the search screen and ``tidings
search`` show the rows first and count afterwards, in a worker thread with
a connection of its own for the screen.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reader.models import StoreError, TidingsError, UsageError
from reader.search_query import parse_query
from reader.search_rank import count_expression, indexed_count

CANCEL_CHECK_STEPS = 10_000
"""SQLite virtual machine steps between two calls of a count's ``cancelled``
check. Counting "of the" in 100,000 entries took about 211,000 steps in
150 ms of CPU time, so the check ran about every 7 ms."""


@dataclass(frozen=True, slots=True)
class MatchCount:
    """How many entries match a query, out of how many indexed."""

    total: int
    indexed: int
    common: bool
    """Whether the query matches half of the indexed entries or more, or
    each term it requires (not a ``-word``) does. Only then is the
    title-then-date order of an uncounted search the right one. Otherwise
    BM25 ranks the matches, so search again with the count."""


def count_matches(db: sqlite3.Connection, query: str) -> MatchCount:
    """Count the entries that match ``query``.

    The search index must be up to date. Raises UsageError when the query
    has no term to look for.
    """
    parsed = parse_query(query)
    if parsed is None:
        raise UsageError(
            f"invalid search {query!r}: it has no word to look for; "
            "add one, as in 'release -draft'"
        )
    total = count_expression(db, parsed.expression())
    indexed = indexed_count(db)
    # The same rule as reader.search_rank.rank_matches: each term matches
    # at least the query's matches, and a term count only decides when the
    # query matches fewer than half. Negative terms are never weighted.
    common = 2 * total >= indexed or all(
        2 * count_expression(db, term.expression) >= indexed for term in parsed.positive
    )
    return MatchCount(total, indexed, common)


class CountCancelledError(TidingsError):
    """The count stopped because its caller no longer needs it."""


def count_matches_in_file(
    path: Path, query: str, *, cancelled: Callable[[], bool] | None = None
) -> MatchCount:
    """Count the matches of ``query`` in the cache at ``path``.

    Opens a read-only connection of its own, so a worker thread counts
    while the caller's connection stays free for the screen. SQLite calls
    ``cancelled`` every ``CANCEL_CHECK_STEPS`` steps, and a True result
    stops the count with CountCancelledError. Raises StoreError when the
    cache cannot be read.
    """
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if cancelled is not None:
                db.set_progress_handler(cancelled, CANCEL_CHECK_STEPS)
            return count_matches(db, query)
        finally:
            db.close()
    except sqlite3.OperationalError as error:
        if cancelled is not None and cancelled():
            raise CountCancelledError(f"count of {query!r} cancelled") from error
        raise StoreError(
            f"counting the matches of {query!r} in {path} failed: {error}"
        ) from error
    except sqlite3.Error as error:
        raise StoreError(
            f"counting the matches of {query!r} in {path} failed: {error}"
        ) from error
