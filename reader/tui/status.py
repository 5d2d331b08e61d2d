"""The status line at the bottom: messages on the left, refresh on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from reader.models import Feed
from reader.tui.formatting import feed_error, feed_title


class StatusLine(Horizontal):
    """Two parts of one line: the latest message, and the progress or outcome
    of the latest refresh, so one never hides the other. Strings are shown
    literally, never as markup."""

    def compose(self) -> ComposeResult:
        """Put the message on the left and the refresh state on the right."""
        yield Static(id="status-message", markup=False)
        yield Static(id="status-refresh", markup=False)

    @property
    def message(self) -> str:
        """The message part as plain text."""
        return str(self.query_one("#status-message", Static).content)

    @property
    def refresh_state(self) -> str:
        """The refresh part as plain text."""
        return str(self.query_one("#status-refresh", Static).content)

    def show(self, text: str | Content) -> None:
        """Replace the message."""
        self.query_one("#status-message", Static).update(text)

    def show_error(self, text: str) -> None:
        """Replace the message with an error message."""
        self.show(Content.styled(text, "$text-error"))

    def show_refresh(self, text: str, *, failed: bool = False) -> None:
        """Replace the refresh part, in the error colour if ``failed``."""
        content = Content.styled(text, "$text-error" if failed else "$text-accent")
        self.query_one("#status-refresh", Static).update(content)


def feed_status(feed: Feed) -> Content:
    """Describe a feed for the status line: its last error, else its counts."""
    error = feed_error(feed)
    if error is not None:
        return Content.styled(f"✗ {feed_title(feed)}: {error}", "$text-error")
    return Content(f"{feed_title(feed)}: {feed.unread} unread of {feed.total}")
