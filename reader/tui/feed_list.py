"""The feed list: virtual feeds, saved searches, folders and every feed.

The list is drawn with the Line API, so a thousand feeds cost no more to
show than ten. A feed whose last refresh failed takes a second line for its
error, with when the next try is due or since when the feed is gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip

from reader.models import Feed
from reader.store import Store, utc_now
from reader.tui.feed_folding import FolderKeys
from reader.tui.feed_lines import FeedLines
from reader.tui.feed_refreshing import RefreshedRows
from reader.tui.feed_rows import FeedRow, feed_row, virtual_rows
from reader.tui.feed_schedule import error_line, host_pause_until
from reader.tui.main_screen import FooterKeys
from reader.tui.virtual_list import VirtualList


class FeedList(FooterKeys, FolderKeys, FeedLines, RefreshedRows, VirtualList):
    """Virtual feeds (All, Unread, Starred and saved searches), then the
    folders, each with its summed unread count and its feeds below it, then
    the feeds in no folder. Feeds are in title order. A filter lists the
    matching feeds without their folders.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `j`, `down` | `feed.cursor_down` | Move to the next feed |
    | `k`, `up` | `feed.cursor_up` | Move to the previous feed |
    | `g`, `home` | `feed.first` | Move to the first feed |
    | `G`, `end` | `feed.last` | Move to the last feed |
    | `pagedown` | `feed.page_down` | Move down one screen |
    | `pageup` | `feed.page_up` | Move up one screen |
    | `enter` | `feed.select` | Move the focus to the feed's entries |
    | `/` | `feed.filter` | Show only feeds whose title matches as you type |
    | `space` | `feed.toggle_folder` | Fold or unfold the highlighted folder |
    | `h`, `left` | `feed.collapse` | Fold the folder, or go to the feed's folder |
    | `l`, `right` | `feed.expand` | Unfold the highlighted folder |
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "feed-list--cursor",
        "feed-list--unread",
        "feed-list--count",
        "feed-list--error",
        "feed-list--virtual",
        "feed-list--folder",
        "feed-list--separator",
    }

    FOOTER_KEYS: ClassVar[tuple[str, ...]] = (
        "feed.select",
        "feed.refresh",
        "feed.add",
        "feed.toggle_folder",
        "feed.rename",
        "feed.move",
        "feed.remove",
        "feed.mark_all_read",
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="feed.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="feed.cursor_up"),
        Binding("g,home", "first", "First", show=False, id="feed.first"),
        Binding("G,end", "last", "Last", show=False, id="feed.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="feed.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="feed.page_up"),
        Binding("enter", "select", "Open", show=False, id="feed.select"),
        Binding("slash", "filter", "Filter", show=False, id="feed.filter"),
        Binding("space", "toggle_folder", "Fold", id="feed.toggle_folder"),
        Binding("h,left", "collapse", "Fold", show=False, id="feed.collapse"),
        Binding("l,right", "expand", "Unfold", show=False, id="feed.expand"),
    ]

    class RowHighlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, row: FeedRow) -> None:
            super().__init__()
            self.row = row

    class RowSelected(Message):
        """A row was chosen with Enter or a click."""

        def __init__(self, row: FeedRow) -> None:
            super().__init__()
            self.row = row

    class FilterRequested(Message):
        """The user pressed the filter key in the list."""

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.feeds: list[Feed] = []
        """Every subscribed feed in title order, filtered or not."""
        self.rows: list[FeedRow] = []
        """The rows shown: virtual ones first, then feeds matching the filter."""
        self.folders: dict[int, str | None] = {}
        """Folder name by feed id; None for a feed in no folder."""
        self.collapsed: set[str] = set()
        """Folders whose feeds and subfolders are hidden."""
        self.filter_text = ""
        self.host_pauses: dict[str, tuple[datetime, str]] = {}
        """Hosts paused by a 429 or 503 response: host -> (until, reason)."""
        self._lines: list[tuple[int, int] | None] = []
        self._first_lines: list[int] = []
        self._reported_key: str | None = None

    @property
    def current_row(self) -> FeedRow | None:
        """The highlighted row, if there is one."""
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def current_feed(self) -> Feed | None:
        """The highlighted feed, or None on a virtual feed."""
        row = self.current_row
        return None if row is None else row.feed

    def feed_index(self, feed_id: int) -> int | None:
        """Return the row of the feed with ``feed_id``, if it is shown."""
        return self._index_of(f"feed:{feed_id}")

    def set_feeds(self, feeds: Iterable[Feed], highlight_id: int | None) -> None:
        """Replace the feeds, and highlight ``highlight_id``, else the row
        highlighted before, else the first feed."""
        current = self.current_row
        self.feeds = list(feeds)
        self.folders = {
            feed_id: settings.folder
            for feed_id, settings in self.store.feed_settings().items()
        }
        self.host_pauses = self.store.host_pauses(utc_now())
        self._build()
        index = None if highlight_id is None else self.feed_index(highlight_id)
        if index is None and current is not None:
            index = self._index_of(current.key)
        if index is None:
            index = next((i for i, row in enumerate(self.rows) if row.feed), 0)
        self._move(index)

    def set_filter(self, text: str) -> None:
        """Show only feeds whose title contains ``text``, ignoring case."""
        if text == self.filter_text:
            return
        current = self.current_row
        self.filter_text = text
        self._build()
        index = None if current is None else self._index_of(current.key)
        self._move(0 if index is None else index)

    def update_feed(self, feed: Feed) -> None:
        """Redraw one feed's row with new counts or a new error, and the
        virtual feeds' counts."""
        position = next((i for i, f in enumerate(self.feeds) if f.id == feed.id), None)
        if position is None:
            return
        self.feeds[position] = feed
        index = self.feed_index(feed.id)
        virtual = virtual_rows(self.store)
        heights_changed = index is not None and (self.rows[index].error is None) != (
            feed.last_error is None
        )
        if heights_changed or self.folders.get(feed.id):
            # A folder row sums its feeds' counts, so it is rebuilt too.
            self._build()
            self.refresh()
            return
        if index is not None:
            self.rows[index] = feed_row(feed, self.rows[index].depth)
            self.refresh_item(index)
        for number, row in enumerate(virtual):
            if number < len(self.rows) and self.rows[number].key == row.key:
                self.rows[number] = row
                self.refresh_item(number)

    def row_text(self, index: int) -> str:
        """Return the plain text of row ``index``, one line per line."""
        height = self.item_span(index)[1]
        width = self.scrollable_content_region.width or 34
        return "\n".join(
            self.render_item_line(index, line, width).text for line in range(height)
        )

    def show_folder(self, folder: str) -> None:
        """Move the cursor to the row of ``folder``, if it is shown."""
        index = self._index_of(f"folder:{folder}")
        if index is not None:
            self._move(index)

    def _index_of(self, key: str) -> int | None:
        return next((i for i, row in enumerate(self.rows) if row.key == key), None)

    def _move(self, index: int) -> None:
        self.cursor = index
        self.refresh()

    # Events

    def item_moved(self, previous: int, index: int) -> None:
        """Report the highlighted row when it is another one than before."""
        row = self.current_row
        if row is not None and row.key != self._reported_key:
            self._reported_key = row.key
            self.post_message(self.RowHighlighted(row))

    def action_select(self) -> None:
        """Post RowSelected for the highlighted row."""
        row = self.current_row
        if row is not None:
            self.post_message(self.RowSelected(row))

    def action_filter(self) -> None:
        """Ask the app for the filter prompt."""
        self.post_message(self.FilterRequested())

    def on_click(self, event: events.Click) -> None:
        """Highlight the clicked row and select it."""
        index = self.item_at_click(event)
        if index is not None:
            self.cursor = index
            self.action_select()

    # Drawing

    def render_gap(self, y: int, width: int) -> Strip:
        """Draw the rule between virtual feeds and feeds."""
        if y >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        style = self.get_visual_style("feed-list--separator")
        rule = Content("─" * width)
        return Strip(rule.render_segments(style), width)

    def render_item_line(self, index: int, line: int, width: int) -> Strip:
        """Draw line ``line`` of row ``index``."""
        row = self.rows[index]
        classes = ["feed-list--cursor"] if index == self.cursor else []
        if line == 0:
            content = self._title_line(row, width)
        else:
            error = self.get_visual_style("feed-list--error", partial=True)
            text = self._error_line(row.feed) if row.feed else None
            content = Content("  ") + Content.styled(text or "", error)
        content = content.truncate(width, ellipsis=True, pad=True)
        return Strip(content.render_segments(self.get_visual_style(*classes)), width)

    def _title_line(self, row: FeedRow, width: int) -> Content:
        count = "" if not row.count else str(row.count)
        title_style = ""
        if row.folder is not None:
            title_style = self.get_visual_style("feed-list--folder", partial=True)
        elif row.feed is None:
            title_style = self.get_visual_style("feed-list--virtual", partial=True)
        elif row.count:
            title_style = self.get_visual_style("feed-list--unread", partial=True)
        error = self.get_visual_style("feed-list--error", partial=True)
        marker = Content.styled("✗ ", error) if row.error else Content("  ")
        # Feeds sit under their folder's name, past its fold marker.
        indent = "  " * (row.depth + (row.feed is not None and row.depth > 0))
        title = Content(indent) + Content.styled(row.icon + row.title, title_style)
        title_width = max(1, width - 2 - len(count) - 1)
        counter = self.get_visual_style("feed-list--count", partial=True)
        return Content("").join(
            [
                marker,
                title.truncate(title_width, ellipsis=True, pad=True),
                Content(" "),
                Content.styled(count, counter),
            ]
        )

    def _error_line(self, feed: Feed) -> str | None:
        paused_until = host_pause_until(feed, self.host_pauses)
        return error_line(feed, datetime.now(UTC), paused_until)
