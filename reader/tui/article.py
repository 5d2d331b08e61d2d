"""The article pane: an entry's header above its body laid out as text lines."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from reader.links import ArticleLink, parse_link_list
from reader.models import Entry
from reader.tui.article_lines import (
    Palette,
    collector_paused,
    link_targets,
    plain_strips,
    preview_source,
    styled_strips,
    warm_up,
)
from reader.tui.formatting import entry_header
from reader.tui.main_screen import FooterKeys

# Layouts kept per (Markdown, width, mode, theme), so going back to an
# article or toggling reader mode twice does not lay it out again. The
# layout of a 500 KB article takes about 20 MB, so only a few are kept.
_CACHED_LAYOUTS = 4

LayoutKey = tuple[int, int, bool, str]
"""What a layout depends on: the Markdown's hash, width, reader mode, theme."""


class ArticleBody(Widget):
    """The body of an article as pre-rendered lines; only the lines on screen
    are drawn.

    Layout runs in a thread. A long article first shows the blocks that fill
    the screen, laid out on the event loop, and the whole layout replaces
    them when the thread is done.
    """

    DEFAULT_CSS = """
    ArticleBody {
        width: 1fr;
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[Strip] = []
        """The laid-out lines shown now."""
        self.markdown = ""
        self.reader_mode = False
        """Whether the body shows plain text, as ``tidings show --format text``."""
        self.links: list[ArticleLink] = []
        self._layout_key: LayoutKey | None = None
        self._layouts: OrderedDict[LayoutKey, list[Strip]] = OrderedDict()

    @property
    def complete(self) -> bool:
        """Whether the lines shown are the whole article laid out for the
        current width, mode and theme, not a preview or an older layout."""
        return self._layout_key is not None and self._layout_key == self._key()

    @property
    def layout_width(self) -> int:
        """The width lines are laid out at: the body's own width once it has
        one, else the pane's content width."""
        if self.size.width:
            return self.size.width
        parent = self.parent
        width = parent.scrollable_content_region.width if parent else 0
        return max(20, width - 2)

    def show(self, markdown: str, links: list[ArticleLink]) -> None:
        """Lay out ``markdown`` and show it, first paint on this call."""
        self.markdown = markdown
        self.links = links
        key = self._key()
        cached = self._layouts.get(key)
        if cached is not None:
            self._set_lines(key, cached)
            return
        # The first paint shows the blocks that fill the screen, laid out here
        # without loading a lexer, which can take 100 ms.
        rows = self.screen.size.height if self.is_attached else 40
        preview = preview_source(markdown, rows)
        layout = self._layout_for(key, load_lexers=False)
        self._set_lines(None, layout(preview))
        # The layout thread holds the GIL often, so it starts after the paint.
        self.call_after_refresh(self._lay_out_all, key)

    def relayout(self) -> None:
        """Lay out the current Markdown again for a new width, mode or theme."""
        key = self._key()
        if key != self._layout_key:
            cached = self._layouts.get(key)
            if cached is not None:
                self._set_lines(key, cached)
            else:
                self._lay_out_all(key)

    def clear(self) -> None:
        """Show nothing."""
        self.markdown = ""
        self.links = []
        self._set_lines(None, [])

    def _key(self) -> LayoutKey:
        theme = self.app.theme if self.is_attached else ""
        return (hash(self.markdown), self.layout_width, self.reader_mode, theme)

    def _palette(self) -> Palette:
        return Palette.from_theme(self.app.theme_variables, self.app.current_theme.dark)

    def _layout_for(
        self, key: LayoutKey, *, load_lexers: bool = True
    ) -> Callable[[str], list[Strip]]:
        """Return a function that lays Markdown out as ``key`` says.

        Everything it needs from the app is read here, on the event loop, so
        the function can run in a thread.
        """
        _, width, reader_mode, _ = key
        if reader_mode:
            return partial(plain_strips, width=width)
        return partial(
            styled_strips,
            width=width,
            palette=self._palette(),
            links=link_targets(self.links),
            load_lexers=load_lexers,
        )

    @work(exclusive=True, group="article-layout")
    async def _lay_out_all(self, key: LayoutKey) -> None:
        markdown = self.markdown
        layout = self._layout_for(key)

        def lay_out_all() -> list[Strip]:
            with collector_paused():
                return layout(markdown)

        lines = await asyncio.to_thread(lay_out_all)
        if markdown is not self.markdown:
            return  # another article was opened meanwhile
        self._remember(key, lines)
        if key == self._key():
            self._set_lines(key, lines)
        else:
            # The width, mode or theme changed during the layout. This worker
            # is still running, and a new one would cancel it, so wait.
            self.call_later(self.relayout)

    def _remember(self, key: LayoutKey, lines: list[Strip]) -> None:
        self._layouts[key] = lines
        self._layouts.move_to_end(key)
        while len(self._layouts) > _CACHED_LAYOUTS:
            self._layouts.popitem(last=False)

    def _set_lines(self, key: LayoutKey | None, lines: list[Strip]) -> None:
        self._layout_key = key
        self.lines = lines
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Return the number of laid-out lines."""
        return len(self.lines)

    def render_line(self, y: int) -> Strip:
        """Return line ``y`` of the layout, in the widget's base style."""
        width = self.size.width
        if y >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        line = self.lines[y].crop_extend(0, width, self.rich_style)
        return line.apply_style(self.rich_style)

    def on_resize(self, event: events.Resize) -> None:
        """Lay the article out again when the width changed."""
        if self.markdown and self._layout_key is not None:
            self.relayout()


class ArticleView(FooterKeys, VerticalScroll, can_focus=True):
    """The open entry: title, feed, author, date and link, then the body.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `j`, `down` | `article.scroll_down` | Scroll down one line |
    | `k`, `up` | `article.scroll_up` | Scroll up one line |
    | `space` | `article.read_on` | Scroll a screen; at the end, next unread |
    | `pagedown` | `article.page_down` | Scroll down one screen |
    | `b`, `pageup` | `article.page_up` | Scroll up one screen |
    | `g`, `home` | `article.top` | Scroll to the top |
    | `G`, `end` | `article.bottom` | Scroll to the bottom |
    """

    FOOTER_KEYS: ClassVar[tuple[str, ...]] = (
        "article.scroll_down",
        "article.read_on",
        "article.page_up",
        "article.follow_link",
        "entry.copy_link",
        "article.reader_mode",
        "entry.open_link",
        "entry.next_unread",
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j,down", "scroll_down", "Scroll", show=False, id="article.scroll_down"
        ),
        Binding("k,up", "scroll_up", "Up", show=False, id="article.scroll_up"),
        Binding("space", "read_on", "Read on", id="article.read_on"),
        Binding("pagedown", "page_down", "Page", show=False, id="article.page_down"),
        Binding("b,pageup", "page_up", "Back", show=False, id="article.page_up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="article.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="article.bottom"),
    ]

    class EndReached(Message):
        """Space was pressed with the end of the article on screen."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entry: Entry | None = None

    def action_read_on(self) -> None:
        """Scroll down one screen, or post EndReached when the end shows."""
        if self.scroll_y < self.max_scroll_y:
            self.scroll_page_down(animate=False)
        else:
            self.post_message(self.EndReached())

    def compose(self) -> ComposeResult:
        """Stack the header above the body."""
        yield Static(id="article-header", markup=False)
        yield ArticleBody(id="article-body")

    @property
    def body(self) -> ArticleBody:
        """The article's body."""
        return self.query_one(ArticleBody)

    @property
    def links(self) -> list[ArticleLink]:
        """The numbered links of the open entry."""
        return self.body.links

    @property
    def reader_mode(self) -> bool:
        """Whether the body shows plain text instead of styled text."""
        return self.body.reader_mode

    @reader_mode.setter
    def reader_mode(self, enabled: bool) -> None:
        self.body.reader_mode = enabled
        if self.body.markdown:
            self.body.relayout()

    def show_entry(self, entry: Entry, markdown: str) -> None:
        """Show ``entry`` with its body converted to ``markdown``."""
        self.entry = entry
        self.query_one("#article-header", Static).update(entry_header(entry))
        self.body.show(markdown, parse_link_list(markdown))
        self.scroll_home(animate=False, immediate=True)

    def update_header(self, entry: Entry) -> None:
        """Redraw the header for a changed copy of the open entry."""
        if self.entry is not None and self.entry.id == entry.id:
            self.entry = entry
            self.query_one("#article-header", Static).update(entry_header(entry))

    def show_notice(self, text: str) -> None:
        """Clear the pane and show a line of our own text, such as a hint."""
        self.entry = None
        self.query_one("#article-header", Static).update(
            Content.styled(text, "$text-muted")
        )
        self.body.clear()

    def on_mount(self) -> None:
        """Load what layouts need in a thread, and lay the article out again
        in the new colors when the theme changes."""
        palette = Palette.from_theme(
            self.app.theme_variables, self.app.current_theme.dark
        )
        self.run_worker(partial(warm_up, palette), thread=True, group="warm-up")
        self.app.theme_changed_signal.subscribe(self, lambda _: self.body.relayout())
