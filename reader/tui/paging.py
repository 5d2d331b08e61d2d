"""Random access to the rows of an entry list, read a page at a time.

The entry list requests rows by index as they scroll into view, and only
the pages that contain them are read. A page next to a cached one is read
by key, without an OFFSET. Any other page is read with an OFFSET counted
from the nearer end of the list. A list of 100,000 entries opens with one
count from the feed counters and one page query.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from reader.listing import EntryScope
from reader.rows import EntryRow
from reader.store import Store

PAGE_SIZE = 100
"""Rows read per query; a screen shows fewer rows than this."""

MAX_CACHED_PAGES = 32
"""Pages kept in memory, least recently used dropped first."""


class RowSource(Protocol):
    """The rows an entry list shows, by index."""

    def __len__(self) -> int: ...

    def get(self, index: int) -> EntryRow | None:
        """Return the row at ``index``, or None past either end."""

    def update(self, entry_id: int, *, read: bool, starred: bool) -> int | None:
        """Change the flags of a loaded row; return its index, if loaded."""

    def locate(self, row: EntryRow) -> int | None:
        """Return the index of ``row`` in this list, or None."""

    def next_unread(self, start: int, step: int) -> int | None:
        """Return the first unread index from ``start`` on, walking by
        ``step`` (1 or -1), or None."""


class EntryPages:
    """The rows of one ``EntryScope`` in the store's order."""

    def __init__(self, store: Store, scope: EntryScope) -> None:
        self.store = store
        self.scope = scope
        self.count = store.count_rows(scope)
        self._pages: OrderedDict[int, list[EntryRow]] = OrderedDict()

    @property
    def feed_id(self) -> int | None:
        """The feed listed, or None for a list across feeds."""
        return self.scope.feed_id

    def __len__(self) -> int:
        return self.count

    def get(self, index: int) -> EntryRow | None:
        """Return the row at ``index``, or None past either end."""
        if not 0 <= index < self.count:
            return None
        page = self._page(index // PAGE_SIZE)
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def cached(self, index: int) -> EntryRow | None:
        """Return the row at ``index`` if its page is in memory."""
        page = self._pages.get(index // PAGE_SIZE)
        offset = index % PAGE_SIZE
        return page[offset] if page is not None and offset < len(page) else None

    def update(self, entry_id: int, *, read: bool, starred: bool) -> int | None:
        """Change the flags of a cached row; return its index, or None when
        it is not cached."""
        for number, page in self._pages.items():
            for offset, row in enumerate(page):
                if row.id == entry_id:
                    page[offset] = replace(row, read=read, starred=starred)
                    return number * PAGE_SIZE + offset
        return None

    def locate(self, row: EntryRow) -> int | None:
        """Return the index of ``row``, found by its sort key, or None."""
        index = self.store.count_rows_before(self.scope, row.sort_key)
        found = self.get(index)
        return index if found is not None and found.id == row.id else None

    def locate_entry(self, entry_id: int) -> int | None:
        """Return the index of the entry with ``entry_id``, or None when this
        list does not contain it. Costs two queries, whatever the order."""
        key = self.store.entry_sort_key(entry_id, self.scope.order)
        if key is None:
            return None
        index = self.store.count_rows_before(self.scope, key)
        found = self.get(index)
        return index if found is not None and found.id == entry_id else None

    def next_unread(self, start: int, step: int) -> int | None:
        """Return the first unread index from ``start`` on, walking by
        ``step`` (1 or -1), or None.

        Rows in memory are checked first. Past them, one store query finds
        the next unread row and one count gives its index, however far it is.
        """
        index = start
        while 0 <= index < self.count:
            row = self.cached(index)
            if row is None:
                break
            if not row.read:
                return index
            index += step
        else:
            return None
        anchor_index = index - step
        anchor = self.get(anchor_index)
        target = self.store.find_unread_row(
            self.scope, None if anchor is None else anchor.sort_key, backward=step < 0
        )
        if target is None:
            return None
        if anchor is None:
            found = self.store.count_rows_before(self.scope, target.sort_key)
        else:
            between = self.store.count_rows_between(
                self.scope, anchor.sort_key, target.sort_key
            )
            found = anchor_index + step * (between + 1)
        row = self.get(found)
        if row is not None and row.id == target.id:
            return found
        # NOTE: a row read in this list but not in memory (an unread-only
        # list paged out) shifts the count; the slow walk is exact.
        return self._walk_unread(index, step)

    def _walk_unread(self, start: int, step: int) -> int | None:
        stop = self.count if step > 0 else -1
        for index in range(start, stop, step):
            row = self.get(index)
            if row is not None and not row.read:
                return index
        return None

    def _page(self, number: int) -> list[EntryRow]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        page = self._read_page(number)
        self._pages[number] = page
        if len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        return page

    def _read_page(self, number: int) -> list[EntryRow]:
        start = number * PAGE_SIZE
        size = min(PAGE_SIZE, self.count - start)
        previous = self._pages.get(number - 1)
        following = self._pages.get(number + 1)
        if previous is not None and len(previous) == PAGE_SIZE:
            return self.store.list_rows(
                self.scope, limit=size, after=previous[-1].sort_key
            )
        if following:
            rows = self.store.list_rows(
                self.scope, limit=size, after=following[0].sort_key, backward=True
            )
            return rows[::-1]
        from_end = self.count - start - size
        if start <= from_end:
            return self.store.list_rows(self.scope, limit=size, offset=start)
        rows = self.store.list_rows(
            self.scope, limit=size, offset=from_end, backward=True
        )
        return rows[::-1]


class RankedRows:
    """Rows already in memory, such as the best matches of a search."""

    def __init__(self, rows: Sequence[EntryRow]) -> None:
        self.rows = list(rows)
        self.scope: EntryScope | None = None
        self.feed_id: int | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, index: int) -> EntryRow | None:
        """Return the row at ``index``, or None past either end."""
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def update(self, entry_id: int, *, read: bool, starred: bool) -> int | None:
        """Change the flags of a row; return its index, or None."""
        for index, row in enumerate(self.rows):
            if row.id == entry_id:
                self.rows[index] = replace(row, read=read, starred=starred)
                return index
        return None

    def locate(self, row: EntryRow) -> int | None:
        """Return the index of the row with ``row.id``, or None."""
        for index, candidate in enumerate(self.rows):
            if candidate.id == row.id:
                return index
        return None

    def next_unread(self, start: int, step: int) -> int | None:
        """Return the first unread index from ``start`` on, or None."""
        stop = len(self.rows) if step > 0 else -1
        for index in range(start, stop, step):
            if not self.rows[index].read:
                return index
        return None
