"""Folding keys of the feed list: fold, unfold, and go up to a folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.tui.feed_rows import FeedRow


class FolderKeys:
    """The folder actions of ``FeedList``.

    A mixin: the list supplies its rows, cursor, ``collapsed`` set and the
    ``_build``, ``_index_of`` and ``_move`` methods.
    """

    def action_toggle_folder(self) -> None:
        """Fold the highlighted folder if it is unfolded, else unfold it."""
        row = self.current_row
        if row is not None and row.folder is not None:
            self._set_folded(row.folder, row.folder not in self.collapsed)

    def action_collapse(self) -> None:
        """Fold the highlighted folder, or move from a feed to its folder."""
        row = self.current_row
        if row is None:
            return
        if row.folder is not None and row.folder not in self.collapsed:
            self._set_folded(row.folder, True)
            return
        for index in range(self.cursor - 1, -1, -1):
            above = self.rows[index]
            if above.folder is not None and above.depth < row.depth:
                self.cursor = index
                return

    def action_expand(self) -> None:
        """Unfold the highlighted folder."""
        row = self.current_row
        if row is not None and row.folder is not None:
            self._set_folded(row.folder, False)

    def _set_folded(self, folder: str, folded: bool) -> None:
        if folded:
            self.collapsed.add(folder)
        else:
            self.collapsed.discard(folder)
        self._build()
        index = self._index_of(f"folder:{folder}")
        self._move(self.cursor if index is None else index)

    if TYPE_CHECKING:
        rows: list[FeedRow]
        cursor: int
        collapsed: set[str]

        @property
        def current_row(self) -> FeedRow | None: ...

        def _build(self) -> None: ...

        def _index_of(self, key: str) -> int | None: ...

        def _move(self, index: int) -> None: ...
