"""The status line at the bottom: messages on the left, refresh on the right.

Every update of a ``Static`` requests a new layout by default, and a layout
repaints the whole screen. The message part requests a layout only
when its height may change, and the refresh part only when its width
changes, so a refresh's progress repaints one line, not the screen.

The message has priority: a message wider than the room beside the other
parts takes whole lines above them and wraps, so a feed's long error is
read in full even beside a refresh summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from reader.models import Feed
from reader.tui.feed_schedule import host_pause_until, schedule_note
from reader.tui.formatting import feed_error, feed_title


class StatusLine(Horizontal):
    """Two parts of one line: the latest message, and the progress or outcome
    of the latest refresh, so one never hides the other. Strings are shown
    literally, never as markup."""

    _clear_timer: Timer | None = None
    _refresh_width = 0
    _message_wrapped = False

    def compose(self) -> ComposeResult:
        """Put the message on the left and the refresh state on the right."""
        yield Static(id="status-message", markup=False)
        yield Static(id="status-refresh", markup=False)
        yield Static(id="status-next", markup=False)

    @property
    def message(self) -> str:
        """The message part as plain text."""
        return str(self.query_one("#status-message", Static).content)

    @property
    def refresh_state(self) -> str:
        """The refresh part as plain text."""
        return str(self.query_one("#status-refresh", Static).content)

    @property
    def next_refresh(self) -> str:
        """The time of the next automatic refresh as plain text, if any."""
        return str(self.query_one("#status-next", Static).content)

    def show_next_refresh(self, text: str) -> None:
        """Replace the part that names the next automatic refresh."""
        self.query_one("#status-next", Static).update(
            Content.styled(text, "$text-muted")
        )

    def show(self, text: str | Content) -> None:
        """Replace the message."""
        part = self.query_one("#status-message", Static)
        length = text.cell_length if isinstance(text, Content) else len(text)
        wrapped = length > self._message_width()
        part.update(text, layout=wrapped or self._message_wrapped)
        # A wrapped message takes whole lines, above the refresh parts.
        self.set_class(wrapped, "-wrapped")
        self._message_wrapped = wrapped

    def _message_width(self) -> int:
        # The width the message has beside the other parts on one line,
        # which pad themselves with 2 columns on the left. Their own sizes
        # are those of the wrapped layout, so they are measured from text.
        width = self.content_region.width
        for selector in ("#status-refresh", "#status-next"):
            length = cell_len(str(self.query_one(selector, Static).content))
            width -= length + 2 if length else 0
        return width

    def show_error(self, text: str) -> None:
        """Replace the message with an error message."""
        self.show(Content.styled(text, "$text-error"))

    def show_refresh(
        self, text: str, *, failed: bool = False, clear_after: float | None = None
    ) -> None:
        """Replace the refresh part, in the error colour if ``failed``.

        With ``clear_after`` (seconds) the text goes away by itself, so an
        old outcome does not sit beside later messages; the feed list keeps
        showing which feeds failed.
        """
        content = Content.styled(text, "$text-error" if failed else "$text-accent")
        part = self.query_one("#status-refresh", Static)
        part.update(content, layout=content.cell_length != self._refresh_width)
        self._refresh_width = content.cell_length
        self._fit_message()
        if self._clear_timer is not None:
            self._clear_timer.stop()
            self._clear_timer = None
        if clear_after is not None:
            self._clear_timer = self.set_timer(clear_after, self._clear_refresh)

    def _clear_refresh(self) -> None:
        self.query_one("#status-refresh", Static).update("")
        self._refresh_width = 0
        self._fit_message()

    def _fit_message(self) -> None:
        # The message was fitted beside the refresh part it had then. A
        # longer one would squeeze it into a narrow column of several lines.
        message = self.query_one("#status-message", Static)
        wrapped = cell_len(str(message.content)) > self._message_width()
        if wrapped != self._message_wrapped:
            self.set_class(wrapped, "-wrapped")
            self._message_wrapped = wrapped
            message.refresh(layout=True)


def feed_status(
    feed: Feed, host_pauses: Mapping[str, tuple[datetime, str]] | None = None
) -> Content:
    """Describe a feed for the status line: its counts, then its last error
    and when the next try is due or since when the feed is gone.

    ``host_pauses`` are the pauses hosts requested with a 429 or 503
    response, as ``Store.host_pauses`` returns them.
    """
    counts = f"{feed_title(feed)}: {feed.unread} unread of {feed.total}"
    error = feed_error(feed)
    if error is None:
        return Content(counts)
    parts = [f"✗ {counts}", error]
    paused_until = host_pause_until(feed, host_pauses or {})
    note = schedule_note(feed, datetime.now(UTC), paused_until)
    if note is not None:
        parts.append(note)
    return Content.styled(" · ".join(parts), "$text-error")
