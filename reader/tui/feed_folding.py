"""Folding in the feed list: fold, unfold, go up to a folder, and unfold
the folders of the next feed with unread entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from reader.tui.feed_rows import tree_rows
from reader.tui.folder_tree import SEPARATOR

if TYPE_CHECKING:
    from reader.models import Feed
    from reader.tui.feed_rows import FeedRow


class FolderKeys:
    """The folder actions of ``FeedList``.

    A mixin: the list supplies its feeds, folders, rows, cursor, filter,
    ``collapsed`` set and the ``_build``, ``_index_of`` and ``_move`` methods.
    """

    def move_to_unread_feed(self, step: int) -> Feed | None:
        """Move to the next (``step`` 1) or previous (-1) feed with unread
        entries, from a feed or folder row only; return it, or None.

        Feeds inside folded folders count too, and their folders unfold so
        the cursor can rest on them.
        """
        row = self.current_row
        if row is None or row.is_virtual:
            return None
        rows = self.rows
        if not self.filter_text.strip():
            # A filtered list shows every matching feed already, unfolded.
            rows = tree_rows(self.feeds, self.folders, set())
        start = next((i for i, shown in enumerate(rows) if shown.key == row.key), None)
        if start is None:
            return None
        stop = len(rows) if step > 0 else -1
        for index in range(start + step, stop, step):
            target = rows[index].feed
            if target is not None and target.unread:
                self._unfold_folders_of(target.id)
                found = self._index_of(rows[index].key)
                if found is not None:
                    self._move(found)
                return target
        return None

    def _unfold_folders_of(self, feed_id: int) -> None:
        folder = self.folders.get(feed_id)
        if folder is None:
            return
        parts = folder.split(SEPARATOR)
        names = {SEPARATOR.join(parts[: depth + 1]) for depth in range(len(parts))}
        if names & self.collapsed:
            self.collapsed -= names
            self._build()

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
        feeds: list[Feed]
        folders: Mapping[int, str | None]
        filter_text: str
        rows: list[FeedRow]
        cursor: int
        collapsed: set[str]

        @property
        def current_row(self) -> FeedRow | None: ...

        def _build(self) -> None: ...

        def _index_of(self, key: str) -> int | None: ...

        def _move(self, index: int) -> None: ...
