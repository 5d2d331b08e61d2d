"""The ``/`` filter and the search screen, as actions of ``TidingsApp``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from reader.tui.entry_list import EntryList
from reader.tui.feed_list import FeedList
from reader.tui.filter_bar import FilterBar
from reader.tui.formatting import counted, display_line
from reader.tui.paging import RankedRows
from reader.tui.search_screen import TYPING_PAUSE, SearchChoice, SearchScreen

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.screen import Screen
    from textual.timer import Timer

    from reader.models import Entry
    from reader.store import Store
    from reader.tui.feed_rows import FeedRow
    from reader.tui.status import StatusLine

ENTRY_FILTER_HINT = 'filter entries: words, "a phrase", -word (Esc clears)'
FEED_FILTER_HINT = "filter feeds by title (Esc clears)"


class SearchActions:
    """The filter prompt and the search screen, a mixin of the app. The
    app supplies the store, the panes and ``open_entry``."""

    _filter_target: EntryList | FeedList | None = None
    _filter_timer: Timer | None = None

    def on_entry_list_filter_requested(self, event: EntryList.FilterRequested) -> None:
        """Open the filter prompt for the entry list."""
        event.stop()
        if self.entry_list.scope is None:
            self.status.show("Search results cannot be filtered; search again")
            return
        # Entries changed outside a refresh become searchable first.
        self.store.update_search_index()
        self._open_filter(self.entry_list, ENTRY_FILTER_HINT)

    def on_feed_list_filter_requested(self, event: FeedList.FilterRequested) -> None:
        """Open the filter prompt for the feed list."""
        event.stop()
        self._open_filter(self.feed_list, FEED_FILTER_HINT)

    def _open_filter(self, target: EntryList | FeedList, hint: str) -> None:
        self._filter_target = target
        self.filter_bar.open(target.filter_text, hint)

    def on_filter_bar_text_changed(self, event: FilterBar.TextChanged) -> None:
        """Filter the target list by the new text. Entries are filtered
        once typing pauses, because each change of their filter is a search."""
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        if self._filter_target is self.entry_list and event.text:
            self._filter_timer = self.set_timer(
                TYPING_PAUSE, lambda: self._apply_filter(event.text)
            )
        else:
            self._apply_filter(event.text)

    def _apply_filter(self, text: str) -> None:
        target = self._filter_target
        if target is None:
            return
        target.set_filter(text)
        text = display_line(text)
        target.border_subtitle = Content(f"/{text}") if text.strip() else None
        if target is not self.entry_list:
            return
        if text.strip():
            count = target.item_count()
            self.status.show(counted(count, "entry matches", "entries match"))
            return
        # The count of matches ends with the filter.
        row = self.feed_list.current_row
        if row is not None:
            self.describe_row(row)

    def on_filter_bar_closed(self, event: FilterBar.Closed) -> None:
        """Give the focus back to the filtered list."""
        if self._filter_target is not None:
            self._filter_target.focus()

    def action_search(self) -> None:
        """Open the search screen."""
        self.push_screen(SearchScreen(self.store), self._search_closed)

    def _search_closed(self, choice: SearchChoice | None) -> None:
        # A search saved on the screen becomes a row of the feed list.
        self.feed_list.set_feeds(self.feed_list.feeds, None)
        if choice is None:
            return
        entries = self.entry_list
        entries.show_rows(self.store, RankedRows(choice.rows), choice.index)
        entries.border_title = Content(
            f"Entries · Search: {display_line(choice.query)}"
        )
        entries.border_subtitle = None
        # The status line described the highlighted feed, which the list
        # no longer shows.
        results = counted(len(choice.rows), "result", "results")
        self.status.show(f"Search {display_line(choice.query)!r}: {results} listed")
        entries.focus()
        entry = entries.current_entry
        if entry is not None:
            self.open_entry(entry)

    if TYPE_CHECKING:
        store: Store

        @property
        def feed_list(self) -> FeedList: ...

        @property
        def entry_list(self) -> EntryList: ...

        @property
        def filter_bar(self) -> FilterBar: ...

        @property
        def status(self) -> StatusLine: ...

        def open_entry(self, entry: Entry) -> None: ...

        def describe_row(self, row: FeedRow) -> None: ...

        def set_timer(self, delay: float, callback: Callable[[], None]) -> Timer: ...

        def push_screen(
            self, screen: Screen[SearchChoice | None], callback: object
        ) -> object: ...
