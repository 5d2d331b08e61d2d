"""Bounds on article HTML before it is converted to Markdown.

html2text indents every line of a list or blockquote by its depth, so the
Markdown of N nested lists grows with N squared: 10,000 nested ``<ol>``
elements, 150 KB of HTML, became 150 MB of Markdown in 54 s. Articles
nest lists a few levels deep, so containers past ``MAX_INDENT_DEPTH`` are
dropped, keeping their text at the deepest allowed level.
"""

from __future__ import annotations

import re

MAX_INDENT_DEPTH = 12
"""Nested ``ul``, ``ol``, ``dl`` and ``blockquote`` elements kept, counted
together."""

# Start and end tags of the indenting containers. Tags inside comments or
# attribute values are matched too, which can only flatten more, never
# keep a container past the limit.
_CONTAINER_TAG = re.compile(r"<(/?)(ul|ol|dl|blockquote)\b[^>]*>", re.IGNORECASE)


def limit_nesting(html: str, max_depth: int = MAX_INDENT_DEPTH) -> str:
    """Remove the tags of indenting containers nested deeper than
    ``max_depth``, keeping everything between them."""
    if len(_CONTAINER_TAG.findall(html)) <= max_depth:
        return html
    # One entry per open container: whether its tags were kept.
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

    return _CONTAINER_TAG.sub(replace, html)
