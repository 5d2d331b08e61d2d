"""The rows the feed list shows and the lines each row takes.

A rule separates the virtual feeds from the others, and a feed whose last
refresh failed takes a second line for its error, so rows and lines differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from reader.tui.feed_rows import feed_row, tree_rows, virtual_rows

if TYPE_CHECKING:
    from reader.models import Feed
    from reader.store import Store
    from reader.tui.feed_rows import FeedRow


class FeedLines:
    """The rows of ``FeedList`` and the lines they take.

    A mixin: the list supplies the store, feeds, folders, filter, the
    ``collapsed`` set and the line tables it keeps.
    """

    def item_count(self) -> int:
        """Return the number of rows."""
        return len(self.rows)

    def line_count(self) -> int:
        """Return the number of lines, separator and errors included."""
        return len(self._lines)

    def item_at_line(self, y: int) -> tuple[int, int] | None:
        """Return (row, line within it) at line ``y``, or None."""
        return self._lines[y] if 0 <= y < len(self._lines) else None

    def item_span(self, index: int) -> tuple[int, int]:
        """Return (first line, height) of row ``index``."""
        if not 0 <= index < len(self._first_lines):
            return index, 1
        return self._first_lines[index], self.rows[index].height

    def _build(self) -> None:
        needle = self.filter_text.strip().casefold()
        rows = virtual_rows(self.store)
        if needle:
            rows += [feed_row(feed) for feed in self.feeds]
            rows = [row for row in rows if needle in row.title.casefold()]
        else:
            rows += tree_rows(self.feeds, self.folders, self.collapsed)
        self.rows = rows
        self._lines = []
        self._first_lines = []
        for index, row in enumerate(rows):
            previous = rows[index - 1] if index else None
            if previous is not None and previous.is_virtual and not row.is_virtual:
                self._lines.append(None)
            self._first_lines.append(len(self._lines))
            self._lines.extend((index, line) for line in range(row.height))
        self.resize_virtual()

    if TYPE_CHECKING:
        store: Store
        feeds: list[Feed]
        folders: Mapping[int, str | None]
        collapsed: set[str]
        filter_text: str
        rows: list[FeedRow]
        _lines: list[tuple[int, int] | None]
        _first_lines: list[int]

        def resize_virtual(self) -> None: ...
