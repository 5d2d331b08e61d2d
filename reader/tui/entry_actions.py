"""Entry keys of ``TidingsApp``: open, mark read, star, next unread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work

from reader.models import Entry, TidingsError
from reader.tui.bodies import load_markdown

if TYPE_CHECKING:
    from reader.models import Feed
    from reader.store import Store
    from reader.tui.article import ArticleView
    from reader.tui.entry_list import EntryList
    from reader.tui.feed_list import FeedList
    from reader.tui.status import StatusLine

log = logging.getLogger(__name__)


class EntryActions:
    """Opening entries, their read and starred flags, and moving between
    unread entries across feeds.

    A mixin: the app supplies the store, the panes, ``show_feed`` and
    ``update_feed_row``.
    """

    def open_entry(self, entry: Entry) -> None:
        """Show the entry in the article pane and mark it read."""
        if not entry.read and self._saved(
            lambda: self.store.set_read([entry.id], True)
        ):
            entry = self.store.get_entry(entry.id)
            self.entry_list.update_entry(entry)
            self.update_feed_row(entry.feed_id)
        self.load_article(entry)

    @work(exclusive=True, group="article")
    async def load_article(self, entry: Entry) -> None:
        """Convert the entry's body (cached after the first time) and show it."""
        markdown = await load_markdown(self.store, entry)
        self.article.show_entry(entry, markdown)

    def current_entry(self) -> Entry | None:
        """Return the open entry when the article has the focus, else the
        entry under the list cursor."""
        if self.article.has_focus_within and self.article.entry is not None:
            return self.article.entry
        return self.entry_list.current_entry

    def _saved(self, write: Callable[[], object]) -> bool:
        """Run a store write; on failure show the error and return False.

        A mark that cannot be saved (disk full, a lock held too long) is
        rolled back by the store, so the app stays up and shows the error.
        """
        try:
            write()
        except TidingsError as error:
            log.warning("write failed error=%s", error)
            self.status.show_error(str(error))
            return False
        return True

    def _entry_changed(self, entry_id: int) -> Entry:
        entry = self.store.get_entry(entry_id)
        self.entry_list.update_entry(entry)
        self.article.update_header(entry)
        self.update_feed_row(entry.feed_id)
        return entry

    def action_toggle_read(self) -> None:
        """Mark the current entry read if it is unread, else unread."""
        entry = self.current_entry()
        if entry is None:
            return
        if not self._saved(lambda: self.store.set_read([entry.id], not entry.read)):
            return
        entry = self._entry_changed(entry.id)
        self.status.show("Marked read" if entry.read else "Marked unread")

    def action_toggle_starred(self) -> None:
        """Star the current entry if it is not starred, else unstar it."""
        entry = self.current_entry()
        if entry is None:
            return
        if not self._saved(
            lambda: self.store.set_starred([entry.id], not entry.starred)
        ):
            return
        entry = self._entry_changed(entry.id)
        self.status.show("Starred" if entry.starred else "Unstarred")

    def action_next_unread(self) -> None:
        """Open the next unread entry, moving on to later feeds if needed."""
        self._open_unread(1)

    def action_previous_unread(self) -> None:
        """Open the previous unread entry, moving back to earlier feeds."""
        self._open_unread(-1)

    def _open_unread(self, step: int) -> None:
        entries = self.entry_list
        row = entries.move_to_unread(step)
        if row is None and self._move_to_feed_with_unread(step):
            entries.cursor = 0 if step > 0 else entries.item_count() - 1
            row = entries.current_row
            if row is not None and row.read:
                row = entries.move_to_unread(step)
        if row is None:
            self.status.show("No more unread entries")
            return
        self.open_entry(self.store.get_entry(row.id))

    def _move_to_feed_with_unread(self, step: int) -> bool:
        if self.entry_list.filter_text:
            return False
        feed = self.feed_list.move_to_unread_feed(step)
        if feed is None:
            return False
        self.show_feed(feed)
        return True

    if TYPE_CHECKING:
        store: Store

        @property
        def feed_list(self) -> FeedList: ...

        @property
        def entry_list(self) -> EntryList: ...

        @property
        def article(self) -> ArticleView: ...

        @property
        def status(self) -> StatusLine: ...

        def show_feed(self, feed: Feed) -> None: ...

        def update_feed_row(
            self, feed_id: int, *, show_status: bool = True
        ) -> None: ...
