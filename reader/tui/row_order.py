"""An entry list in the reverse order: oldest entries first."""

from __future__ import annotations

from reader.rows import EntryRow
from reader.tui.paging import RowSource


class OldestFirst:
    """The rows of another ``RowSource`` from its last to its first.

    Indexes are mapped, so the pages read stay those of the newest-first
    list and paging costs the same in both orders.
    """

    def __init__(self, source: RowSource) -> None:
        self.source = source

    @property
    def scope(self) -> object:
        """The scope of the wrapped list, if it has one."""
        return getattr(self.source, "scope", None)

    def __len__(self) -> int:
        return len(self.source)

    def _flip(self, index: int | None) -> int | None:
        return None if index is None else len(self.source) - 1 - index

    def get(self, index: int) -> EntryRow | None:
        """Return the row at ``index``, or None past either end."""
        if not 0 <= index < len(self.source):
            return None
        return self.source.get(len(self.source) - 1 - index)

    def update(self, entry_id: int, *, read: bool, starred: bool) -> int | None:
        """Change the flags of a loaded row; return its index, if loaded."""
        return self._flip(self.source.update(entry_id, read=read, starred=starred))

    def locate(self, row: EntryRow) -> int | None:
        """Return the index of ``row`` in this list, or None."""
        return self._flip(self.source.locate(row))

    def next_unread(self, start: int, step: int) -> int | None:
        """Return the first unread index from ``start`` on, walking by
        ``step`` (1 or -1), or None."""
        flipped = len(self.source) - 1 - start
        return self._flip(self.source.next_unread(flipped, -step))
