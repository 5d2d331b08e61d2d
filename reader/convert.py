"""Convert article HTML to Markdown, and Markdown to plain text.

html2text does the conversion. Code, links, images and media are taken out
of the HTML before it runs and put back as exact Markdown afterwards (see
``reader.convert_prepare``). Every ``<pre>`` becomes a fenced block that
carries its language, and every inline ``<code>`` one code span. Every link,
image and embedded video gets a number, which refers to the link list that
ends the article (see ``reader.links``). All output passes through
``clean_text``, so no control characters or escape sequences survive.
"""

from __future__ import annotations

import hashlib
import re

import html2text

from reader.convert_code import code_span, fenced_block
from reader.convert_limits import limit_nesting
from reader.convert_links import (
    LinkCollector,
    link_destination,
    marker,
    placeholder_markdown,
)
from reader.convert_prepare import CodeBlock, prepare_html
from reader.convert_text import plain_text
from reader.convert_tokens import Tokens
from reader.links import link_list_markdown
from reader.textsafe import clean_text

CONVERTER_VERSION = 4
"""Version of the conversion rules. Bump it whenever ``html_to_markdown``
output changes, so Markdown cached under the old rules is converted again."""

# The text html2text writes before a block token on its line: blockquote
# markers, then either its four-space code indent or a list marker. A <pre>
# that opens a list item shares the line of the item's marker.
_BLOCK_LEAD = re.compile(r"(?:[ ]*>)*[ ]*(?:(?:[*+-]|\d{1,9}[.)])[ ]+)?")
_CODE_INDENT = " " * 4


def html_to_markdown(html: str, base_url: str | None = None) -> str:
    """Convert article HTML to Markdown.

    Relative ``href`` and ``src`` URLs are resolved against ``base_url`` when
    it is given. Links, images and media are numbered, and the numbered list
    of their URLs ends the Markdown. The result ends with one newline, or is
    "" for empty input.
    """
    tokens = Tokens.unused_in(html)
    prepared = prepare_html(limit_nesting(html), tokens, base_url)
    markdown = _remove_glue(_run_html2text(prepared.html), tokens)
    markdown = _tidy_blank_lines(markdown)
    markdown = _insert_inline(markdown, prepared.spans, prepared.links, tokens)
    markdown = _insert_links(markdown, prepared.links, tokens)
    markdown = _insert_blocks(markdown, prepared.blocks, tokens)
    markdown = clean_text(markdown).strip("\n")
    link_list = link_list_markdown(prepared.links.links)
    if link_list:
        markdown = f"{markdown}\n\n{link_list}" if markdown else link_list
    return markdown.rstrip("\n") + "\n" if markdown else ""


def markdown_to_text(markdown: str, width: int = 80) -> str:
    """Lay out Markdown as plain text lines of ``width`` cells, as
    ``reader.convert_text.plain_text`` does."""
    return plain_text(markdown, width)


def content_hash(html: str, base_url: str | None = None) -> str:
    """Return the key of Markdown cached for ``html`` converted at ``base_url``.

    The key is a SHA-256 hex digest over the converter version, the base URL
    and the HTML, because a change to any of them changes the Markdown.
    """
    key = f"{CONVERTER_VERSION}\n{base_url or ''}\n{html}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _run_html2text(html: str) -> str:
    converter = html2text.HTML2Text(bodywidth=0)
    # Keep characters such as U+00A0 as they are instead of ASCII stand-ins.
    converter.unicode_snob = True
    result: str = converter.handle(html)
    return result


def _remove_glue(markdown: str, tokens: Tokens) -> str:
    """Delete each glue token and the space html2text wrote before it."""
    return re.sub(" ?" + re.escape(tokens.glue()), "", markdown)


def _tidy_blank_lines(markdown: str) -> str:
    """Empty the lines that contain only spaces or tabs and merge runs of
    blank lines into one.

    Called while all code is still tokens, so no code line can change.
    Outside code, CommonMark parses a line of spaces as a blank line.
    """
    lines: list[str] = []
    for line in markdown.split("\n"):
        if line.strip(" \t"):
            lines.append(line)
        elif lines and lines[-1]:
            lines.append("")
    return "\n".join(lines)


def _insert_inline(
    markdown: str, spans: list[str], links: LinkCollector, tokens: Tokens
) -> str:
    pattern = re.compile(re.escape(tokens.prefix) + r"(?:C(\d+)|E(\d+)|M(\d+))Z")

    def replace(match: re.Match[str]) -> str:
        if match[1] is not None:
            return spans[int(match[1])]
        if match[2] is not None:
            return "\\" + chr(int(match[2]))
        return placeholder_markdown(links.placeholders[int(match[3])])

    return pattern.sub(replace, markdown)


def _insert_links(markdown: str, links: LinkCollector, tokens: Tokens) -> str:
    """Turn each pair of link tokens into a Markdown link and its marker.

    A link whose text html2text split into separate blocks, or that has no
    text, or whose URL may not be opened, keeps only its text and marker.
    """
    prefix = re.escape(tokens.prefix)
    pair = re.compile(prefix + r"L(\d+)Z(.*?)" + prefix + r"K\1Z", re.DOTALL)
    block = re.compile(prefix + r"B\d+Z")

    def replace(match: re.Match[str]) -> str:
        use = links.uses[int(match[1])]
        text = match[2]
        destination = link_destination(use)
        splits_blocks = "\n\n" in text or block.search(text) is not None
        if destination is None or splits_blocks or not text.strip():
            # The marker follows the last word, not a paragraph break.
            words = text.rstrip()
            return words + marker(use) + text[len(words) :]
        return f"[{text}]{destination}{marker(use)}"

    markdown = pair.sub(replace, markdown)
    # Tokens of a link whose other end html2text dropped.
    return re.sub(prefix + r"[LK]\d+Z", "", markdown)


def _insert_blocks(markdown: str, blocks: list[CodeBlock], tokens: Tokens) -> str:
    pattern = re.compile(re.escape(tokens.prefix) + r"B(\d+)Z")
    lines: list[str] = []
    for line in markdown.split("\n"):
        matches = list(pattern.finditer(line))
        if not matches:
            lines.append(line)
            continue
        lead = line[: matches[0].start()]
        rest = line[matches[0].end() :]
        if len(matches) == 1 and not rest.strip() and _BLOCK_LEAD.fullmatch(lead):
            block = blocks[int(matches[0][1])]
            lines.extend(_fence_under(lead, block))
        else:
            # NOTE: html2text put the block amid other text, where a fence
            # cannot start, so it becomes a code span there.
            lines.append(pattern.sub(lambda m: code_span(blocks[int(m[1])].text), line))
    return "\n".join(lines)


def _fence_under(lead: str, block: CodeBlock) -> list[str]:
    """Return the fence lines of ``block`` placed where ``lead`` puts it.

    ``lead`` ends either in html2text's code indent, which a fence does not
    need, or in a list marker, which only the first line repeats.
    """
    if lead.endswith(_CODE_INDENT):
        lead = lead.removesuffix(_CODE_INDENT)
    continuation = "".join(c if c in "> " else " " for c in lead)
    fence = fenced_block(block.text, block.language)
    lines = [lead + fence[0]]
    for line in fence[1:]:
        lines.append(continuation + line if line else continuation.rstrip())
    return lines
