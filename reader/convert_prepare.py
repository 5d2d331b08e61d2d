"""Prepare article HTML for html2text by taking its code out.

On its own, html2text drops the language of a ``<pre>`` block, merges
adjacent blocks and cuts code spans that contain backticks. This pass parses
the HTML with the standard library's html.parser and replaces each ``<pre>``
and each inline ``<code>`` with a placeholder token. Prose characters that
would start Markdown syntax become tokens as well, to come back escaped. The
rest is written back out as HTML, with relative links resolved and table
cells kept on one line. The caller then swaps Markdown in for the tokens.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin

from reader.convert_code import Attributes, code_span, language_from_attributes
from reader.textsafe import clean_text

_VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)
_SKIPPED_ELEMENTS = frozenset({"script", "style", "template"})
_INLINE_CODE_ELEMENTS = frozenset({"code", "kbd", "samp", "tt"})
# Elements whose Markdown form cannot hold a fenced block.
_INLINE_CONTEXTS = frozenset({"a", "h1", "h2", "h3", "h4", "h5", "h6"})
# A GFM table cell is one line, so these become spaces inside a cell.
_CELL_BREAKS = frozenset({"br", "p", "div"})
_URL_ATTRIBUTES = {"a": "href", "img": "src"}

# Prose characters that can start Markdown syntax and that html2text leaves
# bare: "<T>" would become an HTML tag, "*args" emphasis. ``_escape_prose``
# decides which of them need a backslash where they stand.
_MARKDOWN_SIGNIFICANT = re.compile(r"[\\`\[<&*_~|#>]")
_ENTITY_LIKE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


@dataclass(frozen=True)
class Tokens:
    """Placeholder tokens of one conversion, unique to it.

    The random part keeps article text from forging a token. Tokens are
    letters and digits only, so html2text copies them without escaping.
    """

    prefix: str

    @classmethod
    def unused_in(cls, html: str) -> Tokens:
        """Return tokens whose prefix does not occur in ``html``."""
        while True:
            prefix = "TDG" + secrets.token_hex(4).upper()
            if prefix not in html:
                return cls(prefix)

    def block(self, index: int) -> str:
        """Return the token of code block ``index``."""
        return f"{self.prefix}B{index}Z"

    def span(self, index: int) -> str:
        """Return the token of inline code span ``index``."""
        return f"{self.prefix}C{index}Z"

    def escaped(self, char: str) -> str:
        """Return the token of ``char`` to be written back as ``\\char``."""
        return f"{self.prefix}E{ord(char)}Z"


@dataclass(frozen=True)
class CodeBlock:
    """The text and language of one ``<pre>`` block."""

    text: str
    """Decoded text: entities resolved, markup flattened, ``<br>`` as newline."""
    language: str | None


@dataclass(frozen=True)
class PreparedHTML:
    """HTML with its code replaced by tokens, and what the tokens stand for."""

    html: str
    blocks: list[CodeBlock]
    """Code blocks, by the index in their token."""
    spans: list[str]
    """Markdown code spans, by the index in their token."""


@dataclass
class _Capture:
    """Text collected inside a ``<pre>`` or an inline code element."""

    tag: str
    attributes: Attributes
    depth: int = 1
    parts: list[str] = field(default_factory=list)
    code_attributes: Attributes | None = None
    """Attributes of the first ``<code>`` inside a ``<pre>``."""
    at_start: bool = True
    """Whether nothing has followed the start tag yet."""


def _escape_prose(text: str, tokens: Tokens, in_cell: bool) -> str:
    """Replace each Markdown-significant character of ``text`` that needs a
    backslash with its token.

    Where a neighbour lies outside ``text`` it is unknown, so the character
    is escaped.
    """
    first_visible = len(text) - len(text.lstrip())

    def needs_escape(char: str, start: int) -> bool:
        before = text[start - 1] if start > 0 else ""
        after = text[start + 1] if start + 1 < len(text) else ""
        if char == "<":
            return not after or after.isalpha() or after in "/!?"
        if char == "&":
            return _ENTITY_LIKE.match(text, start) is not None
        if char == "*":
            # A star between spaces is text, unless it starts a line (bullet).
            spaced = before.isspace() and after.isspace()
            return start == first_visible or not spaced
        if char == "_":
            # Underscores inside a word never make emphasis (snake_case).
            return not (before.isalnum() and after.isalnum())
        if char == "~":
            # rich enables strikethrough, made by two tildes. One is text.
            return "~" in (before, after)
        if char == "|":
            return in_cell
        if char in "#>":
            # These act only at the start of a line, and html2text starts a
            # line with the text of a block element.
            return start == first_visible
        return True  # backslash, backtick and "[" (a link cannot open then)

    def replace(match: re.Match[str]) -> str:
        char = match[0]
        return tokens.escaped(char) if needs_escape(char, match.start()) else char

    return _MARKDOWN_SIGNIFICANT.sub(replace, text)


def prepare_html(html: str, tokens: Tokens, base_url: str | None) -> PreparedHTML:
    """Replace the code and the Markdown-significant prose characters of
    ``html`` with ``tokens``, and resolve relative links against ``base_url``."""
    parser = _Preparer(tokens, base_url)
    parser.feed(html)
    parser.close()
    return PreparedHTML("".join(parser.out), parser.blocks, parser.spans)


class _Preparer(HTMLParser):
    """Rewrite HTML as it is parsed, collecting code into blocks and spans."""

    def __init__(self, tokens: Tokens, base_url: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens = tokens
        self.base_url = base_url
        self.out: list[str] = []
        self.blocks: list[CodeBlock] = []
        self.spans: list[str] = []
        self._pre: _Capture | None = None
        self._span: _Capture | None = None
        self._skip: _Capture | None = None
        self._inline_depth = 0
        # Whether a cell is open, per open table. An unclosed <td> ends at
        # the next <td> or <tr>, as in HTML.
        self._tables: list[bool] = []

    def handle_starttag(self, tag: str, attrs: Attributes) -> None:
        """Collect code, skip scripts, or write the tag back out."""
        capture = self._skip or self._span
        if capture is not None:
            if tag == capture.tag:
                capture.depth += 1
            elif tag == "br" and capture is self._span:
                capture.parts.append("\n")
        elif self._pre is not None:
            self._pre_starttag(tag, attrs)
        elif tag in _SKIPPED_ELEMENTS:
            self._skip = _Capture(tag, attrs)
        elif tag == "pre":
            self._pre = _Capture(tag, attrs)
        elif tag in _INLINE_CODE_ELEMENTS:
            self._span = _Capture(tag, attrs)
        elif self._in_cell() and tag in _CELL_BREAKS:
            self.out.append(" ")
        else:
            self._track_start(tag)
            self.out.append(self._start_tag(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        """Finish collected code, or write the end tag back out."""
        capture = self._skip or self._span or self._pre
        if capture is not None:
            if tag == capture.tag:
                capture.depth -= 1
            if capture.depth == 0:
                self._finish(capture)
        elif self._in_cell() and tag in _CELL_BREAKS:
            self.out.append(" ")
        elif tag not in _VOID_ELEMENTS:
            self._track_end(tag)
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        """Collect code text, or write text back out escaped."""
        data = clean_text(data)
        if self._skip is not None:
            return
        capture = self._span or self._pre
        if capture is not None:
            # HTML drops one newline right after the <pre> start tag.
            if capture is self._pre and capture.at_start:
                data = data.removeprefix("\n")
            capture.at_start = False
            capture.parts.append(data)
            return
        # html2text with unicode_snob turns &nbsp; into U+00A0, which is not
        # indentation, so it cannot make a paragraph an indented code block.
        text = _escape_prose(data, self.tokens, self._in_cell())
        self.out.append(escape(text, quote=False).replace("\xa0", "&nbsp;"))

    def close(self) -> None:
        """Parse what is left and finish code left open at the end."""
        super().close()
        for capture in (self._span, self._pre):
            if capture is not None:
                self._finish(capture)

    def _pre_starttag(self, tag: str, attrs: Attributes) -> None:
        pre = self._pre
        assert pre is not None
        pre.at_start = False
        if tag == "pre":
            pre.depth += 1
        elif tag == "code" and pre.code_attributes is None:
            pre.code_attributes = attrs
        elif tag == "br":
            pre.parts.append("\n")
        elif tag in ("div", "p") and pre.parts and not pre.parts[-1].endswith("\n"):
            # Block elements inside <pre> (one per line in some highlighters)
            # start a new line.
            pre.parts.append("\n")

    def _finish(self, capture: _Capture) -> None:
        if capture is self._skip:
            self._skip = None
            return
        text = "".join(capture.parts)
        if capture is self._span:
            self._span = None
            self._add_span(text)
            return
        self._pre = None
        if self._inline_depth or self._in_cell():
            # NOTE: a fenced block cannot sit in a table cell, heading or
            # link, so a <pre> there becomes a one-line code span.
            self._add_span(text)
            return
        language = language_from_attributes(
            capture.code_attributes or []
        ) or language_from_attributes(capture.attributes)
        self.out.append(f"<pre>{self.tokens.block(len(self.blocks))}</pre>")
        self.blocks.append(CodeBlock(text, language))

    def _add_span(self, text: str) -> None:
        span = code_span(text, in_table=self._in_cell())
        if span:
            self.out.append(self.tokens.span(len(self.spans)))
            self.spans.append(span)

    def _in_cell(self) -> bool:
        return any(self._tables)

    def _track_start(self, tag: str) -> None:
        if tag in _INLINE_CONTEXTS:
            self._inline_depth += 1
        elif tag == "table":
            self._tables.append(False)
        elif tag in ("td", "th") and self._tables:
            self._tables[-1] = True
        elif tag == "tr" and self._tables:
            self._tables[-1] = False

    def _track_end(self, tag: str) -> None:
        if tag in _INLINE_CONTEXTS:
            self._inline_depth = max(0, self._inline_depth - 1)
        elif tag == "table" and self._tables:
            self._tables.pop()
        elif tag in ("td", "th", "tr") and self._tables:
            self._tables[-1] = False

    def _start_tag(self, tag: str, attrs: Attributes) -> str:
        parts = [tag]
        for name, value in attrs:
            if value is None:
                parts.append(name)
                continue
            value = clean_text(value)
            if self.base_url and _URL_ATTRIBUTES.get(tag) == name:
                value = urljoin(self.base_url, value.strip())
            parts.append(f'{name}="{escape(value)}"')
        return "<" + " ".join(parts) + ">"
