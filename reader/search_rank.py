"""Ranking full-text matches: relevance over every match, then date.

Relevance is FTS5's ``bm25()``, where a match in the title weighs 10, in the
author 5 and in the text 1. BM25's inverse document frequency is zero or
less for a term found in half of the entries or more. FTS5 then uses 1e-6
(``fts5_aux.c``, SQLite 3.40), so such a term narrows the matches but adds
less than 2.2e-6 to a score. Reading its positions is the costly part of
scoring, so it is left out of the score. The other terms score every match
as FTS5 would. When every term is that common, the matches whose title or
author contains every term come first, then the others, each group newest
first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from reader.rows import ROW_COLUMNS, EntryRow, row_from_tuple
from reader.search_query import Query, Term, all_of

SCORE = "bm25(entries_fts, 10.0, 5.0, 1.0)"
"""Relevance of a match, lower is better, with the weights of title, author
and text."""

SAMPLE_ROWS = 2_000
"""Size of the sample, the newest indexed entries, in which the share of a
term's matches is measured before the query runs in full."""

SAMPLE_UNCLEAR = (0.3, 0.7)
"""Shares in the sample too close to one half to predict whether the term is
in half of all entries, so its matches are counted first."""


@dataclass(frozen=True, slots=True)
class Ranked:
    """The best matches of a query, best first, and how many match."""

    rows: tuple[EntryRow, ...]
    total: int | None
    """How many entries match; None when they were not counted."""
    scored: bool
    """Whether BM25 ordered the rows. False when every term is in half of
    the entries or more."""


def rank_matches(
    db: sqlite3.Connection, query: Query, limit: int, *, count: bool = True
) -> Ranked:
    """Return the ``limit`` best matches of ``query`` among all entries.

    With ``count`` False, a query whose every term has a share of the
    newest entries clearly over one half is ranked title matches first,
    then newest, and its matches are not counted. The total is then None,
    and the caller checks the order with ``reader.search_count`` once it
    has shown the rows. The search index must be up to date.
    """
    indexed = indexed_count(db)
    if indexed == 0:
        return Ranked((), 0, scored=False)
    if len(query.positive) == 1 and not query.negative:
        return _rank_one_term(db, query, limit, indexed, count=count)
    if not count and all(
        _sampled_share(db, term.expression) > SAMPLE_UNCLEAR[1]
        for term in query.positive
    ):
        # A query with "of the" took about 300 ms to count and to count its
        # terms, the two steps that choose this order, so both wait.
        return _by_title_then_date(db, query, limit, counted=False)
    total = count_expression(db, query.expression())
    if total == 0:
        return Ranked((), 0, scored=False)
    # Each term matches at least the query's matches, so no term of a query
    # that matches half of the entries or more has any BM25 weight.
    if 2 * total >= indexed:
        return _by_title_then_date(db, query, limit, total)
    counts = {term: count_expression(db, term.expression) for term in query.positive}
    weighted = tuple(term for term in query.positive if 2 * counts[term] < indexed)
    if not weighted:
        return _by_title_then_date(db, query, limit, total)
    # The weighted terms match every match of the query and maybe more, so
    # when they match as many entries, they match the same ones.
    scored = (
        counts[weighted[0]]
        if len(weighted) == 1
        else count_expression(db, all_of(weighted))
    )
    return _by_score(db, query, weighted, limit, filtered=scored != total)


def _rank_one_term(
    db: sqlite3.Connection, query: Query, limit: int, indexed: int, *, count: bool
) -> Ranked:
    # The term's match count is the total, which both ways of ranking
    # return. A phrase of common words takes tens of milliseconds per pass
    # over its matches, and scoring takes two, so a clear share in a sample
    # picks the way to try first instead of a third pass that counts. A
    # wrong guess costs time, never a different result.
    share = _sampled_share(db, query.expression())
    if SAMPLE_UNCLEAR[0] <= share <= SAMPLE_UNCLEAR[1]:
        total = count_expression(db, query.expression())
        if 2 * total < indexed:
            return _by_score(db, query, query.positive, limit, filtered=False)
        return _by_title_then_date(db, query, limit, total)
    if share < SAMPLE_UNCLEAR[0]:
        ranked = _by_score(db, query, query.positive, limit, filtered=False)
        assert ranked.total is not None
        if 2 * ranked.total < indexed:
            return ranked
        return _by_title_then_date(db, query, limit, ranked.total)
    if not count:
        # Counting a phrase of common words costs most of the search (about
        # 150 ms of CPU time for "of the" in 100,000 entries), and this
        # order needs no count, so the count and the check of the guess wait.
        return _by_title_then_date(db, query, limit, counted=False)
    ranked = _by_title_then_date(db, query, limit)
    assert ranked.total is not None
    if 2 * ranked.total < indexed:
        return _by_score(db, query, query.positive, limit, filtered=False)
    return ranked


def indexed_count(db: sqlite3.Connection) -> int:
    """Return how many entries the search index contains.

    The feed counters match the index once its pending queue is drained.
    """
    (count,) = db.execute("SELECT coalesce(sum(total), 0) FROM feed_counts").fetchone()
    return int(count)


def count_expression(db: sqlite3.Connection, expression: str) -> int:
    """Return how many entries match the FTS5 MATCH ``expression``."""
    (count,) = db.execute(_COUNT, (expression,)).fetchone()
    return int(count)


def _sampled_share(db: sqlite3.Connection, expression: str) -> float:
    """Return the share of the newest ``SAMPLE_ROWS`` entries that match."""
    row = db.execute(_SAMPLE_START, (SAMPLE_ROWS - 1,)).fetchone()
    if row is None:
        (size,) = db.execute("SELECT count(*) FROM entries_fts_docsize").fetchone()
        start = 0
    else:
        size, start = SAMPLE_ROWS, row[0]
    (hits,) = db.execute(_COUNT + " AND rowid >= ?", (expression, start)).fetchone()
    return int(hits) / max(int(size), 1)


def _by_score(
    db: sqlite3.Connection,
    query: Query,
    weighted: tuple[Term, ...],
    limit: int,
    *,
    filtered: bool,
) -> Ranked:
    """Rank by BM25 over ``weighted``; ``filtered`` when the query matches
    fewer entries than those terms."""
    params: dict[str, Any] = {"rank": all_of(weighted), "limit": limit}
    sql = _SCORED.format(only_matches="")
    if filtered:
        sql = _SCORED.format(only_matches=_ONLY_MATCHES)
        params["all"] = query.expression()
    rows = db.execute(sql, params).fetchall()
    total = rows[0][0] if rows else 0
    return Ranked(tuple(row_from_tuple(row[1:]) for row in rows), total, scored=True)


def _by_title_then_date(
    db: sqlite3.Connection,
    query: Query,
    limit: int,
    total: int | None = None,
    *,
    counted: bool = True,
) -> Ranked:
    # NOTE: FTS5 would order these matches by how often and where the terms
    # occur, scaled by 1e-6. Scoring the 100,000 matches of "the" in the
    # scale benchmark took 155-200 ms of CPU time (benchmarks/README.md), so
    # title and author matches first, then date, stand in for that order.
    everything = query.expression()
    if total is None and counted:
        total = count_expression(db, everything)
    rows = db.execute(_NEWEST, (query.title_expression(), limit)).fetchall()
    # NOTE: with fewer title matches than ``limit``, _NEWEST reads every
    # match of the whole query, as long as counting them would take.
    if len(rows) < (limit if total is None else min(limit, total)):
        # Every match with the terms in its title is in ``rows``, so the
        # newest ``limit`` matches hold enough of the others.
        titled = {row[0] for row in rows}
        newest = db.execute(_NEWEST, (everything, limit)).fetchall()
        rows += [row for row in newest if row[0] not in titled][: limit - len(rows)]
    return Ranked(tuple(map(row_from_tuple, rows)), total, scored=False)


_COUNT = "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?"

_SAMPLE_START = "SELECT id FROM entries_fts_docsize ORDER BY id DESC LIMIT 1 OFFSET ?"

# Every match is scored once, in the materialized CTE. Only the best are
# joined to entries, whose wide rows are slow to read in bulk, and so are
# all matches tied with the last of them, so that ties go by date.
_SCORED = f"""
WITH scored AS MATERIALIZED (
    SELECT rowid AS id, {SCORE} AS score FROM entries_fts
    WHERE entries_fts MATCH :rank {{only_matches}}
),
cut AS (SELECT score FROM scored ORDER BY score LIMIT 1 OFFSET :limit - 1)
SELECT (SELECT count(*) FROM scored), {ROW_COLUMNS}
FROM scored JOIN entries e ON e.id = scored.id
WHERE scored.score <= coalesce(
    (SELECT score FROM cut), (SELECT max(score) FROM scored)
)
ORDER BY scored.score, e.sort_date DESC, e.id DESC
LIMIT :limit
"""

# The score leaves out the common terms, and this keeps the matches of the
# whole query, negative terms included. The "+" keeps SQLite from handing
# the IN list to FTS5 as rowid constraints, which would run the query, and
# BM25's count of each term's matches, once per listed row.
_ONLY_MATCHES = """
    AND +rowid IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH :all)
"""

_NEWEST = f"""
SELECT {ROW_COLUMNS} FROM entries e INDEXED BY entries_rows
WHERE e.id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)
ORDER BY e.sort_date DESC, e.id DESC
LIMIT ?
"""
