"""Lay out article Markdown as lines of styled text for the article pane.

The layout is rich's Markdown layout, except for code and images. Code
blocks are highlighted by Pygments in their declared language and never
cut: a line wider than the pane continues on the next screen line after a
``↪`` marker. ``tidings show --format text`` and the TUI's reader mode use
the plain layout of ``reader.convert_text`` instead, which changes this
one for text that is copied as it is.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import ClassVar

from markdown_it.token import Token
from rich.cells import split_graphemes
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown, MarkdownElement
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from rich.theme import Theme

from reader.lexers import PLAIN, get_lexer, is_loaded, lexer_name
from reader.textsafe import clean_text

CONTINUATION = "↪ "
"""Written before the rest of a code line that did not fit the width."""

TAB_SIZE = 8
"""Columns between tab stops in code, as in terminals and most editors."""

# One column of padding on each side of a code block, as rich pads it.
_CODE_PADDING = 1
_MIN_CODE_WIDTH = 8


class ArticleCodeBlock(CodeBlock):
    """A code block laid out without losing a character.

    The language resolves through ``reader.lexers.lexer_name``, so aliases
    work and unknown languages show as plain text. Each code line that is
    wider than the block continues on the next line after ``CONTINUATION``.
    """

    def __init__(self, lexer: str, theme: str, background: str | None) -> None:
        super().__init__(lexer, theme)
        self.background = background
        """The block's background color, or None for the theme's."""

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> ArticleCodeBlock:
        """Build the block for a fence or indented code token."""
        name = lexer_name(token.info)
        if not getattr(markdown, "load_lexers", True) and not is_loaded(name):
            name = PLAIN
        background = getattr(markdown, "code_background", None)
        return cls(name, markdown.code_theme, background)

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> RenderResult:
        """Yield the highlighted, wrapped lines of the block."""
        code = self.text.plain.removesuffix("\n")
        syntax = Syntax(
            code,
            get_lexer(self.lexer_name),
            theme=self.theme,
            tab_size=TAB_SIZE,
            background_color=self.background,
        )
        highlighted = syntax.highlight(code)
        highlighted.rstrip_end(len(code))
        highlighted.expand_tabs(TAB_SIZE)
        base = Syntax.get_theme(self.theme).get_background_style()
        if self.background is not None:
            base += Style(bgcolor=self.background)
        width = max(_MIN_CODE_WIDTH, options.max_width - 2 * _CODE_PADDING)
        marker = Style(dim=True)
        blank = [Segment(" " * (width + 2 * _CODE_PADDING), base), Segment.line()]
        yield from blank
        for line in highlighted.split("\n", allow_blank=True):
            for piece in wrap_code_line(line, width, marker):
                piece.pad_right(width - piece.cell_len)
                yield Segment(" " * _CODE_PADDING, base)
                yield from Segment.apply_style(piece.render(console), base)
                yield Segment(" " * _CODE_PADDING, base)
                yield Segment.line()
        yield from blank


def wrap_code_line(line: Text, width: int, marker: Style) -> list[Text]:
    """Split one code line into pieces of at most ``width`` cells.

    Every piece after the first starts with ``CONTINUATION`` in ``marker``
    style. Pieces break between grapheme clusters, so no character is cut,
    and joining the pieces without their markers gives ``line`` back.
    """
    if line.cell_len <= width:
        return [line]
    spans, _ = split_graphemes(line.plain)
    offsets: list[int] = []
    room = width
    used = 0
    for start, _end, cells in spans:
        if used + cells > room and used > 0:
            offsets.append(start)
            room = width - len(CONTINUATION)
            used = 0
        used += cells
    pieces = list(line.divide(offsets))
    return [pieces[0]] + [
        Text.assemble((CONTINUATION, marker), piece) for piece in pieces[1:]
    ]


def image_label(alt: str) -> str:
    """Return the text that stands for an image: ``[image: alt]``."""
    return f"[image: {alt}]" if alt else "[image]"


def images_as_links(tokens: list[Token]) -> list[Token]:
    """Replace each image among parsed ``tokens`` with its ``image_label``,
    a link to the image unless it already sits inside a link.

    rich draws an image apart from the text around it, so the label takes
    the image's place in the text instead.
    """
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        children: list[Token] = []
        link_depth = 0
        for child in token.children:
            if child.type != "image":
                link_depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
                children.append(child)
                continue
            alt = "".join(part.content for part in child.children or [])
            label = Token("text", "", 0, content=image_label(alt))
            if link_depth:
                children.append(label)
            else:
                src = str(child.attrs.get("src", ""))
                children.append(Token("link_open", "a", 1, attrs={"href": src}))
                children.extend((label, Token("link_close", "a", -1)))
        token.children = children
    return tokens


class ArticleMarkdown(Markdown):
    """rich's Markdown with ``ArticleCodeBlock`` for code and images shown
    as ``[image: alt]`` in the text.

    Link URLs are carried as the ``link`` of a style, never written after
    the link text, because the numbered link list shows them.
    """

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "fence": ArticleCodeBlock,
        "code_block": ArticleCodeBlock,
    }

    def __init__(
        self,
        markup: str,
        code_theme: str = "monokai",
        code_background: str | None = None,
        load_lexers: bool = True,
    ) -> None:
        super().__init__(markup, code_theme=code_theme, hyperlinks=True)
        self.parsed = images_as_links(self.parsed)
        self.code_background = code_background
        self.load_lexers = load_lexers
        """Whether code may be highlighted with a lexer not loaded yet."""


def render_lines(
    markdown: str,
    width: int,
    *,
    styles: Mapping[str, str] | None = None,
    code_theme: str = "monokai",
    code_background: str | None = None,
    load_lexers: bool = True,
) -> list[list[Segment]]:
    """Lay out ``markdown`` as lines of styled segments ``width`` cells wide.

    ``styles`` overrides rich's Markdown styles by name (``markdown.h1``,
    ``markdown.link_url`` and so on); ``code_theme`` is a Pygments style
    name and ``code_background`` a color for code blocks. Without
    ``load_lexers``, code in a language whose lexer is not loaded yet shows
    plain, so the layout compiles no lexer. Segments of link text carry the
    link URL as their style's ``link``.
    """
    console = Console(
        file=io.StringIO(),
        width=max(1, width),
        color_system="truecolor",
        force_terminal=True,
        markup=False,
        emoji=False,
        highlight=False,
        theme=Theme(dict(styles or {})),
        _environ={},
    )
    document = ArticleMarkdown(
        clean_text(markdown), code_theme, code_background, load_lexers
    )
    return console.render_lines(document, console.options, pad=False)


def render_text(markdown: str, width: int = 80) -> str:
    """Lay out ``markdown`` as the article pane does, as text without styles.

    Lines are at most ``width`` cells wide. Trailing spaces are removed
    from each line, and the text ends with one newline.
    """
    return lines_to_text(render_lines(markdown, width))


def lines_to_text(lines: Iterable[list[Segment]]) -> str:
    """Join laid-out lines into plain text without styles or trailing spaces."""
    text = "\n".join("".join(s.text for s in line).rstrip() for line in lines)
    return clean_text(text).strip("\n") + "\n"
