"""The feed list: virtual feeds, saved searches, folders and every feed.

The list is drawn with the Line API, so a thousand feeds cost no more to
show than ten. A feed whose last refresh failed takes a second line for its
error, with when the next try is due or since when the feed is gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip

from reader.models import Feed, FeedRefreshed
from reader.store import Store, utc_now
from reader.tui.feed_folding import FolderKeys
from reader.tui.feed_rows import FeedRow, feed_row, tree_rows, virtual_rows
from reader.tui.feed_schedule import error_line, host_pause_until
from reader.tui.refresh_progress import Outcome, outcome
from reader.tui.virtual_list import VirtualList


class FeedList(FolderKeys, VirtualList):
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

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="feed.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="feed.cursor_up"),
        Binding("g,home", "first", "First", show=False, id="feed.first"),
        Binding("G,end", "last", "Last", show=False, id="feed.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="feed.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="feed.page_up"),
        Binding("enter", "select", "Entries", show=False, id="feed.select"),
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

    def show_refreshed(self, results: Sequence[FeedRefreshed]) -> None:
        """Redraw the rows of feeds that a running refresh finished, where
        what they show changed.

        Feeds on screen and feeds that failed are read again from the store.
        The others get their counts and error from ``results`` alone, which
        costs no query; the app reads every feed again when the run ends.
        """
        positions = {feed.id: number for number, feed in enumerate(self.feeds)}
        on_screen = self._feed_ids_on_screen()
        rebuild = False
        changed: list[int] = []
        for result in results:
            position = positions.get(result.feed_id)
            if position is None:
                continue
            old = self.feeds[position]
            read_again = result.feed_id in on_screen or result.error is not None
            new = self.store.get_feed(old.id) if read_again else _after(old, result)
            self.feeds[position] = new
            if _shown_fields(old) == _shown_fields(new):
                continue
            changed.append(new.id)
            heights_changed = (old.last_error is None) != (new.last_error is None)
            # A folder row sums its feeds' counts, so it is rebuilt too.
            in_folder = bool(self.folders.get(new.id)) and old.unread != new.unread
            rebuild = rebuild or heights_changed or in_folder
        if any(result.error is not None for result in results):
            self.host_pauses = self.store.host_pauses(utc_now())
        if rebuild:
            self._build()
            self.refresh()
        elif changed:
            self._redraw_rows(changed)

    def _redraw_rows(self, feed_ids: list[int]) -> None:
        feeds = {feed.id: feed for feed in self.feeds}
        indexes = {row.key: number for number, row in enumerate(self.rows)}
        for feed_id in feed_ids:
            index = indexes.get(f"feed:{feed_id}")
            if index is not None:
                self.rows[index] = feed_row(feeds[feed_id], self.rows[index].depth)
                self.refresh_item(index)
        for number, row in enumerate(virtual_rows(self.store)):
            if number < len(self.rows) and self.rows[number] != row:
                self.rows[number] = row
                self.refresh_item(number)

    def _feed_ids_on_screen(self) -> set[int]:
        top = self.scroll_offset.y
        on_screen = set()
        for line in range(top, top + self.scrollable_content_region.height):
            found = self.item_at_line(line)
            feed = None if found is None else self.rows[found[0]].feed
            if feed is not None:
                on_screen.add(feed.id)
        return on_screen

    def move_to_unread_feed(self, step: int) -> Feed | None:
        """Move to the next (``step`` 1) or previous (-1) feed with unread
        entries, from a feed or folder row only; return it, or None.
        Feeds inside folded folders are skipped."""
        row = self.current_row
        if row is None or row.is_virtual:
            return None
        stop = len(self.rows) if step > 0 else -1
        for index in range(self.cursor + step, stop, step):
            row = self.rows[index]
            if row.feed is not None and row.feed.unread:
                self.cursor = index
                return row.feed
        return None

    def row_text(self, index: int) -> str:
        """Return the plain text of row ``index``, one line per line."""
        height = self.item_span(index)[1]
        width = self.scrollable_content_region.width or 34
        return "\n".join(
            self.render_item_line(index, line, width).text for line in range(height)
        )

    # Line mapping

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


def _shown_fields(feed: Feed) -> tuple[object, ...]:
    """Return the fields of a feed that its row shows."""
    return (
        feed.title,
        feed.unread,
        feed.last_error,
        feed.gone_since,
        feed.next_refresh if feed.last_error else None,
    )


def _after(feed: Feed, result: FeedRefreshed) -> Feed:
    """Return ``feed`` as ``result`` likely left it: new entries are unread,
    and a fetch that worked clears the error. Exact values come from the
    store once the run ends."""
    unread = feed.unread + result.new
    total = feed.total + result.new
    if outcome(result) in (Outcome.UPDATED, Outcome.UNCHANGED):
        return replace(
            feed, unread=unread, total=total, last_error=None, gone_since=None
        )
    return replace(feed, unread=unread, total=total)
