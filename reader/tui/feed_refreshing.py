"""Feed rows redrawn while a refresh runs, a few times a second.

A refresh reports its feeds as they finish. Reading a feed back from the
store costs a query on the event loop, so only feeds on screen and feeds
that failed are read back. The others are updated from their result until
the app reads every feed at the end of the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from reader.models import Feed, FeedRefreshed
from reader.store import utc_now
from reader.tui.feed_rows import feed_row, virtual_rows
from reader.tui.refresh_progress import Outcome, outcome

if TYPE_CHECKING:
    from reader.store import Store
    from reader.tui.feed_rows import FeedRow


class RefreshedRows:
    """The redraw of ``FeedList`` rows during a refresh.

    A mixin: the list supplies the store, feeds, folders, rows, host pauses
    and the line mapping of ``FeedLines``.
    """

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

    if TYPE_CHECKING:
        store: Store
        feeds: list[Feed]
        folders: Mapping[int, str | None]
        rows: list[FeedRow]
        host_pauses: dict[str, tuple[datetime, str]]

        @property
        def scroll_offset(self) -> Any: ...

        @property
        def scrollable_content_region(self) -> Any: ...

        def item_at_line(self, y: int) -> tuple[int, int] | None: ...

        def refresh_item(self, index: int) -> None: ...

        def refresh(self) -> Any: ...

        def _build(self) -> None: ...


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
