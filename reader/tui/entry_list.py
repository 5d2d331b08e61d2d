"""The entry list: one row per entry of the selected feed, drawn on demand."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.models import Entry
from reader.store import Store
from reader.tui.formatting import display_line, local_date
from reader.tui.paging import EntryPages


class EntryList(ScrollView, can_focus=True):
    """A virtual list of entries: only the rows on screen are rendered, and
    only the pages that hold them are read from the store.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `j`, `down` | `entry.cursor_down` | Move to the next entry |
    | `k`, `up` | `entry.cursor_up` | Move to the previous entry |
    | `g`, `home` | `entry.first` | Move to the first entry |
    | `G`, `end` | `entry.last` | Move to the last entry |
    | `pagedown` | `entry.page_down` | Move down one screen |
    | `pageup` | `entry.page_up` | Move up one screen |
    | `enter` | `entry.open` | Open the entry in the article pane |
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "entry-list--unread",
        "entry-list--read",
        "entry-list--cursor",
        "entry-list--marker",
        "entry-list--star",
        "entry-list--date",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="entry.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="entry.cursor_up"),
        Binding("g,home", "first", "First", show=False, id="entry.first"),
        Binding("G,end", "last", "Last", show=False, id="entry.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="entry.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="entry.page_up"),
        Binding("enter", "open", "Open", id="entry.open"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)
    """Index of the highlighted row."""

    class Selected(Message):
        """An entry was chosen with Enter or a click."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pages: EntryPages | None = None

    @property
    def current_entry(self) -> Entry | None:
        """The entry under the cursor, if the list has any."""
        return None if self.pages is None else self.pages.get(self.cursor)

    def show_feed(self, store: Store, feed_id: int | None) -> None:
        """List the entries of ``feed_id`` and put the cursor on the first."""
        self.pages = EntryPages(store, feed_id)
        self._resize_virtual()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.cursor = 0

    def reload(self, keep_entry_id: int | None, search_limit: int) -> None:
        """Read the list again after a refresh, keeping the cursor on the
        entry with ``keep_entry_id`` if it is among the first
        ``search_limit`` rows."""
        if self.pages is None:
            return
        self.pages = EntryPages(self.pages.store, self.pages.feed_id)
        self._resize_virtual()
        index = None
        if keep_entry_id is not None:
            index = self.pages.find(keep_entry_id, search_limit)
        self.cursor = 0 if index is None else index
        self.refresh()

    def update_entry(self, entry: Entry) -> None:
        """Redraw the row of a changed copy of an entry, if it is loaded."""
        index = None if self.pages is None else self.pages.update(entry)
        if index is not None:
            self.refresh_line(index)

    def move_to_unread(self, step: int) -> Entry | None:
        """Move to the next (``step`` 1) or previous (-1) unread entry.

        Moving forward starts at the cursor row itself when that entry is
        unread, because an unread entry has never been opened.
        """
        if self.pages is None:
            return None
        current = self.current_entry
        start = self.cursor + step
        if step > 0 and current is not None and not current.read:
            start = self.cursor
        index = self.pages.next_unread(start, step)
        if index is None:
            return None
        self.cursor = index
        return self.pages.get(index)

    def validate_cursor(self, cursor: int) -> int:
        """Keep the cursor on a row."""
        count = 0 if self.pages is None else len(self.pages)
        return max(0, min(cursor, count - 1))

    def watch_cursor(self, previous: int, cursor: int) -> None:
        """Redraw both rows and scroll the new one into view."""
        self.refresh_line(previous)
        self.refresh_line(cursor)
        self.scroll_to_region(
            Region(0, cursor, max(1, self.size.width), 1),
            animate=False,
            force=True,
            immediate=True,
        )

    def action_cursor_down(self) -> None:
        """Move the cursor one row down."""
        self.cursor += 1

    def action_cursor_up(self) -> None:
        """Move the cursor one row up."""
        self.cursor -= 1

    def action_first(self) -> None:
        """Move the cursor to the first row."""
        self.cursor = 0

    def action_last(self) -> None:
        """Move the cursor to the last row."""
        self.cursor = len(self.pages) - 1 if self.pages else 0

    def action_page_down(self) -> None:
        """Move the cursor down by one screen."""
        self.cursor += max(1, self.scrollable_content_region.height - 1)

    def action_page_up(self) -> None:
        """Move the cursor up by one screen."""
        self.cursor -= max(1, self.scrollable_content_region.height - 1)

    def action_open(self) -> None:
        """Post Selected for the entry under the cursor."""
        entry = self.current_entry
        if entry is not None:
            self.post_message(self.Selected(entry))

    def on_click(self, event: events.Click) -> None:
        """Move to the clicked row and open its entry."""
        offset = event.get_content_offset(self)
        if offset is None or self.pages is None:
            return
        index = self.scroll_offset.y + offset.y
        if index < len(self.pages):
            self.cursor = index
            self.action_open()

    def on_resize(self, _: events.Resize) -> None:
        """Match the virtual width to the new width."""
        self._resize_virtual()

    def render_line(self, y: int) -> Strip:
        """Render screen row ``y``, reading its page from the store if needed."""
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        entry = None if self.pages is None else self.pages.get(index)
        if entry is None:
            return Strip.blank(width, self.rich_style)
        classes = ["entry-list--read" if entry.read else "entry-list--unread"]
        if index == self.cursor:
            classes.append("entry-list--cursor")
        row = self._row(entry).truncate(width, ellipsis=True, pad=True)
        return Strip(row.render_segments(self.get_visual_style(*classes)), width)

    def _row(self, entry: Entry) -> Content:
        marker = self.get_visual_style("entry-list--marker", partial=True)
        star = self.get_visual_style("entry-list--star", partial=True)
        date = self.get_visual_style("entry-list--date", partial=True)
        moment = entry.date or entry.first_seen
        return Content.assemble(
            (" ● " if not entry.read else "   ", marker),
            ("★ " if entry.starred else "  ", star),
            (local_date(moment), date),
            "  ",
            display_line(entry.title) or "(untitled)",
        )

    def _resize_virtual(self) -> None:
        count = 0 if self.pages is None else len(self.pages)
        self.virtual_size = Size(self.scrollable_content_region.width, count)
