"""Article Markdown laid out as Textual strips, in the colors of the app theme.

Layout runs in a worker thread (``ArticleBody`` calls these functions there),
because a long article takes rich hundreds of milliseconds to lay out. Link
text is made clickable through Textual's ``@click`` meta instead of terminal
hyperlinks, so a click goes through the app's scheme check and no URL from a
feed is ever written to the terminal.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from rich.segment import Segment
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.strip import Strip

from reader.convert_text import plain_text
from reader.links import ArticleLink
from reader.render import render_lines

PREVIEW_LINES_PER_ROW = 2
"""Source lines read for the first paint per screen row: most Markdown lines
lay out as at least one screen line, so this fills the screen."""


@dataclass(frozen=True)
class Palette:
    """Colors of the article body, as rich style definitions."""

    styles: Mapping[str, str]
    """rich Markdown style names mapped to style definitions."""
    code_theme: str
    """Pygments style of code blocks."""
    code_background: str
    """Background color of code blocks."""

    @classmethod
    def from_theme(cls, variables: Mapping[str, str], dark: bool) -> Palette:
        """Build a palette from Textual theme variables (``App.theme_variables``)."""
        surface = Color.parse(variables.get("surface", "#1e1e1e"))

        def solid(name: str, fallback: str) -> str:
            # Theme colors may be translucent; rich needs opaque ones.
            try:
                color = Color.parse(variables.get(name, fallback))
            except ColorParseError:
                color = Color.parse(fallback)
            return (surface + color).hex6

        primary = solid("text-primary", "#57a5e2")
        accent = solid("text-accent", "#ffc473")
        muted = solid("foreground-muted", "#a0a0a0")
        warning = solid("text-warning", "#ffc473")
        styles = {
            "markdown.h1": f"bold {primary}",
            "markdown.h2": f"bold {primary}",
            "markdown.h3": f"bold {primary}",
            "markdown.h4": "bold",
            "markdown.h5": "bold",
            "markdown.h6": "italic",
            "markdown.link": f"underline {accent}",
            "markdown.link_url": f"underline {accent}",
            "markdown.code": f"bold {warning}",
            "markdown.block_quote": muted,
            "markdown.hr": muted,
            "markdown.item.bullet": accent,
            "markdown.item.number": accent,
            "markdown.table.border": muted,
        }
        shade = Color(0, 0, 0, 0.15) if dark else Color(255, 255, 255, 0.5)
        code_background = (surface + shade).hex6
        if "code-background" in variables:
            # A theme may set it, as the "tidings" reading theme does.
            code_background = solid("code-background", code_background)
        return cls(styles, "monokai" if dark else "default", code_background)


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a layout runs.

    A long article allocates about a million objects, and each full
    collection they trigger holds the GIL for tens of milliseconds, so the
    event loop stalls although the layout runs in another thread. After the
    last concurrent layout, ``gc.freeze`` moves the objects alive into the
    permanent generation, so later collections do not scan the laid-out
    lines again. Reference counting still frees them when they are dropped.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                gc.freeze()
                if _gc_was_enabled:
                    gc.enable()


WARM_UP_MARKDOWN = (
    "# Title\n\nText with `code` and [a link](https://example.com/).\n\n"
    "```python\nprint(1)\n```\n\n| a | b |\n| - | - |\n| 1 | 2 |\n"
)
"""A small article whose layout loads the modules every layout needs."""


def warm_up(palette: Palette) -> None:
    """Lay out a small article once, so the first real one does not pay for
    importing rich's Markdown, table and syntax modules and compiling the
    Python lexer. Meant to run in a thread while the app starts."""
    with collector_paused():
        styled_strips(WARM_UP_MARKDOWN, 80, palette, {})
        plain_strips(WARM_UP_MARKDOWN, 80)


def link_targets(links: Iterable[ArticleLink]) -> dict[str, int]:
    """Map each link's URL, normalized as markdown-it writes hrefs, to its
    number."""
    return {normalizeLink(link.url): link.number for link in links}


def styled_strips(
    markdown: str,
    width: int,
    palette: Palette,
    links: Mapping[str, int],
    *,
    load_lexers: bool = True,
) -> list[Strip]:
    """Lay out ``markdown`` in color as strips of ``width`` cells.

    Link text whose URL is in ``links`` (see ``link_targets``) opens that
    link when clicked; no strip carries a terminal hyperlink. Without
    ``load_lexers``, code whose lexer is not loaded yet shows plain.
    """
    lines = render_lines(
        markdown,
        width,
        styles=palette.styles,
        code_theme=palette.code_theme,
        code_background=palette.code_background,
        load_lexers=load_lexers,
    )
    return [Strip(_clickable(line, links)) for line in lines]


def plain_strips(markdown: str, width: int) -> list[Strip]:
    """Lay out ``markdown`` as plain text strips, as ``tidings show
    --format text`` prints it at ``width`` columns."""
    text = plain_text(markdown, width)
    return [Strip([Segment(line)]) for line in text.removesuffix("\n").split("\n")]


def _clickable(line: list[Segment], links: Mapping[str, int]) -> list[Segment]:
    segments = []
    for segment in line:
        style = segment.style
        if style is not None and style.link:
            number = links.get(style.link)
            style = style.update_link(None)
            if number is not None:
                style += Style.from_meta({"@click": f"app.follow_link({number})"})
            segment = Segment(segment.text, style)
        segments.append(segment)
    return segments


def preview_source(markdown: str, rows: int) -> str:
    """Return the leading top-level blocks of ``markdown`` that fill about
    ``rows`` screen rows, for a first paint before the whole layout.

    Returns all of ``markdown`` when it is that short, and "" when its first
    block alone is longer.
    """
    lines = markdown.split("\n", max(1, rows) * PREVIEW_LINES_PER_ROW)
    budget = max(1, rows) * PREVIEW_LINES_PER_ROW
    if len(lines) <= budget:
        return markdown
    head = "\n".join(lines[:budget])
    parser = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    starts = [
        token.map[0]
        for token in parser.parse(head)
        if token.level == 0 and token.nesting >= 0 and token.map is not None
    ]
    # The last block may run past the cut, so the preview ends before it.
    cut = starts[-1] if starts else 0
    return "\n".join(lines[:cut])
