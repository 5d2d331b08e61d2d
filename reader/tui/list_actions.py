"""The entry list's contents: a feed list row's entries, in the chosen
order and unread-only filter, read again after changes."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.content import Content

from reader.models import Feed
from reader.tui.feed_rows import FeedRow, feed_row, row_status
from reader.tui.status import feed_status

if TYPE_CHECKING:
    from reader.sort_order import SortOrder
    from reader.store import Store
    from reader.tui.article import ArticleView
    from reader.tui.entry_list import EntryList
    from reader.tui.feed_list import FeedList
    from reader.tui.status import StatusLine


class ListActions:
    """The entry list's scope, order and unread-only filter, and reloading
    the panes after changes.

    A mixin: the app supplies the store, the panes and ``sort_order``.
    """

    unread_only = False
    """Whether entry lists show only unread entries (toggled with ``U``)."""

    def show_feed(self, feed: Feed) -> None:
        """List the feed's entries, unless they are listed already."""
        self.show_row(feed_row(feed))

    def show_row(self, row: FeedRow, *, again: bool = False) -> None:
        """List the entries of a feed list row (only the unread ones while
        ``unread_only``) and describe it in the status line, unless they are
        listed already and not ``again``."""
        entries = self.entry_list
        scope = replace(row.scope, order=self.sort_order)
        if self.unread_only:
            scope = replace(scope, unread_only=True)
        if entries.scope == scope and not entries.filter_text and not again:
            return
        entries.show_scope(self.store, scope)
        entries.border_title = Content(self._entries_title(row.title))
        entries.border_subtitle = None
        self.describe_row(row)

    def describe_row(self, row: FeedRow) -> None:
        """Describe a feed, folder or virtual feed in the status line."""
        if row.feed is not None:
            self.status.show(feed_status(row.feed, self.feed_list.host_pauses))
        else:
            self.status.show(row_status(row, self.entry_list.item_count()))

    def _entries_title(self, listed: str) -> str:
        title = f"Entries · {listed}"
        if self.sort_order == "title":
            title += " · by title"
        return f"{title} · unread only" if self.unread_only else title

    def action_toggle_sort(self) -> None:
        """Sort every entry list by title, or by date again, keeping the
        cursor on the same entry."""
        if self.entry_list.scope is None:
            self.status.show("Search results stay in order of relevance")
            return
        self.sort_order = "date" if self.sort_order == "title" else "title"
        self.entry_list.reorder(self.sort_order)
        row = self.feed_list.current_row
        if row is not None:
            self.entry_list.border_title = Content(self._entries_title(row.title))
        if self.sort_order == "title":
            self.status.show("Sorted by title, A to Z")
        else:
            self.status.show("Sorted by date, newest first")

    def action_toggle_unread_only(self) -> None:
        """List only unread entries, or every entry again, in every list."""
        self.unread_only = not self.unread_only
        row = self.feed_list.current_row
        if row is not None:
            self.show_row(row, again=True)
        self.status.show(
            "Listing unread entries only" if self.unread_only else "Listing every entry"
        )

    def reload_feeds(self, highlight_id: int | None) -> None:
        """Read the feed list again and highlight ``highlight_id`` (else the
        row highlighted now, if it is still there), listing its entries."""
        feeds = self.store.list_feeds()
        self.feed_list.set_feeds(feeds, highlight_id)
        row = self.feed_list.current_row
        if row is not None:
            self.show_row(row, again=True)
        if not feeds:
            self.article.show_notice("No feeds yet. Press a to add one.")

    def reload_entries(self) -> None:
        """Read the listed entries again after their state changed in bulk,
        keeping the cursor on the same entry."""
        current = self.entry_list.current_entry
        self.entry_list.reload(None if current is None else current.id)
        if self.article.entry is not None:
            self.article.update_header(self.store.get_entry(self.article.entry.id))

    def update_feed_row(self, feed_id: int, *, show_status: bool = True) -> None:
        """Redraw a feed's row after its counts or error changed, and describe
        it in the status line if it is highlighted and ``show_status``."""
        feed = self.store.get_feed(feed_id)
        self.feed_list.update_feed(feed)
        current = self.feed_list.current_feed
        if show_status and current is not None and current.id == feed_id:
            self.status.show(feed_status(feed, self.feed_list.host_pauses))

    if TYPE_CHECKING:
        store: Store
        sort_order: SortOrder

        @property
        def feed_list(self) -> FeedList: ...

        @property
        def entry_list(self) -> EntryList: ...

        @property
        def article(self) -> ArticleView: ...

        @property
        def status(self) -> StatusLine: ...
