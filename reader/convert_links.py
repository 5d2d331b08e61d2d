"""Links, images and embedded media of an article, as numbered Markdown.

The HTML pass (``reader.convert_prepare``) records each ``<a>``, ``<img>``,
``<iframe>``, ``<video>`` and ``<audio>`` here and leaves a token in its place.
After html2text has run, the tokens become Markdown: a link keeps its text
and gains a marker such as ``[2]``, and an image or a video becomes a
placeholder such as ``[image: A chart][3]``. Every distinct URL gets one
number, in the order the URLs first appear, and the numbered list at the end
of the article comes from ``LinkCollector.links``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from reader.links import ArticleLink, LinkKind, autolink_url, is_openable, link_marker
from reader.textsafe import clean_line

# Every ASCII punctuation character may be backslash-escaped in CommonMark,
# and escaping all of them keeps label text literal wherever it lands.
_ASCII_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")

_SUPERSCRIPTS = str.maketrans("0123456789+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾")
_SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
# A footnote reference such as "1" or "[12]" inside <sup>.
_FOOTNOTE_NUMBER = re.compile(r"\s*\[?\s*([0-9]{1,4})\s*\]?\s*")

_VIDEO_HOSTS = ("youtube.com", "youtube-nocookie.com", "youtu.be", "vimeo.com")


def escape_label(text: str) -> str:
    """Return ``text`` as Markdown that reads literally: one line, every
    ASCII punctuation character backslash-escaped."""
    return _ASCII_PUNCTUATION.sub(lambda match: "\\" + match[0], clean_line(text))


def superscript(text: str, *, below: bool = False) -> str | None:
    """Return a footnote number such as "[12]" as superscript digits "¹²".

    ``below`` gives subscript digits instead. Returns None when ``text`` is
    not a number, because letters have no complete set of such forms.
    """
    match = _FOOTNOTE_NUMBER.fullmatch(text)
    if match is None:
        return None
    return match[1].translate(_SUBSCRIPTS if below else _SUPERSCRIPTS)


def file_name(url: str) -> str:
    """Return the last path segment of ``url``, percent-decoded, or ""."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    return clean_line(unquote(posixpath.basename(path.rstrip("/"))))


def media_kind(tag: str, url: str) -> LinkKind:
    """Return the kind of an embedded element: video for ``<video>`` and for
    frames of well-known video sites, audio for ``<audio>``, else embed."""
    if tag == "video":
        return LinkKind.VIDEO
    if tag == "audio":
        return LinkKind.AUDIO
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        host = ""
    if any(host == name or host.endswith("." + name) for name in _VIDEO_HOSTS):
        return LinkKind.VIDEO
    return LinkKind.EMBED


@dataclass(frozen=True)
class LinkUse:
    """One occurrence of a numbered URL in the text."""

    number: int | None
    """The URL's number, or None for a URL that is not listed (``data:``)."""
    url: str
    in_cell: bool
    """Whether the occurrence is inside a table cell."""


@dataclass(frozen=True)
class Placeholder:
    """An image or embedded media element, shown as a bracketed label."""

    use: LinkUse
    kind: LinkKind
    label: str
    inside_link: bool
    """Whether the element sits inside a link, where it cannot be a link."""


@dataclass
class LinkCollector:
    """The numbered URLs of one article and each of their occurrences."""

    links: list[ArticleLink] = field(default_factory=list)
    """Distinct URLs in order of first appearance; number n is links[n-1]."""
    uses: list[LinkUse] = field(default_factory=list)
    """Occurrences of ``<a>`` elements, by the index in their tokens."""
    placeholders: list[Placeholder] = field(default_factory=list)
    """Images and media, by the index in their tokens."""
    _numbers: dict[str, int] = field(default_factory=dict)

    def add_link(self, url: str, in_cell: bool) -> int:
        """Record an ``<a>`` element and return its index."""
        self.uses.append(self._use(url, LinkKind.LINK, in_cell))
        return len(self.uses) - 1

    def add_placeholder(
        self, url: str, kind: LinkKind, label: str, in_cell: bool, inside_link: bool
    ) -> int:
        """Record an image or media element and return its index."""
        use = self._use(url, kind, in_cell)
        self.placeholders.append(Placeholder(use, kind, label, inside_link))
        return len(self.placeholders) - 1

    def _use(self, url: str, kind: LinkKind, in_cell: bool) -> LinkUse:
        if url.lower().startswith("data:"):
            # NOTE: inline data can be megabytes and no browser is asked to
            # open it, so it gets a placeholder but no number.
            return LinkUse(None, url, in_cell)
        if is_openable(url):
            url = autolink_url(url)
        number = self._numbers.get(url)
        if number is None:
            number = len(self.links) + 1
            self._numbers[url] = number
            self.links.append(ArticleLink(number, url, kind))
        return LinkUse(number, url, in_cell)


def link_destination(use: LinkUse) -> str | None:
    """Return the Markdown ``(...)`` part of a link to ``use``, or None when
    the URL may not be opened and so must not become a link."""
    if use.number is None or not is_openable(use.url):
        return None
    url = use.url.replace("\\", "\\\\")
    if use.in_cell:
        # A table row is split at each unescaped "|" before links are read.
        url = url.replace("|", "\\|")
    return f"(<{url}>)"


def marker(use: LinkUse) -> str:
    """Return the ``[n]`` marker of ``use``, or "" for an unlisted URL."""
    return "" if use.number is None else link_marker(use.number)


def placeholder_markdown(placeholder: Placeholder) -> str:
    """Return the Markdown of an image or media placeholder and its marker.

    An image whose URL may be opened stays a Markdown image, which
    ``reader.render`` shows as ``[image: alt]``. Any other placeholder is
    that bracketed text itself, linked to its URL if the URL may be opened.
    """
    text = escape_label(placeholder.label)
    destination = link_destination(placeholder.use)
    if placeholder.kind is LinkKind.IMAGE and destination is not None:
        return f"![{text}]{destination}{marker(placeholder.use)}"
    name = f"{placeholder.kind}: {text}" if text else str(placeholder.kind)
    label = f"\\[{name}\\]"
    if destination is not None and not placeholder.inside_link:
        label = f"[{label}]{destination}"
    return label + marker(placeholder.use)
