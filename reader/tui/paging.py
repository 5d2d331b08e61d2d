"""Random access to one feed's entries, fetched from the store a page at a time.

The entry list asks for rows by index as they scroll into view; only the
pages that hold those rows are read, so a feed of 100,000 entries opens with
one count and one page query.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from reader.models import Entry
from reader.store import Store

PAGE_SIZE = 100
"""Entries read per query; a screen shows fewer rows than this."""

MAX_CACHED_PAGES = 32
"""Pages kept in memory, least recently used dropped first."""


class EntryPages:
    """The entries of one feed (or of every feed) in the store's order."""

    def __init__(self, store: Store, feed_id: int | None) -> None:
        self.store = store
        self.feed_id = feed_id
        self.count = store.count_entries(feed_id)
        self._pages: OrderedDict[int, list[Entry]] = OrderedDict()

    def __len__(self) -> int:
        return self.count

    def get(self, index: int) -> Entry | None:
        """Return the entry at ``index``, or None past either end."""
        if not 0 <= index < self.count:
            return None
        page = self._page(index // PAGE_SIZE)
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def update(self, entry: Entry) -> int | None:
        """Put a changed copy of an entry (read or starred) in the cached
        pages; return its index, or None when it is not cached."""
        for number, page in self._pages.items():
            for offset, cached in enumerate(page):
                if cached.id == entry.id:
                    page[offset] = entry
                    return number * PAGE_SIZE + offset
        return None

    def find(self, entry_id: int, limit: int) -> int | None:
        """Return the index of the entry with ``entry_id`` among the first
        ``limit`` entries, or None."""
        for index, entry in self._walk(0, min(limit, self.count), 1):
            if entry.id == entry_id:
                return index
        return None

    def next_unread(self, start: int, step: int) -> int | None:
        """Return the index of the first unread entry from ``start`` on,
        walking forward (``step`` 1) or backward (-1), or None."""
        # NOTE: the walk reads page after page, so a lone unread entry far
        # from the cursor in a feed of 100,000 costs up to 1,000 page queries.
        # A store query for the position of the next unread entry would not.
        if self.store.count_entries(self.feed_id, unread_only=True) == 0:
            return None
        stop = self.count if step > 0 else -1
        for index, entry in self._walk(start, stop, step):
            if not entry.read:
                return index
        return None

    def _walk(self, start: int, stop: int, step: int) -> Iterator[tuple[int, Entry]]:
        for index in range(start, stop, step):
            entry = self.get(index)
            if entry is not None:
                yield index, entry

    def _page(self, number: int) -> list[Entry]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        page = self.store.list_entries(
            self.feed_id, limit=PAGE_SIZE, offset=number * PAGE_SIZE
        )
        self._pages[number] = page
        if len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        return page
