"""The entry list: one row per entry of the selected feed, drawn on demand."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip

from reader.listing import EntryScope
from reader.models import Entry
from reader.rows import EntryRow
from reader.sort_order import SortOrder
from reader.store import Store
from reader.tui.formatting import display_line, local_date
from reader.tui.main_screen import FooterKeys
from reader.tui.paging import EntryPages, RankedRows, RowSource
from reader.tui.virtual_list import VirtualList

FEED_COLUMN = 18
"""Cells given to the feed title in lists that span feeds."""


class EntryList(FooterKeys, VirtualList):
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
    | `/` | `entry.filter` | Show only entries matching words as you type |
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "entry-list--unread",
        "entry-list--read",
        "entry-list--cursor",
        "entry-list--marker",
        "entry-list--star",
        "entry-list--date",
        "entry-list--feed",
    }

    FOOTER_KEYS: ClassVar[tuple[str, ...]] = (
        "entry.open",
        "entry.toggle_read",
        "entry.toggle_starred",
        "entry.sort",
        "entry.next_unread",
        "entry.unread_only",
        "entry.filter",
        "entry.open_link",
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="entry.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="entry.cursor_up"),
        Binding("g,home", "first", "First", show=False, id="entry.first"),
        Binding("G,end", "last", "Last", show=False, id="entry.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="entry.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="entry.page_up"),
        Binding("enter", "open", "Open", id="entry.open"),
        Binding("slash", "filter", "Filter", show=False, id="entry.filter"),
    ]

    class Selected(Message):
        """An entry was chosen with Enter or a click."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    class FilterRequested(Message):
        """The user pressed the filter key in the list."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store: Store | None = None
        self.pages: RowSource | None = None
        self.filter_text = ""
        """Words the list is filtered by, as typed; empty for no filter."""
        self._scope: EntryScope | None = None

    @property
    def scope(self) -> EntryScope | None:
        """The entries listed before any filter, or None for search results."""
        return self._scope

    @property
    def current_row(self) -> EntryRow | None:
        """The row under the cursor, if the list has any."""
        return None if self.pages is None else self.pages.get(self.cursor)

    @property
    def current_entry(self) -> Entry | None:
        """The entry under the cursor, read whole from the store."""
        row = self.current_row
        if row is None or self.store is None:
            return None
        return self.store.get_entry(row.id)

    def show_scope(self, store: Store, scope: EntryScope) -> None:
        """List the entries of ``scope``, unfiltered, from the first row."""
        self.store = store
        self._scope = scope
        self.filter_text = ""
        self._show(EntryPages(store, scope))

    def reorder(self, order: SortOrder) -> None:
        """List the same entries in ``order``, keeping the filter and the
        entry under the cursor. Search results keep their order of relevance."""
        if self.store is None or self._scope is None:
            return
        current = self.current_row
        self._scope = replace(self._scope, order=order)
        scope = self._scope
        if self.filter_text.strip():
            scope = replace(scope, search=self.filter_text)
        pages = EntryPages(self.store, scope)
        self._show(pages)
        index = None if current is None else pages.locate_entry(current.id)
        if index is not None:
            self.cursor = index

    def show_feed(self, store: Store, feed_id: int | None) -> None:
        """List the entries of ``feed_id`` (every feed when None)."""
        self.show_scope(store, EntryScope(feed_id=feed_id))

    def show_rows(self, store: Store, rows: RankedRows, cursor: int = 0) -> None:
        """List rows already read, such as search results, in their order."""
        self.store = store
        self._scope = None
        self.filter_text = ""
        self._show(rows, cursor)

    def set_filter(self, text: str) -> None:
        """Show only the listed entries that match ``text`` (see
        ``reader.search``); an empty text shows them all again."""
        if self.store is None or self._scope is None or text == self.filter_text:
            return
        self.filter_text = text
        scope = self._scope
        if text.strip():
            scope = replace(scope, search=text)
        self._show(EntryPages(self.store, scope))

    def _show(self, source: RowSource, cursor: int = 0) -> None:
        self.pages = source
        self.resize_virtual()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.cursor = cursor
        self.refresh()

    def reload(self, keep_entry_id: int | None = None) -> None:
        """Read the list again after a refresh, keeping the cursor on the
        entry with ``keep_entry_id`` while it is still listed."""
        if self.store is None or not isinstance(self.pages, EntryPages):
            return
        kept = self.current_row
        self.pages = EntryPages(self.store, self.pages.scope)
        self.resize_virtual()
        index = None
        if kept is not None and kept.id == keep_entry_id:
            index = self.pages.locate(kept)
        self.cursor = 0 if index is None else index
        self.refresh()

    def update_entry(self, entry: Entry) -> None:
        """Redraw the row of a changed copy of an entry, if it is loaded."""
        if self.pages is None:
            return
        index = self.pages.update(entry.id, read=entry.read, starred=entry.starred)
        if index is not None:
            self.refresh_item(index)

    def move_to_unread(self, step: int) -> EntryRow | None:
        """Move to the next (``step`` 1) or previous (-1) unread entry.

        Moving forward starts at the cursor row itself when that entry is
        unread, because an unread entry has never been opened.
        """
        if self.pages is None:
            return None
        current = self.current_row
        start = self.cursor + step
        if step > 0 and current is not None and not current.read:
            start = self.cursor
        index = self.pages.next_unread(start, step)
        if index is None:
            return None
        self.cursor = index
        return self.pages.get(index)

    def item_count(self) -> int:
        """Return the number of listed entries."""
        return 0 if self.pages is None else len(self.pages)

    def action_open(self) -> None:
        """Post Selected for the entry under the cursor."""
        entry = self.current_entry
        if entry is not None:
            self.post_message(self.Selected(entry))

    def action_filter(self) -> None:
        """Ask the app for the filter prompt."""
        self.post_message(self.FilterRequested())

    def on_click(self, event: events.Click) -> None:
        """Move to the clicked row and open its entry."""
        index = self.item_at_click(event)
        if index is not None:
            self.cursor = index
            self.action_open()

    def render_item_line(self, index: int, line: int, width: int) -> Strip:
        """Render the row of entry ``index``, reading its page if needed."""
        row = None if self.pages is None else self.pages.get(index)
        if row is None:
            return Strip.blank(width, self.rich_style)
        classes = ["entry-list--read" if row.read else "entry-list--unread"]
        if index == self.cursor:
            classes.append("entry-list--cursor")
        content = self._row(row).truncate(width, ellipsis=True, pad=True)
        return Strip(content.render_segments(self.get_visual_style(*classes)), width)

    def _row(self, row: EntryRow) -> Content:
        marker = self.get_visual_style("entry-list--marker", partial=True)
        star = self.get_visual_style("entry-list--star", partial=True)
        date = self.get_visual_style("entry-list--date", partial=True)
        parts = [
            Content.styled(" ● " if not row.read else "   ", marker),
            Content.styled("★ " if row.starred else "  ", star),
            Content.styled(local_date(row.date), date),
            Content("  "),
        ]
        if self._scope is None or self._scope.feed_id is None:
            feed = self.get_visual_style("entry-list--feed", partial=True)
            title = Content.styled(display_line(row.feed_title), feed)
            parts += [
                title.truncate(FEED_COLUMN, ellipsis=True, pad=True),
                Content("  "),
            ]
        parts.append(Content(display_line(row.title) or "(untitled)"))
        return Content("").join(parts)
