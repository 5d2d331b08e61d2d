"""The feed list: every subscribed feed with its unread count and last error."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.models import Feed
from reader.tui.formatting import feed_error, feed_title

FALLBACK_WIDTH = 24
"""Prompt width used before the widget has been laid out."""


class FeedList(OptionList):
    """The subscribed feeds. A feed whose last refresh failed shows a cross
    before its title and the error on a second line.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `j`, `down` | `feed.cursor_down` | Move to the next feed |
    | `k`, `up` | `feed.cursor_up` | Move to the previous feed |
    | `g`, `home` | `feed.first` | Move to the first feed |
    | `G`, `end` | `feed.last` | Move to the last feed |
    | `pagedown` | `feed.page_down` | Move down one screen |
    | `pageup` | `feed.page_up` | Move up one screen |
    | `enter` | `feed.select` | Move the focus to the feed's entries |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="feed.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="feed.cursor_up"),
        Binding("g,home", "first", "First", show=False, id="feed.first"),
        Binding("G,end", "last", "Last", show=False, id="feed.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="feed.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="feed.page_up"),
        Binding("enter", "select", "Entries", show=False, id="feed.select"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.feeds: list[Feed] = []

    @property
    def current_feed(self) -> Feed | None:
        """The highlighted feed, if there is one."""
        if self.highlighted is None or not self.feeds:
            return None
        return self.feeds[self.highlighted]

    def feed_index(self, feed_id: int) -> int | None:
        """Return the row of the feed with ``feed_id``, if it is listed."""
        for index, feed in enumerate(self.feeds):
            if feed.id == feed_id:
                return index
        return None

    def set_feeds(self, feeds: Iterable[Feed], highlight_id: int | None) -> None:
        """Replace the listed feeds and highlight ``highlight_id`` (else the
        first feed)."""
        self.feeds = list(feeds)
        width = self._prompt_width()
        self.set_options(
            Option(feed_prompt(feed, width), id=str(feed.id)) for feed in self.feeds
        )
        index = None if highlight_id is None else self.feed_index(highlight_id)
        self.highlighted = 0 if index is None and self.feeds else index

    def update_feed(self, feed: Feed) -> None:
        """Redraw one feed's row with new counts or a new error."""
        index = self.feed_index(feed.id)
        if index is None:
            return
        self.feeds[index] = feed
        self.replace_option_prompt_at_index(
            index, feed_prompt(feed, self._prompt_width())
        )

    def on_resize(self, _: events.Resize) -> None:
        """Rebuild the rows, whose counts are aligned to the width."""
        width = self._prompt_width()
        for index, feed in enumerate(self.feeds):
            self.replace_option_prompt_at_index(index, feed_prompt(feed, width))

    def _prompt_width(self) -> int:
        padding = self.get_component_styles("option-list--option").padding
        width = self.scrollable_content_region.width - padding.width
        return width if width > 0 else FALLBACK_WIDTH


def feed_prompt(feed: Feed, width: int) -> Content:
    """Build a feed's row: marker, title and unread count on the first line,
    the last refresh error (if any) on the second."""
    error = feed_error(feed)
    count = str(feed.unread) if feed.unread else ""
    marker = Content.styled("✗ ", "bold $text-error") if error else Content("  ")
    title_width = max(1, width - 2 - len(count) - 1)
    title = Content.styled(feed_title(feed), "bold" if feed.unread else "")
    first = Content.assemble(
        marker,
        title.truncate(title_width, ellipsis=True, pad=True),
        " ",
        Content.styled(count, "$text-accent"),
    )
    if error is None:
        return first
    second = Content.styled(error, "$text-error").truncate(
        max(1, width - 2), ellipsis=True
    )
    return Content("\n").join([first, Content("  ") + second])
