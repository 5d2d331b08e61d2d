"""The article pane: an entry's header and its body rendered as Markdown."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownBlock, MarkdownFence

from reader.models import Entry
from reader.textsafe import clean_text
from reader.tui.code import lexer_name
from reader.tui.formatting import entry_header


class ArticleFence(MarkdownFence):
    """A fenced code block highlighted by Pygments in its declared language.

    Aliases such as ``py``, ``sh``, ``tsx`` and ``yml`` resolve through
    Pygments; an unknown or missing language shows as plain text.
    """

    @classmethod
    def highlight(
        cls, code: str, language: str, ansi: bool = False, dark: bool = False
    ) -> Content:
        """Highlight ``code`` with the lexer named by the fence's info string."""
        return super().highlight(code, lexer_name(language), ansi=ansi, dark=dark)


class ArticleMarkdown(Markdown):
    """Markdown whose code blocks use ``ArticleFence``.

    Links are not opened here: the app receives ``Markdown.LinkClicked`` and
    opens only http(s) links.
    """

    # Markdown annotates BLOCKS without ClassVar, and an override must match.
    BLOCKS: dict[str, type[MarkdownBlock]] = {  # noqa: RUF012
        **Markdown.BLOCKS,
        "fence": ArticleFence,
        "code_block": ArticleFence,
    }


class ArticleView(VerticalScroll, can_focus=True):
    """The open entry: title, feed, author, date and link, then the body.

    | Key | Binding id | Action |
    | --- | --- | --- |
    | `j`, `down` | `article.scroll_down` | Scroll down one line |
    | `k`, `up` | `article.scroll_up` | Scroll up one line |
    | `space`, `pagedown` | `article.page_down` | Scroll down one screen |
    | `b`, `pageup` | `article.page_up` | Scroll up one screen |
    | `g`, `home` | `article.top` | Scroll to the top |
    | `G`, `end` | `article.bottom` | Scroll to the bottom |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Down", show=False, id="article.scroll_down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="article.scroll_up"),
        Binding("space,pagedown", "page_down", "Page", id="article.page_down"),
        Binding("b,pageup", "page_up", "Back", show=False, id="article.page_up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="article.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="article.bottom"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entry: Entry | None = None

    def compose(self) -> ComposeResult:
        """Stack the header above the body."""
        yield Static(id="article-header", markup=False)
        yield ArticleMarkdown(id="article-body", open_links=False)

    async def show_entry(self, entry: Entry, markdown: str) -> None:
        """Show ``entry`` with its body converted to ``markdown``."""
        self.entry = entry
        self.query_one("#article-header", Static).update(entry_header(entry))
        await self.query_one(ArticleMarkdown).update(clean_text(markdown))
        self.scroll_home(animate=False, immediate=True)

    def update_header(self, entry: Entry) -> None:
        """Redraw the header for a changed copy of the open entry."""
        if self.entry is not None and self.entry.id == entry.id:
            self.entry = entry
            self.query_one("#article-header", Static).update(entry_header(entry))

    async def show_notice(self, text: str) -> None:
        """Clear the pane and show a line of our own text, such as a hint."""
        self.entry = None
        self.query_one("#article-header", Static).update(
            Content.styled(text, "$text-muted")
        )
        await self.query_one(ArticleMarkdown).update("")
