"""Prepare article HTML for html2text by taking out what it gets wrong.

On its own, html2text drops the language of a ``<pre>`` block, merges
adjacent blocks, cuts code spans that contain backticks, and shows images
and embedded video as nothing or as Markdown images. This pass parses the
HTML with the standard library's html.parser and replaces each ``<pre>``,
inline ``<code>``, link, image and embedded media element with a placeholder
token. Prose characters that would start Markdown syntax become tokens as
well, to come back escaped. The rest is written back out as HTML, with
relative URLs resolved, table cells kept on one line, and ``<details>``,
``<figure>`` and ``<sup>`` rewritten into elements html2text converts. The
caller then swaps Markdown in for the tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from reader.convert_anchors import AnchorWriter
from reader.convert_code import Attributes, code_span, language_from_attributes
from reader.convert_links import LinkCollector, superscript
from reader.convert_tables import TableTracker
from reader.convert_tokens import Tokens, escape_prose
from reader.textsafe import clean_text

_VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)
_SKIPPED_ELEMENTS = frozenset({"script", "style", "template", "noscript"})
_INLINE_CODE_ELEMENTS = frozenset({"code", "kbd", "samp", "tt"})
# Embedded media: their content is fallback text for old browsers.
_MEDIA_ELEMENTS = frozenset({"iframe", "video", "audio", "object"})
# Elements whose Markdown form cannot hold a fenced block. Links count as
# well, through ``AnchorWriter.open_anchors``.
_INLINE_CONTEXTS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# A GFM table cell is one line, so these become spaces inside a cell.
_CELL_BREAKS = frozenset({"br", "p", "div"})
# Elements html2text does not know, written as ones it does: (start, end).
_REWRITTEN = {
    "details": ("<div>", "</div>"),
    "figure": ("<div>", "</div>"),
    "figcaption": ("<p><em>", "</em></p>"),
    "summary": ("<p><strong>▶ ", "</strong></p>"),
}
# Elements dropped while their content stays.
_TRANSPARENT = frozenset({"picture", "source", "track"})
# How many enclosing <div> elements may name the language of a <pre> that
# names none: Jekyll (Rouge) and Sphinx put it two levels up, GitHub one.
_WRAPPER_LEVELS = 2
# End tags of the inline elements that html2text writes as emphasis marks.
_EMPHASIS_ENDS = frozenset(
    f"</{tag}>" for tag in ("em", "i", "u", "strong", "b", "del", "strike", "s")
)


@dataclass(frozen=True)
class CodeBlock:
    """The text and language of one ``<pre>`` block."""

    text: str
    """Decoded text: entities resolved, markup flattened, ``<br>`` as newline."""
    language: str | None


@dataclass(frozen=True)
class PreparedHTML:
    """HTML with its code and links replaced by tokens, and what the tokens
    stand for."""

    html: str
    blocks: list[CodeBlock]
    """Code blocks, by the index in their token."""
    spans: list[str]
    """Markdown code spans, by the index in their token."""
    links: LinkCollector
    """Links, images and media, by the index in their tokens."""


@dataclass
class _Capture:
    """Text collected inside a ``<pre>``, an inline code or a media element."""

    tag: str
    attributes: Attributes
    depth: int = 1
    parts: list[str] = field(default_factory=list)
    code_attributes: Attributes | None = None
    """Attributes of the first ``<code>`` inside a ``<pre>``."""
    at_start: bool = True
    """Whether nothing has followed the start tag yet."""
    source: str | None = None
    """The first ``<source src>`` inside a ``<video>`` or ``<audio>``."""


def prepare_html(html: str, tokens: Tokens, base_url: str | None) -> PreparedHTML:
    """Replace the code, links, images, media and Markdown-significant prose
    characters of ``html`` with ``tokens``, resolving relative URLs against
    ``base_url``."""
    parser = _Preparer(tokens, base_url)
    parser.feed(html)
    parser.close()
    links = parser.anchors.links
    return PreparedHTML("".join(parser.out), parser.blocks, parser.spans, links)


class _Preparer(HTMLParser):
    """Rewrite HTML as it is parsed, collecting code into blocks and spans."""

    def __init__(self, tokens: Tokens, base_url: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens = tokens
        self.base_url = base_url
        self.out: list[str] = []
        self.blocks: list[CodeBlock] = []
        self.spans: list[str] = []
        self._span_texts: list[str] = []
        self._span_token = re.compile(re.escape(tokens.prefix) + r"C(\d+)Z")
        self.anchors = AnchorWriter(tokens, base_url, self.out)
        self._pre: _Capture | None = None
        self._span: _Capture | None = None
        self._skip: _Capture | None = None
        self._inline_depth = 0
        # An unclosed <td> ends at the next <td> or <tr>, as in HTML.
        self._tables = TableTracker(self.out)
        # Per open <sup> or <sub>: its tag and where its output starts.
        self._scripts: list[tuple[str, int]] = []
        # Per open <div>: the code language its attributes name, if any.
        self._div_languages: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: Attributes) -> None:
        """Collect code, skip scripts, or write the tag back out."""
        capture = self._skip or self._span
        if capture is not None:
            self._captured_starttag(capture, tag, attrs)
        elif self._pre is not None:
            self._pre_starttag(tag, attrs)
        elif tag in _SKIPPED_ELEMENTS:
            self._skip = _Capture(tag, attrs)
        elif tag == "pre":
            self._pre = _Capture(tag, attrs)
        elif tag in _INLINE_CODE_ELEMENTS:
            self._span = _Capture(tag, attrs)
        elif tag in _MEDIA_ELEMENTS:
            self._skip = _Capture(tag, attrs)
        elif tag in ("a", "img", "embed"):
            self._anchor_starttag(tag, attrs)
        elif self._in_cell() and tag in _CELL_BREAKS:
            self.out.append(" ")
        else:
            self._write_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        """Finish collected code, or write the end tag back out."""
        capture = self._skip or self._span or self._pre
        if capture is not None:
            if tag == capture.tag:
                capture.depth -= 1
            if capture.depth == 0:
                self._finish(capture)
        elif tag == "a":
            self.anchors.end_anchor()
        elif self._in_cell() and tag in _CELL_BREAKS:
            self.out.append(" ")
        elif tag in ("sup", "sub"):
            self._end_script(tag)
        elif tag in _REWRITTEN:
            self.out.append(_REWRITTEN[tag][1])
        elif tag in _VOID_ELEMENTS or tag in _TRANSPARENT:
            return
        elif self._track_end(tag):
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
        # A soft hyphen only marks where a word may break. Terminals differ
        # on its width, so it goes.
        data = data.replace("\xad", "")
        # html2text with unicode_snob turns &nbsp; into U+00A0, which is not
        # indentation, so it cannot make a paragraph an indented code block.
        in_link = self.anchors.in_link
        text = escape_prose(data, self.tokens, in_cell=self._in_cell(), in_link=in_link)
        if self._follows_emphasis(data):
            text = self.tokens.glue() + text
        self.out.append(escape(text, quote=False).replace("\xa0", "&nbsp;"))

    def _follows_emphasis(self, data: str) -> bool:
        """Return whether ``data`` starts with punctuation right after the end
        of emphasis, with no space between them.

        CommonMark closes emphasis before punctuation, so the space that
        html2text puts there is not needed. Before a letter it is, because
        "_word_s" does not close the underscore.
        """
        first = data[:1]
        if not first or first.isalnum() or first.isspace():
            return False
        return bool(self.out) and self.out[-1] in _EMPHASIS_ENDS

    def close(self) -> None:
        """Parse what is left and finish code left open at the end."""
        super().close()
        for capture in (self._span, self._pre, self._skip):
            if capture is not None:
                self._finish(capture)
        while self.anchors.open_anchors:
            self.anchors.end_anchor()

    # Code and skipped elements

    def _captured_starttag(
        self, capture: _Capture, tag: str, attrs: Attributes
    ) -> None:
        if tag == capture.tag:
            capture.depth += 1
        elif tag == "br" and capture is self._span:
            capture.parts.append("\n")
        elif tag == "source" and capture.source is None:
            capture.source = dict(attrs).get("src")

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
            if capture.tag in _MEDIA_ELEMENTS:
                values = {name: value or "" for name, value in capture.attributes}
                self.anchors.media(capture.tag, values, capture.source, self._in_cell())
            return
        text = "".join(capture.parts)
        if capture is self._span:
            self._span = None
            self._add_span(text)
            return
        self._pre = None
        if self._inline_depth or self.anchors.open_anchors or self._in_cell():
            # NOTE: a fenced block cannot sit in a table cell, heading or
            # link, so a <pre> there becomes a one-line code span.
            self._add_span(text)
            return
        language = (
            language_from_attributes(capture.code_attributes or [])
            or language_from_attributes(capture.attributes)
            or self._wrapper_language()
        )
        self.out.append(f"<pre>{self.tokens.block(len(self.blocks))}</pre>")
        self.blocks.append(CodeBlock(text, language))

    def _add_span(self, text: str) -> None:
        span = code_span(text, in_table=self._in_cell())
        if span:
            self.out.append(self.tokens.span(len(self.spans)))
            self.spans.append(span)
            self._span_texts.append(text)

    # Links, images and media

    def _anchor_starttag(self, tag: str, attrs: Attributes) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a":
            self.anchors.start_anchor(values.get("href", ""), self._in_cell())
        elif tag == "img":
            self.anchors.image(values, self._in_cell())
        else:
            self.anchors.embed(values, self._in_cell())

    # Other elements

    def _write_starttag(self, tag: str, attrs: Attributes) -> None:
        if tag in ("sup", "sub"):
            self._scripts.append((tag, len(self.out)))
        elif tag in _REWRITTEN:
            self.out.append(_REWRITTEN[tag][0])
        elif tag not in _TRANSPARENT:
            self._track_start(tag, attrs)
            self.out.append(self._start_tag(tag, attrs))

    def _end_script(self, tag: str) -> None:
        """Write a footnote number in <sup> or <sub> as superscript or
        subscript digits. Other text inside stays as it is."""
        while self._scripts:
            open_tag, start = self._scripts.pop()
            if open_tag == tag:
                text = self.tokens.unescape("".join(self.out[start:]))
                digits = superscript(text, below=tag == "sub")
                if digits is not None:
                    del self.out[start:]
                    self.out.append(digits)
                return

    def _wrapper_language(self) -> str | None:
        """Return the language named by one of the innermost open <div>s."""
        for language in reversed(self._div_languages[-_WRAPPER_LEVELS:]):
            if language:
                return language
        return None

    def _in_cell(self) -> bool:
        return self._tables.in_cell

    def _track_start(self, tag: str, attrs: Attributes) -> None:
        if tag in _INLINE_CONTEXTS:
            self._inline_depth += 1
        elif tag == "div":
            self._div_languages.append(language_from_attributes(attrs))
        self._tables.start(tag)

    def _track_end(self, tag: str) -> bool:
        """Note an end tag; return whether to write it."""
        if tag in _INLINE_CONTEXTS:
            self._inline_depth = max(0, self._inline_depth - 1)
        elif tag == "div" and self._div_languages:
            self._div_languages.pop()
        start = self._tables.end(tag)
        if start is None:
            return True
        # The cells became paragraphs, where a "|" needs no backslash.
        if not self._tables.in_cell:
            for match in self._span_token.finditer("".join(self.out[start:])):
                index = int(match[1])
                self.spans[index] = code_span(self._span_texts[index])
        return False

    def _start_tag(self, tag: str, attrs: Attributes) -> str:
        parts = [tag]
        for name, value in attrs:
            if name in ("href", "src"):
                continue  # links and images are tokens; others need none
            if value is None:
                parts.append(name)
                continue
            parts.append(f'{name}="{escape(clean_text(value))}"')
        return "<" + " ".join(parts) + ">"
