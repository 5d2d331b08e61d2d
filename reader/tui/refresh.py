"""Refreshing feeds from the TUI: the worker, its messages and status text.

``refresh_feeds`` runs as a Textual worker on the app's event loop; it
parses off the loop, so keys are handled while feeds download. Each finished
feed posts ``RefreshProgressed``, and the app redraws that feed's row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.timer import Timer

from reader.models import FeedRefreshed, RefreshSummary, TidingsError
from reader.tui.formatting import feed_error, feed_title

OUTCOME_SECONDS = 15.0
"""How long the outcome of a finished refresh stays on the status line."""

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.store import Store
    from reader.tui.entry_list import EntryList
    from reader.tui.feed_list import FeedList
    from reader.tui.status import StatusLine

log = logging.getLogger(__name__)


class RefreshProgressed(Message):
    """One feed of a refresh run finished, successfully or not."""

    def __init__(self, result: FeedRefreshed, done: int, total: int) -> None:
        super().__init__()
        self.result = result
        self.done = done
        self.total = total


class RefreshFinished(Message):
    """A refresh run finished; per-feed errors are in the summary."""

    def __init__(self, summary: RefreshSummary) -> None:
        super().__init__()
        self.summary = summary


class RefreshFailed(Message):
    """A refresh run stopped before it finished."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class RefreshActions:
    """The refresh keys and message handlers of ``TidingsApp``.

    A mixin: the app supplies the store, the panes and ``update_feed_row``.
    """

    refreshing: bool = False
    """Whether a refresh worker is running; a second one is not started."""
    next_auto_refresh: datetime | None = None
    """When the next automatic refresh of every feed starts; None when off."""
    _refresh_errors: int = 0
    _auto_timer: Timer | None = None
    _auto_seconds: float = 0.0

    def action_refresh_feed(self) -> None:
        """Refresh the highlighted feed."""
        feed = self.feed_list.current_feed
        if feed is not None:
            self.start_refresh([feed.id])

    def action_refresh_all(self) -> None:
        """Refresh every feed."""
        self.start_refresh(None)

    def start_refresh(self, feed_ids: Sequence[int] | None) -> None:
        """Start a refresh worker (every feed when None) unless one runs."""
        if self.refreshing:
            self.status.show("A refresh is already running; wait for it to finish")
            return
        self.refreshing = True
        self._refresh_errors = 0
        total = len(feed_ids) if feed_ids is not None else len(self.feed_list.feeds)
        self.status.show_refresh(progress_text(0, total, 0))
        self._refresh(feed_ids)

    def start_auto_refresh(self, minutes: float) -> None:
        """Refresh every feed each ``minutes`` while the app runs (0: never),
        and name the next run on the status line."""
        if self._auto_timer is not None:
            self._auto_timer.stop()
            self._auto_timer = None
        self._auto_seconds = minutes * 60
        if minutes <= 0:
            self.next_auto_refresh = None
            self.status.show_next_refresh("")
            return
        self._schedule_auto_refresh()

    def _schedule_auto_refresh(self) -> None:
        self.next_auto_refresh = datetime.now() + timedelta(seconds=self._auto_seconds)
        self._auto_timer = self.set_timer(self._auto_seconds, self.run_auto_refresh)
        self.status.show_next_refresh(
            f"Next refresh {self.next_auto_refresh.strftime('%H:%M')}"
        )

    def run_auto_refresh(self) -> None:
        """Refresh every feed unless a refresh runs, and schedule the next."""
        if not self.refreshing:
            self.start_refresh(None)
        self._schedule_auto_refresh()

    @work(group="refresh")
    async def _refresh(self, feed_ids: Sequence[int] | None) -> None:
        def progressed(result: FeedRefreshed, done: int, total: int) -> None:
            self.post_message(RefreshProgressed(result, done, total))

        # Imported here: HTTP and feed parsing cost a tenth of the start-up.
        from reader.update import refresh_feeds

        ids = None if feed_ids is None else list(feed_ids)
        try:
            summary = await refresh_feeds(
                self.store,
                ids,
                concurrency=self.settings.refresh_concurrency,
                per_host=self.settings.refresh_per_host,
                on_progress=progressed,
            )
        except TidingsError as error:
            log.warning("refresh failed error=%s", error)
            self.post_message(RefreshFailed(str(error)))
        else:
            self.post_message(RefreshFinished(summary))
        finally:
            self.refreshing = False

    def on_refresh_progressed(self, event: RefreshProgressed) -> None:
        """Show progress, redraw the feed and re-read its entries if listed."""
        result = event.result
        self._refresh_errors += result.error is not None
        self.status.show_refresh(
            progress_text(event.done, event.total, self._refresh_errors),
            failed=self._refresh_errors > 0,
        )
        self.update_feed_row(result.feed_id, show_status=False)
        # Lists across feeds (All, Unread, saved searches) show every feed.
        scope = self.entry_list.scope
        listed = scope is not None and scope.feed_id in (None, result.feed_id)
        if listed and (result.new or result.updated):
            current = self.entry_list.current_row
            self.entry_list.reload(None if current is None else current.id)

    def on_refresh_finished(self, event: RefreshFinished) -> None:
        """Re-read the feed list and show the outcome."""
        summary = event.summary
        # Titles may have changed, so the list is read again in title order.
        current = self.feed_list.current_feed
        feeds = self.store.list_feeds()
        self.feed_list.set_feeds(feeds, None if current is None else current.id)
        text = summary_text(summary)
        if summary.failed:
            first = self.store.get_feed(summary.failed[0].feed_id)
            text = f"{text} ({feed_title(first)}: {feed_error(first)})"
        self.status.show_refresh(
            text, failed=bool(summary.failed), clear_after=OUTCOME_SECONDS
        )

    def on_refresh_failed(self, event: RefreshFailed) -> None:
        """Show why the run stopped."""
        self.status.show_refresh(
            f"Refresh failed: {event.error}", failed=True, clear_after=OUTCOME_SECONDS
        )

    if TYPE_CHECKING:
        store: Store
        settings: Settings

        def set_timer(self, delay: float, callback: Any) -> Timer: ...

        @property
        def feed_list(self) -> FeedList: ...

        @property
        def entry_list(self) -> EntryList: ...

        @property
        def status(self) -> StatusLine: ...

        def post_message(self, message: Message) -> bool: ...

        def update_feed_row(
            self, feed_id: int, *, show_status: bool = True
        ) -> None: ...


def _count(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def progress_text(done: int, total: int, errors: int) -> str:
    """Return e.g. "Refreshing 3/10 feeds, 1 error"."""
    text = f"Refreshing {done}/{total} feeds"
    return f"{text}, {_count(errors, 'error', 'errors')}" if errors else text


def summary_text(summary: RefreshSummary) -> str:
    """Return e.g. "Refreshed 10 feeds: 4 new entries, 1 error"."""
    results = summary.results
    new = sum(result.new for result in results)
    text = (
        f"Refreshed {_count(len(results), 'feed', 'feeds')}: "
        f"{_count(new, 'new entry', 'new entries')}"
    )
    failed = len(summary.failed)
    return f"{text}, {_count(failed, 'error', 'errors')}" if failed else text
