"""Plain text from HTML fragments, and HTML from plain text.

Titles and names must be one line of plain text, while entry bodies are stored
as HTML. These helpers convert between the two without a full Markdown pass.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from reader.textsafe import clean_line


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML fragment, decoding entities once."""

    _BLOCK_TAGS = frozenset(
        {"br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
    )
    _SKIPPED_TAGS = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skipping += tag in self._SKIPPED_TAGS
        if tag in self._BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED_TAGS and self._skipping:
            self._skipping -= 1
        if tag in self._BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Return the text of an HTML fragment, tags dropped, one line."""
    extractor = _TextExtractor()
    extractor.feed(fragment)
    extractor.close()
    return clean_line("".join(extractor.parts))


def text_to_html(text: str) -> str:
    """Escape plain text as HTML paragraphs, keeping its line breaks."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(
        "<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs
    )


def first_words(text: str, count: int = 10) -> str:
    """Return the first ``count`` words of ``text``, with "…" if cut."""
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")
