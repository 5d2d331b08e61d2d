"""The orders an entry list can take, and the SQL that reads each one.

Date order lists the newest entry first and title order lists titles from
A to Z. Each order has its own keyset (the columns a page continues from)
and its own covering indexes, so a page costs the same in either order.
Title order compares titles with SQLite's NOCASE collation, which folds
ASCII letters only, and breaks ties between equal titles by entry id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from reader.rows import SortKey

SortOrder = Literal["date", "title"]
"""The order of an entry list: "date" (newest first) or "title" (A to Z)."""

SORT_ORDERS: tuple[SortOrder, ...] = ("date", "title")
"""Every order, in the order the sort key cycles through them."""


@dataclass(frozen=True, slots=True)
class OrderSql:
    """The SQL of one order: its ORDER BY terms and its indexes."""

    order_by: str
    """ORDER BY terms over ``entries e`` in list order."""
    reverse_order_by: str
    """The same terms in the opposite direction, to read a list from its end."""
    all_index: str
    """Index listing every feed's entries in this order."""
    feed_index: str
    """Index listing one feed's entries in this order."""
    starred_index: str
    """Partial index listing only starred entries in this order."""


_DATE = OrderSql(
    order_by="e.sort_date DESC, e.id DESC",
    reverse_order_by="e.sort_date ASC, e.id ASC",
    all_index="entries_rows",
    feed_index="entries_feed_rows",
    starred_index="entries_starred_rows",
)

# Every title comparison names NOCASE itself, because the column's own
# collation is BINARY and SQLite uses an index only for the collation it was
# built with.
_TITLE = OrderSql(
    order_by="e.title COLLATE NOCASE ASC, e.id ASC",
    reverse_order_by="e.title COLLATE NOCASE DESC, e.id DESC",
    all_index="entries_title_rows",
    feed_index="entries_feed_title_rows",
    starred_index="entries_starred_title_rows",
)


def order_sql(order: SortOrder) -> OrderSql:
    """Return the SQL of ``order``."""
    return _TITLE if order == "title" else _DATE


def key_condition(
    order: SortOrder, key: SortKey, *, after: bool
) -> tuple[str, list[Any]]:
    """Return the condition of rows after ``key`` in list order (before it
    unless ``after``) and its parameters."""
    if order == "title":
        # Spelled out rather than as a row value: SQLite 3.40 does not use
        # the index for a row value whose first term has a COLLATE clause.
        title, entry_id = key
        relation = ">" if after else "<"
        sql = (
            f"e.title COLLATE NOCASE {relation}= ? AND "
            f"(e.title COLLATE NOCASE {relation} ? OR e.id {relation} ?)"
        )
        return sql, [title, title, entry_id]
    # Date order is newest first, so the rows after a key have smaller keys.
    relation = "<" if after else ">"
    return f"(e.sort_date, e.id) {relation} (?, ?)", list(key)


def row_key(order: SortOrder, sort_date: str, title: str, entry_id: int) -> SortKey:
    """Return an entry's key in ``order`` from its stored columns."""
    return (title, entry_id) if order == "title" else (sort_date, entry_id)


def comes_before(order: SortOrder, first: SortKey, second: SortKey) -> bool:
    """Return whether the row with key ``first`` is listed before ``second``."""
    if order == "title":
        return (_nocase(first[0]), first[1]) < (_nocase(second[0]), second[1])
    return first > second


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _nocase(text: str) -> str:
    # SQLite's NOCASE lowers ASCII letters only and compares the rest by
    # UTF-8 bytes, whose order is the order of code points.
    return text.translate(_ASCII_LOWER)
