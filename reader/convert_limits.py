"""Bounds on article HTML before it is converted to Markdown.

Deep nesting costs more than its size. html2text indents every line of a
list or blockquote by its depth, so the Markdown of N nested lists grows
with N squared: 10,000 nested ``<ol>`` elements, 150 KB of HTML, became
150 MB of Markdown in 54 s. Nested emphasis and links turn into Markdown
that markdown-it parses in superlinear time: 20,000 levels of
``<b><i><a>`` took 5 s to render as text, 50,000 levels 20 s. Articles nest
a few levels deep, so elements past the limits below lose their tags and
keep their content at the deepest allowed level.
"""

from __future__ import annotations

import re

MAX_INDENT_DEPTH = 12
"""Nested ``ul``, ``ol``, ``dl`` and ``blockquote`` elements kept, counted
together."""

MAX_INLINE_DEPTH = 8
"""Nested emphasis, strike-through and link elements kept, counted
together."""

# Start and end tags of each group. Tags inside comments or attribute values
# are matched too, which can only flatten more, never keep an element past
# its limit.
_CONTAINER_TAG = re.compile(r"<(/?)(?:ul|ol|dl|blockquote)\b[^>]*>", re.IGNORECASE)
_INLINE_TAG = re.compile(
    r"<(/?)(?:a|b|strong|i|em|s|strike|del)\b[^>]*>", re.IGNORECASE
)


def limit_nesting(html: str) -> str:
    """Remove the tags of containers and inline elements nested past
    ``MAX_INDENT_DEPTH`` and ``MAX_INLINE_DEPTH``, keeping their content."""
    html = _flatten(html, _CONTAINER_TAG, MAX_INDENT_DEPTH)
    return _flatten(html, _INLINE_TAG, MAX_INLINE_DEPTH)


def _flatten(html: str, tag: re.Pattern[str], max_depth: int) -> str:
    if len(tag.findall(html)) <= max_depth:
        return html
    # One entry per open element: whether its tags were kept.
    open_tags: list[bool] = []
    depth = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal depth
        if not match[1]:
            keep = depth < max_depth
            open_tags.append(keep)
            depth += keep
            return match[0] if keep else ""
        if not open_tags:
            return match[0]
        kept = open_tags.pop()
        depth -= kept
        return match[0] if kept else ""

    return tag.sub(replace, html)
