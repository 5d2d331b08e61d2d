"""The tidings application: feeds, entries and article panes over the cache."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import webbrowser
from collections.abc import Callable, Mapping
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer

from reader.config import Settings
from reader.models import Feed, StoreError, TidingsError
from reader.sort_order import SortOrder
from reader.store import Store
from reader.store_errors import quick_check_file
from reader.tui.app_keys import AppKeys
from reader.tui.article import ArticleView
from reader.tui.article_actions import ARTICLE_BINDINGS, ArticleActions
from reader.tui.entry_actions import EntryActions
from reader.tui.entry_list import EntryList
from reader.tui.feed_actions import FEED_BINDINGS, FeedActions
from reader.tui.feed_list import FeedList
from reader.tui.filter_bar import FilterBar
from reader.tui.formatting import use_date_format
from reader.tui.list_actions import ListActions
from reader.tui.logfile import logging_to_file
from reader.tui.main_screen import MainScreen
from reader.tui.refresh import RefreshActions
from reader.tui.searching import SearchActions
from reader.tui.status import StatusLine
from reader.tui.theme import TIDINGS_THEME
from reader.welcome import ensure_welcome

log = logging.getLogger(__name__)


class TidingsApp(
    AppKeys,
    ListActions,
    EntryActions,
    FeedActions,
    SearchActions,
    ArticleActions,
    RefreshActions,
    App[None],
):
    """A three-pane feed reader over a ``Store``.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `q` | `app.quit` | Quit |
    | `?` | `app.help` | Show every key |
    | `tab` | `app.focus_next` | Move the focus to the next pane |
    | `shift+tab` | `app.focus_previous` | Move the focus to the previous pane |
    | `r` | `feed.refresh` | Refresh the selected feed or folder now |
    | `R` | `feed.refresh_all` | Refresh every feed that is due |
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
    | `S` | `entry.sort` | Sort entries by title, or by date again |

    | `ctrl+f` | `app.search` | Search every cached entry |
    | `ctrl+c` | `app.copy_or_quit` | Copy the selected text, else quit |

    Every action is also in the command palette (``ctrl+p``).
    """

    CSS_PATH = "tidings.tcss"
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
        Binding("S", "toggle_sort", "Sort", show=False, id="entry.sort"),
        Binding("ctrl+f", "search", "Search", id="app.search"),
        # A priority binding, so it also works in dialogs and the help screen,
        # where the app's other bindings are cut off.
        Binding(
            "ctrl+c",
            "copy_or_quit",
            "Quit",
            show=False,
            priority=True,
            id="app.copy_or_quit",
        ),
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
        self.sort_order: SortOrder = self.settings.entry_sort
        """The order of every entry list, switched with ``S``."""
        self.register_theme(TIDINGS_THEME)
        self.keymap = dict(keymap or {})
        """Key overrides by binding id, as accepted by ``App.set_keymap``."""
        self.open_in_browser = open_in_browser
        """Opens a URL in the user's browser and returns whether it could.

        ``webbrowser.open`` honours $BROWSER. ``App.open_url`` is not used
        because it calls the browser on the event loop."""

    def get_default_screen(self) -> MainScreen:
        """Return the screen of the panes, whose footer follows the focus."""
        return MainScreen(id="_default")

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
        # A terminated app closes as on q, so the terminal gets its normal
        # screen and modes back.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.exit)
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

    # Feeds

    @on(FeedList.RowHighlighted)
    def _feed_highlighted(self, event: FeedList.RowHighlighted) -> None:
        self.show_row(event.row)

    @on(FeedList.RowSelected)
    def _feed_selected(self) -> None:
        self.entry_list.focus()

    # Entries

    @on(ArticleView.EndReached)
    def _article_end_reached(self) -> None:
        self.action_next_unread()

    @on(EntryList.Selected)
    def _entry_selected(self, event: EntryList.Selected) -> None:
        self.open_entry(event.entry)


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
