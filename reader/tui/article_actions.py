"""Article keys of ``TidingsApp``: numbered links, the clipboard, reader mode.

Typing a digit anywhere on the main screen starts the number of an article
link, as does ``f``; see ``LinkPrompt``. Only http, https and mailto links
are opened; any other link is named in the status line instead.
"""

from __future__ import annotations

import asyncio
import logging
import webbrowser

from textual import events, work
from textual.binding import Binding, BindingType

from reader.links import is_openable
from reader.textsafe import clean_line
from reader.tui.link_prompt import LinkPrompt, is_complete

ARTICLE_BINDINGS: list[BindingType] = [
    Binding(
        "f", "follow_link_prompt", "Open link #", show=False, id="article.follow_link"
    ),
    Binding("y", "copy_link", "Copy link", show=False, id="entry.copy_link"),
    Binding(
        "v", "toggle_reader_mode", "Reader mode", show=False, id="article.reader_mode"
    ),
]
"""Bindings of the app that act on the open article, listed in its BINDINGS."""

log = logging.getLogger(__name__)


class ArticleActions:
    """The link, clipboard and reader mode keys of ``TidingsApp``.

    A mixin: the app supplies the article pane, the status line,
    ``current_entry``, ``open_in_browser`` and Textual's ``push_screen`` and
    ``copy_to_clipboard``.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `1`-`9` | | Type the number of an article link to open it |
    | `f` | `article.follow_link` | Ask for the number of a link to open |
    | `y` | `entry.copy_link` | Copy the entry's link to the clipboard |
    | `v` | `article.reader_mode` | Show the article as plain text, or styled |
    """

    def on_key(self, event: events.Key) -> None:
        """Start a link number when a digit is typed on the main screen."""
        character = event.character
        if character is None or character not in "123456789":
            return
        if getattr(self.screen, "is_modal", False):
            return
        event.stop()
        self._ask_link_number(character)

    def action_follow_link_prompt(self) -> None:
        """Ask for the number of the article link to open."""
        self._ask_link_number("")

    def action_follow_link(self, number: int) -> None:
        """Open article link ``number`` if its scheme may be opened."""
        links = self.article.links
        if not 1 <= number <= len(links):
            self.status.show_error(f"No link {number}; this article has {len(links)}")
            return
        link = links[number - 1]
        if not link.openable:
            shown = clean_line(link.url)
            self.status.show_error(
                f"Not opening link {number}: {shown} "
                "(only http, https and mailto links open)"
            )
            return
        self.open_link(link.url)

    def action_copy_link(self) -> None:
        """Copy the current entry's link to the clipboard (OSC 52)."""
        entry = self.current_entry()
        if entry is None or not entry.link:
            self.status.show("This entry has no link to copy")
            return
        self.copy_to_clipboard(entry.link)
        self.status.show(f"Copied {clean_line(entry.link)}")

    def action_toggle_reader_mode(self) -> None:
        """Switch the article between plain text and styled text."""
        self.article.reader_mode = not self.article.reader_mode
        if self.article.reader_mode:
            self.status.show("Reader mode: plain text, as 'tidings show --format text'")
        else:
            self.status.show("Reader mode off")

    def _ask_link_number(self, digits: str) -> None:
        count = len(self.article.links)
        if count == 0:
            self.status.show("This article has no links")
            return
        if is_complete(digits, count):
            self.action_follow_link(int(digits))
            return
        self.push_screen(LinkPrompt(count, digits), callback=self._link_chosen)

    def _link_chosen(self, number: int | None) -> None:
        if number is not None:
            self.action_follow_link(number)

    def action_open_link(self) -> None:
        """Open the current entry's link in the browser."""
        entry = self.current_entry()
        if entry is not None:
            self.open_link(entry.link)

    def open_link(self, url: str | None) -> None:
        """Open ``url`` in the browser if it is an http, https or mailto URL."""
        if not url:
            self.status.show("This entry has no link")
            return
        if not is_openable(url):
            shown = clean_line(url)
            self.status.show_error(f"Not opening a non-http(s) link: {shown}")
            return
        self._run_browser(url)

    @work(group="browser")
    async def _run_browser(self, url: str) -> None:
        # webbrowser.open may wait for the browser process, so it runs in a
        # thread and the UI keeps handling keys.
        shown = clean_line(url)
        try:
            opened = await asyncio.to_thread(self.open_in_browser, url)
        except (webbrowser.Error, OSError) as error:
            log.warning("browser failed url=%s error=%s", url, error)
            opened = False
        if opened:
            self.status.show(f"Opened {shown}")
        else:
            self.status.show_error(f"No browser could open {shown}; set $BROWSER")
