"""The tidings application: feeds, entries and article panes over the cache."""

from __future__ import annotations

import gc
import logging
import webbrowser
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer

from reader.config import Settings
from reader.models import Entry, Feed, StoreError, TidingsError
from reader.store import Store
from reader.store_errors import quick_check_file
from reader.tui.article import ArticleView
from reader.tui.article_actions import ARTICLE_BINDINGS, ArticleActions
from reader.tui.bodies import load_markdown
from reader.tui.commands import action_commands
from reader.tui.entry_list import EntryList
from reader.tui.feed_actions import FEED_BINDINGS, FeedActions
from reader.tui.feed_list import FeedList
from reader.tui.feed_rows import FeedRow, feed_row, row_status
from reader.tui.filter_bar import FilterBar
from reader.tui.formatting import use_date_format
from reader.tui.help import HelpScreen, KeySection
from reader.tui.logfile import logging_to_file
from reader.tui.refresh import RefreshActions
from reader.tui.search_screen import SearchScreen
from reader.tui.searching import SearchActions
from reader.tui.status import StatusLine, feed_status
from reader.tui.theme import TIDINGS_THEME
from reader.welcome import ensure_welcome

log = logging.getLogger(__name__)


class TidingsApp(FeedActions, SearchActions, ArticleActions, RefreshActions, App[None]):
    """A three-pane feed reader over a ``Store``.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `q` | `app.quit` | Quit |
    | `?` | `app.help` | Show every key |
    | `tab` | `app.focus_next` | Move the focus to the next pane |
    | `shift+tab` | `app.focus_previous` | Move the focus to the previous pane |
    | `r` | `feed.refresh` | Refresh the selected feed |
    | `R` | `feed.refresh_all` | Refresh every feed |
    | `n` | `entry.next_unread` | Open the next unread entry, in this feed or the next |
    | `p`, `N` | `entry.previous_unread` | Open the previous unread entry |
    | `m` | `entry.toggle_read` | Mark the entry read or unread |
    | `s` | `entry.toggle_starred` | Star or unstar the entry |
    | `o` | `entry.open_link` | Open the entry's link in the browser |
    | `y` | `entry.copy_link` | Copy the entry's link to the clipboard |
    | `1`-`9`, `f` | `article.follow_link` | Open an article link by its number |
    | `v` | `article.reader_mode` | Show the article as plain text, or styled |
    | `a` | `feed.add` | Subscribe to a feed URL or a page's feed |
    | `e` | `feed.rename` | Rename the feed |
    | `M` | `feed.move` | Move the feed to a folder |
    | `D` | `feed.remove` | Unsubscribe, after a confirmation |
    | `A` | `feed.mark_all_read` | Mark every entry of the feed read |
    | `u` | `feed.undo_mark_all` | Undo the last mark-all-read |
    | `U` | `entry.unread_only` | List only unread entries, or every entry |

    Every action is also in the command palette (``ctrl+p``).
    | `ctrl+f` | `app.search` | Search every cached entry |
    """

    CSS_PATH = "tidings.tcss"
    unread_only = False
    """Whether entry lists show only unread entries (toggled with ``U``)."""
    TITLE = "tidings"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("tab", "focus_next", "Next pane", show=False, id="app.focus_next"),
        Binding(
            "shift+tab",
            "focus_previous",
            "Previous pane",
            show=False,
            id="app.focus_previous",
        ),
        Binding("r", "refresh_feed", "Refresh", id="feed.refresh"),
        Binding("R", "refresh_all", "Refresh all", show=False, id="feed.refresh_all"),
        Binding("n", "next_unread", "Next unread", id="entry.next_unread"),
        Binding(
            "p,N",
            "previous_unread",
            "Previous unread",
            show=False,
            id="entry.previous_unread",
        ),
        Binding("m", "toggle_read", "Read/unread", id="entry.toggle_read"),
        Binding("s", "toggle_starred", "Star", id="entry.toggle_starred"),
        Binding("o", "open_link", "Browser", id="entry.open_link"),
        *ARTICLE_BINDINGS,
        *FEED_BINDINGS,
        Binding(
            "U", "toggle_unread_only", "Unread only", show=False, id="entry.unread_only"
        ),
        Binding("ctrl+f", "search", "Search", id="app.search"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        keymap: Mapping[str, str] | None = None,
        open_in_browser: Callable[[str], bool] = webbrowser.open,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings or Settings()
        """Date format, refresh limits and interval; keys come from ``keymap``."""
        use_date_format(self.settings.date_format)
        self.register_theme(TIDINGS_THEME)
        self.keymap = dict(keymap or {})
        """Key overrides by binding id, as accepted by ``App.set_keymap``."""
        self.open_in_browser = open_in_browser
        """Opens a URL in the user's browser and returns whether it could.

        ``webbrowser.open`` honours $BROWSER. ``App.open_url`` is not used
        because it calls the browser on the event loop."""

    def compose(self) -> ComposeResult:
        """Lay out the feeds beside the entries above the article."""
        with Horizontal(id="panes"):
            yield FeedList(self.store, id="feeds")
            with Vertical(id="reading"):
                yield EntryList(id="entries")
                yield ArticleView(id="article")
        yield StatusLine(id="status")
        yield FilterBar(id="filter")
        yield Footer()

    async def on_mount(self) -> None:
        """List the feeds, adding the welcome feed to an empty cache."""
        self.set_keymap(self.keymap)
        self.query_one(FeedList).border_title = "Feeds"
        self.query_one(EntryList).border_title = "Entries"
        self.query_one(ArticleView).border_title = "Article"
        self.start_auto_refresh(self.settings.refresh_interval_minutes)
        welcome = self._add_welcome_feed()
        feeds = self.store.list_feeds()
        self.feed_list.set_feeds(feeds, None if welcome is None else welcome.id)
        if not feeds:
            self.article.show_notice("No feeds yet. Subscribe with: tidings add URL")
            return
        self.entry_list.focus()
        self.call_after_refresh(self._started)
        row = self.feed_list.current_row
        if row is not None:
            self.show_row(row)
        if welcome is None:
            self.article.show_notice("Select an entry and press Enter.")
            return
        first = self.entry_list.current_entry
        if first is not None:
            self.open_entry(first)

    def _started(self) -> None:
        # Objects made while starting live as long as the app, so after one
        # collection they move to the permanent generation, where the
        # collector never scans them again. The command line turned the
        # collector off for the start (see ``reader.cli``).
        gc.collect()
        gc.freeze()
        gc.enable()
        self._check_cache()

    @work(thread=True, group="check", exit_on_error=False)
    def _check_cache(self) -> None:
        # PRAGMA quick_check reads every page, so it runs beside the first
        # screen rather than before it. A damaged cache stops the app before
        # the user is likely to have written anything.
        try:
            quick_check_file(self.store.path)
        except StoreError as error:
            log.error("cache check failed path=%s error=%s", self.store.path, error)
            self.call_from_thread(self.exit, None, 2, f"tidings: {error}")

    def _add_welcome_feed(self) -> Feed | None:
        try:
            return ensure_welcome(self.store)
        except (TidingsError, OSError) as error:
            # The reader works without the guide, so starting goes on.
            log.warning("welcome feed not added error=%s", error)
            return None

    # Panes

    @property
    def feed_list(self) -> FeedList:
        """The feeds pane."""
        return self.query_one(FeedList)

    @property
    def entry_list(self) -> EntryList:
        """The entries pane."""
        return self.query_one(EntryList)

    @property
    def article(self) -> ArticleView:
        """The article pane."""
        return self.query_one(ArticleView)

    @property
    def status(self) -> StatusLine:
        """The status line."""
        return self.query_one(StatusLine)

    @property
    def filter_bar(self) -> FilterBar:
        """The prompt of the ``/`` filter."""
        return self.query_one(FilterBar)

    def key_sections(self) -> list[KeySection]:
        """Return the bindings of the app and of each pane, for the help."""
        return [
            ("Anywhere", self.BINDINGS),
            ("Feeds", FeedList.BINDINGS),
            ("Entries", EntryList.BINDINGS),
            ("Article", ArticleView.BINDINGS),
            ("Filter prompt", FilterBar.BINDINGS),
            ("Search screen", SearchScreen.BINDINGS),
        ]

    def action_help(self) -> None:
        """Show the key table."""
        self.push_screen(HelpScreen(self.key_sections(), self.keymap))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """List Textual's commands, then every action of every pane."""
        yield from super().get_system_commands(screen)
        if screen is not self.screen_stack[0]:
            return
        # The other sections' keys work only inside their own prompt or screen.
        panes = [self, self.feed_list, self.entry_list, self.article]
        sections = list(zip(self.key_sections()[: len(panes)], panes, strict=True))
        yield from action_commands(
            sections, self.keymap, self.get_key_display, self.run_action
        )

    # Feeds

    @on(FeedList.RowHighlighted)
    def _feed_highlighted(self, event: FeedList.RowHighlighted) -> None:
        self.show_row(event.row)

    @on(FeedList.RowSelected)
    def _feed_selected(self) -> None:
        self.entry_list.focus()

    def show_feed(self, feed: Feed) -> None:
        """List the feed's entries, unless they are listed already."""
        self.show_row(feed_row(feed))

    def show_row(self, row: FeedRow, *, again: bool = False) -> None:
        """List the entries of a feed list row (only the unread ones while
        ``unread_only``) and describe it in the status line, unless they are
        listed already and not ``again``."""
        entries = self.entry_list
        scope = replace(row.scope, unread_only=True) if self.unread_only else row.scope
        if entries.scope == scope and not entries.filter_text and not again:
            return
        entries.show_scope(self.store, scope)
        title = f"Entries · {row.title}"
        entries.border_title = Content(
            f"{title} · unread only" if self.unread_only else title
        )
        entries.border_subtitle = None
        if row.feed is not None:
            self.status.show(feed_status(row.feed, self.feed_list.host_pauses))
        else:
            self.status.show(row_status(row, entries.item_count()))

    def action_toggle_unread_only(self) -> None:
        """List only unread entries, or every entry again, in every list."""
        self.unread_only = not self.unread_only
        row = self.feed_list.current_row
        if row is not None:
            self.show_row(row, again=True)
        self.status.show(
            "Listing unread entries only" if self.unread_only else "Listing every entry"
        )

    def reload_feeds(self, highlight_id: int | None) -> None:
        """Read the feed list again and highlight ``highlight_id`` (else the
        row highlighted now, if it is still there), listing its entries."""
        feeds = self.store.list_feeds()
        self.feed_list.set_feeds(feeds, highlight_id)
        row = self.feed_list.current_row
        if row is not None:
            self.show_row(row, again=True)
        if not feeds:
            self.article.show_notice("No feeds yet. Press a to add one.")

    def reload_entries(self) -> None:
        """Read the listed entries again after their state changed in bulk,
        keeping the cursor on the same entry."""
        current = self.entry_list.current_entry
        self.entry_list.reload(None if current is None else current.id)
        if self.article.entry is not None:
            self.article.update_header(self.store.get_entry(self.article.entry.id))

    def update_feed_row(self, feed_id: int, *, show_status: bool = True) -> None:
        """Redraw a feed's row after its counts or error changed, and describe
        it in the status line if it is highlighted and ``show_status``."""
        feed = self.store.get_feed(feed_id)
        self.feed_list.update_feed(feed)
        current = self.feed_list.current_feed
        if show_status and current is not None and current.id == feed_id:
            self.status.show(feed_status(feed, self.feed_list.host_pauses))

    # Entries

    @on(ArticleView.EndReached)
    def _article_end_reached(self) -> None:
        self.action_next_unread()

    @on(EntryList.Selected)
    def _entry_selected(self, event: EntryList.Selected) -> None:
        self.open_entry(event.entry)

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
        rolled back by the store, so the app stays up and says why.
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


def run_tui(store: Store) -> None:
    """Run the TUI on ``store`` until the user quits.

    Log records go to a rotating file under the user log directory while the
    app runs, never to the terminal it owns. Raises SystemExit with the app's
    return code when the app stopped on an error, after Textual has printed
    the traceback.
    """
    app = TidingsApp(store)
    with logging_to_file():
        app.run()
    if app.return_code:
        raise SystemExit(app.return_code)
