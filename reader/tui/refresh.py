"""Refreshing feeds from the TUI: the keys, the worker and its messages.

``refresh_feeds`` runs as a Textual worker on the app's event loop; worker
processes parse and store, so keys are handled while feeds download. Each
finished feed is counted in a ``RefreshTally``. A timer shows the tally
every ``PROGRESS_SECONDS``: one status update and one redraw of the feed
rows that changed, whatever the number of feeds that finished meanwhile.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from textual import work
from textual.content import Content
from textual.message import Message
from textual.timer import Timer

from reader.models import FeedRefreshed, RefreshSummary, TidingsError
from reader.tui.folder_tree import folder_contains
from reader.tui.formatting import feed_error, feed_title
from reader.tui.refresh_progress import RefreshTally, first_failure, summary_text
from reader.tui.status import feed_status

OUTCOME_SECONDS = 15.0
"""How long the outcome of a finished refresh stays on the status line."""

PROGRESS_SECONDS = 0.2
"""Time between two redraws of a running refresh's progress."""

FULL_COLLECTION_FACTOR = 10
"""How much rarer full garbage collections are while a refresh runs."""

TUI_WRITER_NICENESS = 5
"""Added to the nice value of a refresh's writer process in the TUI, so the
screen's process gets a CPU first (``tidings refresh`` leaves it at 0)."""

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.store import Store
    from reader.tui.entry_list import EntryList
    from reader.tui.feed_list import FeedList
    from reader.tui.status import StatusLine

log = logging.getLogger(__name__)


@contextmanager
def rare_full_collections() -> Iterator[None]:
    """Make full garbage collections ``FULL_COLLECTION_FACTOR`` times rarer
    inside the block.

    A full collection scans every object made since the app started. In a
    500-feed refresh under Pilot, 15 of them ran with the default
    thresholds, at 20-35 ms of CPU each, and each one delays a key. Young
    collections still free the refresh's short-lived cycles.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(*thresholds[:2], thresholds[2] * FULL_COLLECTION_FACTOR)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


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
    refresh_tally: RefreshTally | None = None
    """Counts of the running or the last refresh run."""
    _progress_timer: Timer | None = None
    _auto_timer: Timer | None = None
    _auto_seconds: float = 0.0

    def action_refresh_feed(self) -> None:
        """Refresh the highlighted feed, or every feed of the highlighted
        folder, also when not due, backing off or gone. On All, Unread,
        Starred or a saved search, refresh every feed that is due."""
        row = self.feed_list.current_row
        if row is None:
            return
        if row.feed is not None:
            self.start_refresh([row.feed.id], force=True)
        elif row.folder is not None:
            folder = row.folder
            folders = self.feed_list.folders
            ids = [
                f.id
                for f in self.feed_list.feeds
                if folder_contains(folder, folders.get(f.id))
            ]
            self.start_refresh(ids, force=True)
        else:
            self.start_refresh(None, force=False)

    def action_refresh_all(self) -> None:
        """Refresh every feed that is due; feeds backing off or gone wait."""
        self.start_refresh(None, force=False)

    def start_refresh(
        self, feed_ids: Sequence[int] | None, *, force: bool | None = None
    ) -> None:
        """Start a refresh worker (every feed when None) unless one runs.

        ``force`` also fetches feeds that are not due, backing off or gone.
        None forces only named feeds, as ``refresh_feeds`` does.
        """
        if self.refreshing:
            self.status.show("A refresh is already running; wait for it to finish")
            return
        self.refreshing = True
        total = len(feed_ids) if feed_ids is not None else len(self.feed_list.feeds)
        self.refresh_tally = RefreshTally(total)
        self.status.show_refresh(self.refresh_tally.progress_text())
        self._progress_timer = self.set_interval(PROGRESS_SECONDS, self.show_progress)
        self._refresh(feed_ids, force)

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
            self.start_refresh(None, force=False)
        self._schedule_auto_refresh()

    @work(group="refresh")
    async def _refresh(
        self, feed_ids: Sequence[int] | None, force: bool | None
    ) -> None:
        tally = self.refresh_tally
        assert tally is not None
        # Imported here, in a thread: HTTP and feed parsing cost a tenth of
        # the start-up, and keys go on working while the import runs.
        update = await asyncio.to_thread(importlib.import_module, "reader.update")
        # Loaded with reader.update. The client is made in a thread because
        # it loads the CA certificates: 50-100 ms of CPU on this machine,
        # which would stall keys at the start of every refresh.
        from reader import fetch

        concurrency = self.settings.refresh_concurrency
        client = await asyncio.to_thread(fetch.make_client, concurrency)
        try:
            async with client:
                with rare_full_collections():
                    summary = await update.refresh_feeds(
                        self.store,
                        None if feed_ids is None else list(feed_ids),
                        force=force,
                        # Runs on the event loop, between the worker's awaits.
                        on_progress=tally.add,
                        client=client,
                        concurrency=concurrency,
                        per_host=self.settings.refresh_per_host,
                        writer_niceness=TUI_WRITER_NICENESS,
                    )
        except TidingsError as error:
            log.warning("refresh failed error=%s", error)
            self.post_message(RefreshFailed(str(error)))
        else:
            self.post_message(RefreshFinished(summary))
        finally:
            self.refreshing = False
            # The handlers of both messages show the last results; when the
            # worker is cancelled, as the app quits, nothing is shown.
            self._stop_progress_timer()

    def show_progress(self) -> None:
        """Show the running refresh's count, and redraw the feeds that
        finished since the last call."""
        tally = self.refresh_tally
        if tally is None:
            return
        results = tally.take_pending()
        if self.refreshing:
            self.status.show_refresh(tally.progress_text(), failed=tally.failed > 0)
        if not results:
            return
        self.feed_list.show_refreshed(results)
        self._describe_current(results)
        self._reload_listed(results)

    def _describe_current(self, results: list[FeedRefreshed]) -> None:
        current = self.feed_list.current_feed
        if current is not None and any(r.feed_id == current.id for r in results):
            self.status.show(feed_status(current, self.feed_list.host_pauses))
            # A feed's first refresh replaces its URL with its title.
            row = self.feed_list.current_row
            if row is not None:
                self.entry_list.border_title = Content(self._entries_title(row.title))

    def _reload_listed(self, results: list[FeedRefreshed]) -> None:
        # Lists across feeds (All, Unread, folders, saved searches) show
        # every feed, so any feed's new entries may belong in them.
        scope = self.entry_list.scope
        if scope is None:
            return
        grown = [r for r in results if r.new or r.updated]
        if any(scope.feed_id in (None, r.feed_id) for r in grown):
            current = self.entry_list.current_row
            self.entry_list.reload(None if current is None else current.id)

    def on_refresh_finished(self, event: RefreshFinished) -> None:
        """Show the last results, re-read the feed list and show the outcome."""
        self._stop_progress()
        summary = event.summary
        # Titles may have changed, so the list is read again in title order.
        current = self.feed_list.current_feed
        feeds = self.store.list_feeds()
        self.feed_list.set_feeds(feeds, None if current is None else current.id)
        self._describe_current(list(summary.results))
        text = summary_text(summary.results)
        if summary.failed:
            first = self.store.get_feed(summary.failed[0].feed_id)
            text += first_failure(feed_title(first), feed_error(first), summary)
        self.status.show_refresh(
            text, failed=bool(summary.failed), clear_after=OUTCOME_SECONDS
        )

    def _stop_progress(self) -> None:
        self._stop_progress_timer()
        self.show_progress()

    def _stop_progress_timer(self) -> None:
        if self._progress_timer is not None:
            self._progress_timer.stop()
            self._progress_timer = None

    def on_refresh_failed(self, event: RefreshFailed) -> None:
        """Show why the run stopped, and the feeds as the store has them."""
        self._stop_progress()
        try:
            self.feed_list.set_feeds(self.store.list_feeds(), None)
        except TidingsError as error:
            # The run stopped because the cache failed, so reading it may
            # fail too. The rows then keep the counts shown during the run.
            log.warning("feed list not read after failed refresh error=%s", error)
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

        def set_interval(self, interval: float, callback: Any) -> Timer: ...

        def _entries_title(self, listed: str) -> str: ...
