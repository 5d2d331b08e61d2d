"""Links, images and embedded media of the HTML pass, written as tokens.

``reader.convert_prepare`` hands each ``<a>``, ``<img>``, ``<embed>`` and
finished media element (``<iframe>``, ``<video>``, ``<audio>``,
``<object>``) to an ``AnchorWriter``, which records it in a
``LinkCollector`` and writes the token that stands for it.
"""

from __future__ import annotations

from urllib.parse import urljoin

from reader.convert_links import LinkCollector, file_name, media_kind
from reader.convert_tokens import Tokens
from reader.links import LinkKind
from reader.textsafe import clean_line

# The attribute that contains the URL of each media element.
MEDIA_SOURCE = {"iframe": "src", "video": "src", "audio": "src", "object": "data"}


class AnchorWriter:
    """Write tokens for the links, images and media of one document."""

    def __init__(self, tokens: Tokens, base_url: str | None, out: list[str]) -> None:
        self.tokens = tokens
        self.base_url = base_url
        self.out = out
        """The output of the HTML pass, appended to."""
        self.links = LinkCollector()
        # Per open <a>: the index of its link, or None for an anchor that
        # links nowhere the reader can go.
        self._anchors: list[int | None] = []

    @property
    def open_anchors(self) -> int:
        """How many ``<a>`` elements are open, links or not."""
        return len(self._anchors)

    @property
    def in_link(self) -> bool:
        """Whether the text written now is inside a link."""
        return any(index is not None for index in self._anchors)

    def start_anchor(self, href: str, in_cell: bool) -> None:
        """Open an ``<a>``: a link unless it points into the page itself."""
        if self.in_link:
            # Links cannot nest, so an <a> inside a link ends the outer one.
            self.end_anchor()
        href = clean_line(href)
        index = None
        if href and not href.startswith("#"):
            index = self.links.add_link(self._resolve(href), in_cell)
            self.out.append(self.tokens.link_start(index))
        self._anchors.append(index)

    def end_anchor(self) -> None:
        """Close the innermost open ``<a>``, if any."""
        if not self._anchors:
            return
        index = self._anchors.pop()
        if index is not None:
            self.out.append(self.tokens.link_end(index))

    def image(self, values: dict[str, str], in_cell: bool) -> None:
        """Write an ``<img>`` as a placeholder, unless it is a tracking pixel
        or has no source."""
        width = values.get("width", "").strip()
        height = values.get("height", "").strip()
        if width in ("0", "1") and height in ("0", "1"):
            return
        src = values.get("src", "").strip()
        lazy = values.get("data-src", "").strip()
        if lazy and (not src or src.lower().startswith("data:")):
            src = lazy
        if not src:
            srcset = values.get("srcset", "").strip()
            src = srcset.split(",")[0].split()[0] if srcset else ""
        if src:
            self._placeholder("img", src, values, in_cell)

    def embed(self, values: dict[str, str], in_cell: bool) -> None:
        """Write an ``<embed>`` as a placeholder."""
        src = values.get("src", "")
        if src.strip():
            self._placeholder("embed", src, values, in_cell)

    def media(
        self, tag: str, values: dict[str, str], source: str | None, in_cell: bool
    ) -> None:
        """Write a finished media element as a placeholder paragraph.

        ``source`` is the first ``<source src>`` inside it, used when the
        element has no URL of its own.
        """
        src = values.get(MEDIA_SOURCE[tag], "") or source or ""
        if not src.strip():
            return
        # A player is a block of its own, unless a cell or a link holds it.
        alone = not in_cell and not self._anchors
        self.out.append("<p>" if alone else "")
        self._placeholder(tag, src, values, in_cell)
        self.out.append("</p>" if alone else "")

    def _placeholder(
        self, tag: str, src: str, values: dict[str, str], in_cell: bool
    ) -> None:
        url = self._resolve(clean_line(src))
        if tag == "img":
            kind = LinkKind.IMAGE
            label = values.get("alt") or values.get("title") or file_name(url)
        else:
            kind = media_kind(tag, url)
            label = values.get("title") or file_name(url)
        index = self.links.add_placeholder(
            url, kind, clean_line(label), in_cell, self.in_link
        )
        self.out.append(self.tokens.placeholder(index))

    def _resolve(self, url: str) -> str:
        return urljoin(self.base_url, url) if self.base_url else url
