"""The search screen: full-text search across every cached entry."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from reader.models import TidingsError
from reader.rows import EntryRow
from reader.search import SearchResults, match_expression
from reader.search_count import (
    CountCancelledError,
    MatchCount,
    count_matches_in_file,
)
from reader.store import Store
from reader.tui.entry_list import EntryList
from reader.tui.formatting import counted
from reader.tui.paging import RankedRows

log = logging.getLogger(__name__)

RESULT_LIMIT = 500
"""Best matches listed; the summary line gives the number of all matches."""

COMMON_WORDS_NOTE = (
    "words in half the entries or more: title matches first, then newest"
)
"""Summary of the order of a search whose every term is in half the entries
or more. It fits a line of 120 columns after a five-digit total."""

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
    | `q` | `search.back` | In the results: go back without opening an entry |
    | `escape` | `search.close` | Go back without opening an entry |

    ``q`` goes back one level, as in newsboat, rather than quitting the app.
    In the prompt it is a letter of the query.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # An action of its own, since the footer shows one key per action.
        Binding("q", "back", "Back", id="search.back"),
        Binding("escape", "close", "Back", id="search.close"),
        Binding("ctrl+s", "save", "Save search", id="search.save"),
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
        # A count still running is for an earlier query.
        self.workers.cancel_group(self, "search-count")
        summary = self.query_one("#search-summary", Static)
        if match_expression(self.query_text) is None:
            self._rows = ()
            self.results.show_rows(self.store, RankedRows(()))
            summary.update("Type words to search every cached entry.")
            return
        # Rows first: a query found in most entries is counted afterwards.
        found = self.store.search(self.query_text, limit=RESULT_LIMIT, count=False)
        self._show(found)
        if found.total is None:
            self._count_matches(found.query)

    def _show(self, found: SearchResults) -> None:
        self._rows = found.rows
        self.results.show_rows(self.store, RankedRows(found.rows))
        summary = self.query_one("#search-summary", Static)
        summary.update(_summary_text(found))

    @work(thread=True, exclusive=True, group="search-count", exit_on_error=False)
    def _count_matches(self, query: str) -> None:
        # A connection of its own, so the prompt and the results stay
        # responsive while a phrase of common words is counted.
        worker = get_current_worker()
        try:
            counted: MatchCount | str = count_matches_in_file(
                self.store.path, query, cancelled=lambda: worker.is_cancelled
            )
        except CountCancelledError:
            return
        except TidingsError as error:
            log.warning("search count failed query=%r error=%s", query, error)
            counted = str(error)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._count_ready, query, counted)

    def _count_ready(self, query: str, counted: MatchCount | str) -> None:
        if not self.is_mounted or query != self.query_text:
            return
        summary = self.query_one("#search-summary", Static)
        if isinstance(counted, str):
            summary.update(counted)
            return
        if counted.common:
            found = SearchResults(query, self._rows, counted.total, scored=False)
            summary.update(_summary_text(found))
            return
        # The newest entries made the query look common, but the count
        # shows that it is not (see MatchCount.common), so BM25 ranks it.
        self._show(self.store.search(query, limit=RESULT_LIMIT))

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

    def action_back(self) -> None:
        """Go back without opening an entry, as ``action_close`` does."""
        self.dismiss(None)


def _summary_text(found: SearchResults) -> str:
    shown = len(found.rows)
    if found.total is None:
        return f"counting...; {COMMON_WORDS_NOTE}"
    text = counted(found.total, "matching entry", "matching entries")
    if shown < found.total:
        text += f", best {shown} shown"
    if found.total and not found.scored:
        text += f"; {COMMON_WORDS_NOTE}"
    return text
