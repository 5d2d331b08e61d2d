"""Entry lists read a page at a time: scopes, counts, keyset paging.

A scope names the entries a list shows (one feed or all, unread or starred
only, matching a search) and their order (``reader.sort_order``). Rows come
from covering indexes in list order, so a page costs the same in a list of
100 entries as in one of 100,000. Counts without a search come from the counters the
schema's triggers keep, not from counting rows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from typing import Any

from reader.rows import ROW_COLUMNS, EntryRow, SortKey, row_from_tuple
from reader.search import match_expression
from reader.sort_order import (
    SortOrder,
    comes_before,
    key_condition,
    order_sql,
    row_key,
)
from reader.store_folders import FOLDER_FEEDS


@dataclass(frozen=True, slots=True)
class EntryScope:
    """The entries one list shows."""

    feed_id: int | None = None
    """One feed's entries, or every feed's when None."""
    unread_only: bool = False
    starred_only: bool = False
    search: str | None = None
    """A query in the syntax of ``reader.search``; one without terms is
    ignored."""
    folder: str | None = None
    """The entries of the feeds in this folder and in its subfolders."""
    order: SortOrder = "date"
    """Newest first ("date") or by title from A to Z ("title")."""


@dataclass(frozen=True, slots=True)
class EntryTotals:
    """Entry counts over the whole cache."""

    total: int
    unread: int
    starred: int


class EntryLists:
    """Read paths of entry lists; a mixin of ``Store``."""

    _db: sqlite3.Connection

    def entry_totals(self) -> EntryTotals:
        """Return the counts of all, unread and starred entries."""
        row = self._db.execute(
            "SELECT coalesce(sum(total), 0), coalesce(sum(unread), 0), "
            "coalesce(sum(starred), 0) FROM feed_counts"
        ).fetchone()
        return EntryTotals(*row)

    def count_rows(self, scope: EntryScope) -> int:
        """Return how many entries ``scope`` contains."""
        counter = _counter(scope)
        if counter is not None:
            sql = f"SELECT coalesce(sum({counter}), 0) FROM feed_counts"
            if scope.folder is not None:
                sql += f" WHERE feed_id IN ({FOLDER_FEEDS})"
                if scope.feed_id is not None:
                    sql += f" AND feed_id = {int(scope.feed_id)}"
                return int(self._db.execute(sql, [scope.folder] * 3).fetchone()[0])
            if scope.feed_id is None:
                return int(self._db.execute(sql).fetchone()[0])
            sql += " WHERE feed_id = ?"
            return int(self._db.execute(sql, (scope.feed_id,)).fetchone()[0])
        where, params = scope_where(scope)
        sql = f"SELECT count(*) FROM {scope_table(scope)} WHERE {where}"
        if scope == EntryScope(search=scope.search):
            # A search across all entries: the index alone has the count.
            sql = "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?"
        return int(self._db.execute(sql, params).fetchone()[0])

    def list_rows(
        self,
        scope: EntryScope,
        *,
        limit: int,
        offset: int = 0,
        after: SortKey | None = None,
        backward: bool = False,
    ) -> list[EntryRow]:
        """Return up to ``limit`` rows of ``scope``.

        Rows come in the scope's order, or the reverse when ``backward``.
        With ``after``, they start next to that key in the chosen direction,
        so a neighbouring page costs no OFFSET; ``offset`` rows are skipped
        first.
        """
        sql, params = row_query(scope, after=after, backward=backward)
        params += [limit, offset]
        title_key = scope.order == "title"
        return [
            row_from_tuple(row, title_key=title_key)
            for row in self._db.execute(sql, params)
        ]

    def find_unread_row(
        self, scope: EntryScope, after: SortKey | None, *, backward: bool = False
    ) -> EntryRow | None:
        """Return the first unread row of ``scope`` past ``after`` (from the
        start when None), walking in list order, or against it when
        ``backward``."""
        unread = replace(scope, unread_only=True)
        rows = self.list_rows(unread, limit=1, after=after, backward=backward)
        return rows[0] if rows else None

    def count_rows_before(self, scope: EntryScope, key: SortKey) -> int:
        """Return how many rows of ``scope`` come before ``key``: its index."""
        where, params = scope_where(scope)
        before, key_params = key_condition(scope.order, key, after=False)
        sql = f"SELECT count(*) FROM {scope_table(scope)} WHERE {where} AND {before}"
        return int(self._db.execute(sql, [*params, *key_params]).fetchone()[0])

    def count_rows_between(
        self, scope: EntryScope, first: SortKey, last: SortKey
    ) -> int:
        """Return how many rows of ``scope`` lie strictly between two keys."""
        if not comes_before(scope.order, first, last):
            first, last = last, first
        where, params = scope_where(scope)
        after, after_params = key_condition(scope.order, first, after=True)
        before, before_params = key_condition(scope.order, last, after=False)
        sql = (
            f"SELECT count(*) FROM {scope_table(scope)} WHERE {where} "
            f"AND {after} AND {before}"
        )
        values = [*params, *after_params, *before_params]
        return int(self._db.execute(sql, values).fetchone()[0])

    def entry_sort_key(self, entry_id: int, order: SortOrder) -> SortKey | None:
        """Return the key of an entry in ``order``, or None if it is gone."""
        row = self._db.execute(
            "SELECT sort_date, title FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()
        if row is None:
            return None
        return row_key(order, row[0], row[1], entry_id)


def scope_where(scope: EntryScope) -> tuple[str, list[Any]]:
    """Return the WHERE condition over ``entries e`` and its parameters."""
    clauses = ["1"]
    params: list[Any] = []
    if scope.feed_id is not None:
        clauses.append("e.feed_id = ?")
        params.append(scope.feed_id)
    if scope.folder is not None:
        clauses.append(f"e.feed_id IN ({FOLDER_FEEDS})")
        params += [scope.folder] * 3
    # The literal predicates match the partial indexes' WHERE clauses, which
    # SQLite requires before it uses a partial index.
    if scope.unread_only:
        clauses.append("e.read = 0")
    if scope.starred_only:
        clauses.append("e.starred = 1")
    expression = None if scope.search is None else match_expression(scope.search)
    if expression is not None:
        clauses.append(
            "e.id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)"
        )
        params.append(expression)
    return " AND ".join(clauses), params


def scope_table(scope: EntryScope) -> str:
    """Return ``entries e`` bound to the covering index of ``scope`` in its
    order.

    SQLite 3.40 costs the partial index of starred entries like a full one,
    and with a search it prefers reading matches by rowid from the wide rows
    and sorting them.
    Naming the index keeps every list an index scan in list order, and makes
    SQLite raise an error, not pick a slow plan, if a query stops fitting it.
    """
    indexes = order_sql(scope.order)
    if scope.starred_only:
        index = indexes.starred_index
    elif scope.feed_id is None:
        index = indexes.all_index
    else:
        index = indexes.feed_index
    return f"entries e INDEXED BY {index}"


def row_query(
    scope: EntryScope, *, after: SortKey | None, backward: bool
) -> tuple[str, list[Any]]:
    """Return the SQL of a page of rows, missing LIMIT and OFFSET values."""
    where, params = scope_where(scope)
    if after is not None:
        condition, key_params = key_condition(scope.order, after, after=not backward)
        where += f" AND {condition}"
        params += key_params
    sql_order = order_sql(scope.order)
    order_by = sql_order.reverse_order_by if backward else sql_order.order_by
    sql = (
        f"SELECT {ROW_COLUMNS} FROM {scope_table(scope)} WHERE {where} "
        f"ORDER BY {order_by} LIMIT ? OFFSET ?"
    )
    return sql, params


def _counter(scope: EntryScope) -> str | None:
    if scope.search is not None and match_expression(scope.search) is not None:
        return None
    if scope.unread_only and scope.starred_only:
        return None
    if scope.unread_only:
        return "unread"
    if scope.starred_only:
        return "starred"
    return "total"
