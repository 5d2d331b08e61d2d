"""The search screen: full-text search across every cached entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from reader.models import TidingsError
from reader.rows import EntryRow
from reader.search import match_expression
from reader.store import Store
from reader.tui.entry_list import EntryList
from reader.tui.paging import RankedRows

RESULT_LIMIT = 500
"""Best matches listed; the summary line gives the number of all matches."""

TYPING_PAUSE = 0.08
"""Seconds without a key press before a search runs, so a fast typist does
not wait for a search per letter."""


@dataclass(frozen=True, slots=True)
class SearchChoice:
    """An entry chosen among search results, with the results around it."""

    query: str
    rows: tuple[EntryRow, ...]
    index: int


class SearchScreen(Screen[SearchChoice | None]):
    """Type words, see the best matches ranked by relevance then date.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `enter` | | In the prompt: move to the results; in them: open the entry |
    | `ctrl+s` | `search.save` | Save the search as a virtual feed |
    | `escape` | `search.close` | Go back without opening an entry |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save search", id="search.save"),
        Binding("escape", "close", "Back", id="search.close"),
    ]

    def __init__(self, store: Store, query: str = "") -> None:
        super().__init__()
        self.store = store
        self.query_text = query
        self._rows: tuple[EntryRow, ...] = ()
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        """Put the prompt above the summary and the results."""
        yield Input(
            self.query_text,
            placeholder='words, "a phrase", title:word, author:name, -word',
            id="search-input",
        )
        yield Static(id="search-summary", markup=False)
        yield EntryList(id="search-results")
        yield Footer()

    @property
    def summary(self) -> str:
        """The summary line as plain text."""
        return str(self.query_one("#search-summary", Static).content)

    @property
    def results(self) -> EntryList:
        """The result list."""
        return self.query_one("#search-results", EntryList)

    def on_mount(self) -> None:
        """Index what changed since the last refresh and focus the prompt."""
        self.store.update_search_index()
        self.query_one("#search-input", Input).focus()
        if self.query_text:
            self.run_search()

    @on(Input.Changed, "#search-input")
    def _query_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(TYPING_PAUSE, self.run_search)

    @on(Input.Submitted, "#search-input")
    def _query_submitted(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.run_search()
        self.results.focus()

    def run_search(self) -> None:
        """Search for the prompt's text and list the best matches."""
        summary = self.query_one("#search-summary", Static)
        if match_expression(self.query_text) is None:
            self._rows = ()
            self.results.show_rows(self.store, RankedRows(()))
            summary.update("Type words to search every cached entry.")
            return
        found = self.store.search(self.query_text, limit=RESULT_LIMIT)
        self._rows = found.rows
        self.results.show_rows(self.store, RankedRows(found.rows))
        shown = len(found.rows)
        text = f"{found.total} matching entries"
        if shown < found.total:
            text += f", best {shown} shown"
        if found.total and not found.scored:
            # Fits a line of 120 columns with a five-digit total.
            text += (
                "; words in half the entries or more: title matches first, then newest"
            )
        summary.update(text)

    @on(EntryList.Selected)
    def _result_selected(self, event: EntryList.Selected) -> None:
        event.stop()
        index = self.results.cursor
        self.dismiss(SearchChoice(self.query_text, self._rows, index))

    @on(EntryList.FilterRequested)
    def _filter_requested(self, event: EntryList.FilterRequested) -> None:
        # The prompt is the filter here; back to it.
        event.stop()
        self.query_one("#search-input", Input).focus()

    def action_save(self) -> None:
        """Save the current query under its own text as the name."""
        if self._timer is not None:
            self._timer.stop()
        self.run_search()
        summary = self.query_one("#search-summary", Static)
        query = self.query_text.strip()
        try:
            self.store.save_search(query, query)
        except TidingsError as error:
            summary.update(str(error))
            return
        summary.update(f"Saved search {query!r}; it is listed under Starred")

    def action_close(self) -> None:
        """Go back without opening an entry."""
        self.dismiss(None)
