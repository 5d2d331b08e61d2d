"""Numbered links of an article: the markers in its text and the list at its end.

The converter numbers every distinct link, image and embedded media URL of an
article in the order they first appear. The text carries a marker such as
``[3]`` after each of them, and the Markdown ends with a list that maps each
number to its URL. ``parse_link_list`` reads that list back, so the TUI can
open link 3 from the Markdown cached in the store.

Article prose cannot forge a list line: the converter writes every ``[`` of
prose as ``\\[`` and every backslash as ``\\\\``, so only this module writes
``\\[3\\]`` at the start of a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl, urlsplit

OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})
"""URL schemes a link may be opened with. Any other link is listed, not opened."""

# Header fields of RFC 6068 mailto URLs that hold plain text only.
_MAILTO_FIELDS = frozenset({"to", "cc", "bcc", "subject", "body", "in-reply-to"})

LIST_HEADING = "Links:"
"""The paragraph that starts the link list, after a thematic break."""

_LIST_START = f"* * *\n\n{LIST_HEADING}\n\n"

_BACKTICK_RUN = re.compile(r"`+")

# One list line: "\[3\]: <url> (image)" for a URL that may be opened, or
# "\[3\]: `` url `` (image, not opened)" for any other. A trailing backslash
# is the hard line break that ends every line but the last.
_OPENABLE_LINE = re.compile(
    r"\\\[(?P<number>\d+)\\\]: <(?P<url>[^<>\s]*)>"
    r"(?: \((?P<kind>[a-z]+)\))?\\?"
)
_LISTED_LINE = re.compile(
    r"\\\[(?P<number>\d+)\\\]: (?P<fence>`+) (?P<url>.*) (?P=fence)"
    r" \((?:(?P<kind>[a-z]+), )?not opened\)\\?"
)


class LinkKind(StrEnum):
    """What an article link points at."""

    LINK = "link"
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    EMBED = "embed"
    """An ``<iframe>``, ``<embed>`` or ``<object>``."""


@dataclass(frozen=True, slots=True)
class ArticleLink:
    """One numbered URL of an article."""

    number: int
    """The number shown in the text, from 1."""
    url: str
    """The URL as the article gave it, resolved against the article's base."""
    kind: LinkKind = LinkKind.LINK

    @property
    def openable(self) -> bool:
        """Whether ``is_openable`` lets the browser be asked to open the URL."""
        return is_openable(self.url)


def is_openable(url: str) -> bool:
    """Return whether ``url`` is safe to hand to the browser.

    Links from feeds are untrusted, so only an http(s) URL with a host and a
    valid port, or a mailto URL with an address, qualifies. A ``file:``,
    ``javascript:`` or relative URL is shown to the user but never opened.
    A mailto URL may carry only the to, cc, bcc, subject, body and
    in-reply-to fields, because some mail clients honour "attach=PATH" and
    would attach a local file. A control or other non-printable character,
    whitespace other than a plain space, or a space at either end also
    makes the URL unopenable.
    """
    if not url or not url.isprintable() or url != url.strip():
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- the property raises ValueError for a bad port
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in OPENABLE_SCHEMES:
        return False
    if scheme == "mailto":
        return _is_plain_mailto(parts.path, parts.query)
    return bool(parts.hostname)


def _is_plain_mailto(address: str, query: str) -> bool:
    fields = parse_qsl(query, keep_blank_values=True)
    if not address and not any(name.lower() == "to" for name, _ in fields):
        return False
    return all(name.lower() in _MAILTO_FIELDS for name, _ in fields)


def link_marker(number: int) -> str:
    """Return the Markdown of the marker written after link ``number``."""
    return f"\\[{number}\\]"


def autolink_url(url: str) -> str:
    """Return ``url`` in a form that a CommonMark autolink ``<...>`` accepts.

    Spaces, ``<`` and ``>`` are percent-encoded, which names the same
    resource; other characters are kept, since an autolink has no escapes.
    """
    replacements = {" ": "%20", "<": "%3C", ">": "%3E", "\t": "", "\n": ""}
    return "".join(replacements.get(char, char) for char in url)


def link_list_markdown(links: list[ArticleLink]) -> str:
    """Return the Markdown list of ``links`` that ends an article, or "".

    Each line reads ``[3]: URL`` with the kind after it unless the URL is a
    plain link, and "not opened" for URLs that are shown but never opened.
    """
    if not links:
        return ""
    lines = [_list_line(link) for link in links]
    return _LIST_START + "\\\n".join(lines) + "\n"


def _list_line(link: ArticleLink) -> str:
    marker = link_marker(link.number)
    if link.openable:
        kind = "" if link.kind is LinkKind.LINK else f" ({link.kind})"
        return f"{marker}: <{autolink_url(link.url)}>{kind}"
    url = " ".join(link.url.split())
    runs = [len(run) for run in _BACKTICK_RUN.findall(url)]
    fence = "`" * (max(runs, default=0) + 1)
    kind = "" if link.kind is LinkKind.LINK else f"{link.kind}, "
    return f"{marker}: {fence} {url} {fence} ({kind}not opened)"


def parse_link_list(markdown: str) -> list[ArticleLink]:
    """Return the links listed at the end of converted ``markdown``.

    Returns an empty list when the Markdown does not end with a link list,
    or when any line of it does not have the form ``link_list_markdown``
    writes, so a damaged list never maps a number to the wrong URL.
    """
    start = markdown.rfind(_LIST_START)
    if start < 0 or not (start == 0 or markdown[start - 1] == "\n"):
        return []
    body = markdown[start + len(_LIST_START) :].rstrip("\n")
    links: list[ArticleLink] = []
    for expected, line in enumerate(body.split("\n"), start=1):
        link = _parse_line(line)
        if link is None or link.number != expected:
            return []
        links.append(link)
    return links


def _parse_line(line: str) -> ArticleLink | None:
    match = _OPENABLE_LINE.fullmatch(line) or _LISTED_LINE.fullmatch(line)
    if match is None:
        return None
    kind = LinkKind(match["kind"]) if match["kind"] in set(LinkKind) else None
    if match["kind"] is not None and kind is None:
        return None
    return ArticleLink(int(match["number"]), match["url"], kind or LinkKind.LINK)
