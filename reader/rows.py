"""Light entry rows: what one line of an entry list shows, and no body.

A page of rows is read from one covering index (see the schema), so listing
never reads the wide entry rows that hold the content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

SortKey = tuple[str, int]
"""An entry's place in a list: (sort_date text, id) in date order, (title,
id) in title order (see ``reader.sort_order``)."""

ROW_COLUMNS = """
    e.id, e.feed_id, e.title, e.sort_date, e.read, e.starred,
    (SELECT coalesce(f.title, f.url) FROM feeds f WHERE f.id = e.feed_id)
"""
"""Result columns of a row query over ``entries e``.

The feed title is a subquery, not a join, so SQLite looks it up only for
rows it returns and not for rows an OFFSET skips.
"""


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One entry as an entry list shows it."""

    id: int
    feed_id: int
    title: str
    date: datetime
    """Published, else updated, else first seen (UTC)."""
    read: bool
    starred: bool
    feed_title: str
    sort_key: SortKey


def row_from_tuple(row: tuple[Any, ...], *, title_key: bool = False) -> EntryRow:
    """Build an EntryRow from the ``ROW_COLUMNS`` of one result row, keyed
    for title order when ``title_key``, else for date order."""
    id_, feed_id, title, sort_date, read, starred, feed_title = row
    return EntryRow(
        id=id_,
        feed_id=feed_id,
        title=title,
        date=datetime.fromisoformat(sort_date),
        read=bool(read),
        starred=bool(starred),
        feed_title=feed_title,
        sort_key=(title, id_) if title_key else (sort_date, id_),
    )
