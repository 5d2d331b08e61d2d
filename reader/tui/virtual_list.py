"""A list that draws only the rows on screen, for lists of any length.

Subclasses give the number of items and draw one line of an item. The
base class keeps a cursor, scrolls it into view and moves it. Items are one
line high unless a subclass maps lines to items itself.
"""

from __future__ import annotations

from textual import events
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class VirtualList(ScrollView, can_focus=True):
    """A cursor over items drawn with the Line API.

    Subclasses implement ``item_count`` and ``render_item_line`` and define
    the key bindings, whose actions are the ``action_*`` methods here.
    """

    cursor: reactive[int] = reactive(0, always_update=True)
    """Index of the highlighted item."""

    def item_count(self) -> int:
        """Return the number of items."""
        raise NotImplementedError

    def render_item_line(self, index: int, line: int, width: int) -> Strip:
        """Render line ``line`` of item ``index`` at ``width`` cells."""
        raise NotImplementedError

    def render_gap(self, y: int, width: int) -> Strip:
        """Render a virtual line that belongs to no item."""
        return Strip.blank(width, self.rich_style)

    def line_count(self) -> int:
        """Return the number of virtual lines, one per item by default."""
        return self.item_count()

    def item_at_line(self, y: int) -> tuple[int, int] | None:
        """Return (item, line within it) at virtual line ``y``, or None."""
        return (y, 0) if 0 <= y < self.item_count() else None

    def item_span(self, index: int) -> tuple[int, int]:
        """Return (first virtual line, height) of item ``index``."""
        return index, 1

    def item_moved(self, previous: int, index: int) -> None:
        """React to the cursor moving, after the redraw is queued."""

    def validate_cursor(self, cursor: int) -> int:
        """Keep the cursor on an item."""
        return max(0, min(cursor, self.item_count() - 1))

    def watch_cursor(self, previous: int, cursor: int) -> None:
        """Redraw both items, scroll the new one into view and report it."""
        self.refresh_item(previous)
        self.refresh_item(cursor)
        self.scroll_to_cursor()
        self.item_moved(previous, cursor)

    def scroll_to_cursor(self) -> None:
        """Scroll as little as needed to show the cursor's item."""
        if not self.size.height:
            # Not laid out yet: scrolling now would put the item at the top
            # of an empty window. ``on_resize`` scrolls once the size is known.
            return
        first, height = self.item_span(self.cursor)
        self.scroll_to_region(
            Region(0, first, max(1, self.size.width), height),
            animate=False,
            force=True,
            immediate=True,
        )

    def refresh_item(self, index: int) -> None:
        """Redraw the lines of item ``index``."""
        first, height = self.item_span(index)
        self.refresh_lines(first, height)

    def resize_virtual(self) -> None:
        """Match the scrollable size to the items and the current width."""
        size = Size(self.scrollable_content_region.width, self.line_count())
        if size == self.virtual_size:
            return
        window = self.scrollable_content_region.height
        if (
            size.width == self.virtual_size.width
            and self.show_vertical_scrollbar
            and size.height > window
        ):
            # Setting ``virtual_size`` requests a layout, which repaints the
            # whole screen. While the vertical scrollbar stays, only this
            # widget and its scrollbar change, so they are updated alone.
            self.set_reactive(VirtualList.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = size.height
            if self.scroll_y > self.max_scroll_y:
                self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
            self.refresh()
            return
        self.virtual_size = size

    def on_resize(self, _: events.Resize) -> None:
        """Match the virtual width to the new width; keep the cursor shown."""
        self.resize_virtual()
        self.scroll_to_cursor()

    def render_line(self, y: int) -> Strip:
        """Render screen row ``y``."""
        line = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        found = self.item_at_line(line)
        if found is None:
            return self.render_gap(line, width)
        return self.render_item_line(found[0], found[1], width)

    def item_at_click(self, event: events.Click) -> int | None:
        """Return the item under a click, if any."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        found = self.item_at_line(self.scroll_offset.y + offset.y)
        return None if found is None else found[0]

    def page_height(self) -> int:
        """Return the number of lines a page move covers."""
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        """Move the cursor to the next item."""
        self.cursor += 1

    def action_cursor_up(self) -> None:
        """Move the cursor to the previous item."""
        self.cursor -= 1

    def action_first(self) -> None:
        """Move the cursor to the first item."""
        self.cursor = 0

    def action_last(self) -> None:
        """Move the cursor to the last item."""
        self.cursor = self.item_count() - 1

    def action_page_down(self) -> None:
        """Move the cursor down by one screen."""
        self.cursor += self.page_height()

    def action_page_up(self) -> None:
        """Move the cursor up by one screen."""
        self.cursor -= self.page_height()
