"""Adding a feed from the TUI, and the guarded store writes of feed keys.

Adding runs discovery in a worker, so the reader keeps handling keys while
the page is fetched. For a page that lists several feeds, the user picks one.
A feed document that discovery fetched is stored as a refresh would store
it, so the feed is fetched once; only a local file is read by a refresh.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work

from reader.models import Feed, FetchError, ParseError, TidingsError
from reader.textsafe import clean_line
from reader.tui.dialogs import ChoiceScreen, TextPrompt
from reader.tui.formatting import counted, feed_title

if TYPE_CHECKING:
    from reader.discover import FeedCandidate, FetchedFeed
    from reader.store import Store
    from reader.tui.status import StatusLine

log = logging.getLogger(__name__)

FAILED = object()
"""Returned by ``FeedAdding._write`` when the store raised."""

ADD_HINT = "A feed URL, a web page that links to feeds, or a local feed file."


class FeedAdding:
    """The add-feed key of ``TidingsApp``.

    A mixin: the app supplies the store, the status line, ``reload_feeds``,
    ``start_refresh`` and Textual's ``push_screen``.
    """

    def action_add_feed(self) -> None:
        """Ask for a URL and subscribe to the feed it leads to."""
        self.push_screen(TextPrompt("Add a feed", ADD_HINT), callback=self.add_feed)

    def add_feed(self, text: str | None) -> None:
        """Subscribe to what the user typed: a local file or feed URL directly,
        a web page through the feeds it lists."""
        if text is None or not text.strip():
            return
        # Imported here: HTTP and feed parsing cost a sixth of the start-up.
        from reader.fetch import is_local, normalize_feed_url

        try:
            url = normalize_feed_url(text)
        except TidingsError as error:
            self.status.show_error(str(error))
            return
        if self._already_subscribed(url):
            return
        if is_local(url):
            self._subscribe(url)
            return
        self.status.show(f"Looking for feeds at {clean_line(url)}")
        self._discover(url)

    @work(group="add-feed", exclusive=True)
    async def _discover(self, url: str) -> None:
        from reader.discover import discover_url

        try:
            candidates = await discover_url(url)
        except FetchError as error:
            # Subscribed anyway, as the command line does, so a feed can be
            # added while its server is down; the row shows the error.
            log.warning("add: fetch failed url=%s error=%s", url, error)
            message = str(error)
            feed = self._write(lambda: self.store.add_feed(url))
            if feed is FAILED:
                return
            self._write(lambda: self.store.record_error(feed.id, message))
            self.reload_feeds(feed.id)
            self.status.show_error(f"Added, but the fetch failed: {message}")
            return
        except ParseError as error:
            log.warning("add: no feed found url=%s error=%s", url, error)
            self.status.show_error(f"No feed found: {error}")
            return
        if len(candidates) == 1:
            self._subscribe(candidates[0].url, candidates[0].document)
            return
        self._ask_candidate(url, candidates)

    def _ask_candidate(self, url: str, candidates: list[FeedCandidate]) -> None:
        labels = [
            f"{candidate.label()}  <{clean_line(candidate.url)}>"
            for candidate in candidates
        ]
        title = f"{clean_line(url)} lists {len(candidates)} feeds; add which?"

        def chosen(index: int | None) -> None:
            if index is not None:
                chosen_one = candidates[index]
                self._subscribe(chosen_one.url, chosen_one.document)

        self.push_screen(ChoiceScreen(title, labels), callback=chosen)

    def _already_subscribed(self, url: str) -> bool:
        existing = self.store.find_feed(url)
        if existing is None:
            return False
        self.reload_feeds(existing.id)
        self.status.show(f"Already subscribed: {feed_title(existing)}")
        return True

    def _subscribe(self, url: str, document: FetchedFeed | None = None) -> None:
        if self._already_subscribed(url):
            return
        feed = self._write(lambda: self.store.add_feed(url))
        if feed is FAILED:
            return
        if document is None:
            # The refresh names the feed by its title once it has read it.
            self.reload_feeds(feed.id)
            self.status.show(f"Added {clean_line(url)}; reading it")
            self.start_refresh([feed.id])
            return
        if self._write(lambda: _store_fetched(self.store, feed, document)) is FAILED:
            self.reload_feeds(feed.id)
            return
        self.reload_feeds(feed.id)
        stored = self.store.get_feed(feed.id)
        self.status.show(
            f"Added {feed_title(stored)} ({counted(stored.total, 'entry', 'entries')})"
        )

    def _write(self, write: Callable[[], Any]) -> Any:
        """Run a store write and return its result; on failure (the feed
        was removed meanwhile, the disk is full) show why and return FAILED."""
        try:
            return write()
        except TidingsError as error:
            log.warning("feed change failed error=%s", error)
            self.status.show_error(str(error))
            return FAILED

    if TYPE_CHECKING:
        store: Store

        @property
        def status(self) -> StatusLine: ...

        def push_screen(self, screen: Any, callback: Any = None) -> Any: ...

        def reload_feeds(self, highlight_id: int | None) -> None: ...

        def start_refresh(self, feed_ids: list[int] | None) -> None: ...


def _store_fetched(store: Store, feed: Feed, document: FetchedFeed) -> None:
    """Store the feed document discovery fetched, as a refresh stores one."""
    from reader.schedule import declared_interval
    from reader.store_batch import save_document

    content = document.result.content or b""
    declared = declared_interval(content)
    body_hash = hashlib.sha256(content).hexdigest()
    save_document(store, feed, document.result, (document.parsed, declared), body_hash)
