"""Lay out article Markdown as plain text lines.

``tidings show --format text`` and the TUI's reader mode print this
layout. It is the article pane's layout (``reader.render``), changed for
text that is read and copied as it is. Code lines carry no padding, list
markers start at the left margin, and ordered lists keep the period after
their numbers. Code is not highlighted, since no colors are shown.
"""

from __future__ import annotations

import io
from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, ListElement, ListItem, MarkdownElement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from reader.render import TAB_SIZE, ArticleMarkdown, lines_to_text, wrap_code_line
from reader.textsafe import clean_text

BULLET = "• "
"""Written before the first line of each item of a bulleted list."""

_MIN_CODE_WIDTH = 8
_CONTINUATION_STYLE = Style()


class PlainCodeBlock(CodeBlock):
    """A code block as its lines, tabs expanded, with no padding.

    A line wider than the layout continues on the next line after
    ``reader.render.CONTINUATION``, as in the article pane.
    """

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> RenderResult:
        """Yield the lines of the block, wrapped to the layout's width."""
        code = Text(self.text.plain.removesuffix("\n"))
        code.expand_tabs(TAB_SIZE)
        width = max(_MIN_CODE_WIDTH, options.max_width)
        for line in code.split("\n", allow_blank=True):
            for piece in wrap_code_line(line, width, _CONTINUATION_STYLE):
                yield from piece.render(console)
                yield Segment.line()


class PlainListElement(ListElement):
    """A list whose numbers are aligned to the widest one it shows."""

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> RenderResult:
        """Yield the items with their bullets or numbers."""
        if self.list_type == "bullet_list_open":
            for item in self.items:
                yield from item.render_bullet(console, options)
            return
        first = 1 if self.list_start is None else self.list_start
        last = first + len(self.items) - 1
        for index, item in enumerate(self.items):
            yield from item.render_number(console, options, first + index, last)


class PlainListItem(ListItem):
    """A list item with its marker at the left margin.

    Lines after the first are indented by the marker's width, so nested
    lists step in by two columns under a bullet.
    """

    def render_bullet(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Yield the item's lines after ``BULLET``."""
        return self._render_marked(console, options, BULLET)

    def render_number(
        self, console: Console, options: ConsoleOptions, number: int, last_number: int
    ) -> RenderResult:
        """Yield the item's lines after "N. ", right-aligned to ``last_number``."""
        width = len(f"{last_number}.")
        return self._render_marked(console, options, f"{number}.".rjust(width) + " ")

    def _render_marked(
        self, console: Console, options: ConsoleOptions, marker: str
    ) -> RenderResult:
        indent = len(marker)
        item_options = options.update(width=max(1, options.max_width - indent))
        lines = console.render_lines(self.elements, item_options, style=self.style)
        for number, line in enumerate(lines):
            yield Segment(marker if number == 0 else " " * indent)
            yield from line
            yield Segment.line()


class PlainMarkdown(ArticleMarkdown):
    """``ArticleMarkdown`` with the plain code blocks and lists above."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **ArticleMarkdown.elements,
        "fence": PlainCodeBlock,
        "code_block": PlainCodeBlock,
        "bullet_list_open": PlainListElement,
        "ordered_list_open": PlainListElement,
        "list_item_open": PlainListItem,
    }


def plain_text(markdown: str, width: int = 80) -> str:
    """Lay out ``markdown`` as plain text lines of at most ``width`` cells.

    No color, no escape sequences and no rich markup: ``[bold]`` in an
    article stays literal text. Link URLs are not repeated after the link
    text, because the numbered link list shows them. Trailing spaces are
    removed from each line, and the text ends with one newline.
    """
    console = Console(
        file=io.StringIO(),
        width=max(1, width),
        color_system=None,
        markup=False,
        emoji=False,
        highlight=False,
        _environ={},
    )
    document = PlainMarkdown(clean_text(markdown), load_lexers=False)
    return lines_to_text(console.render_lines(document, console.options, pad=False))
