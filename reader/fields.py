"""Entry field rules shared by the RSS/Atom and the JSON Feed parsers.

Both parsers must give an entry the same identity, links and fallback title
for the same facts, so the rules live here once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import unquote, urljoin, urlsplit

from reader.htmltext import first_words, html_to_text
from reader.models import Enclosure, ParsedEntry
from reader.textsafe import clean_line

_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f]")


def join_url(base: str, reference: str) -> str:
    """Resolve ``reference`` against ``base``, keeping ``base`` if it fails."""
    try:
        return urljoin(base, reference)
    except ValueError:  # for example an invalid IPv6 host in an xml:base
        return base


def http_url(href: str, base: str) -> str | None:
    """Resolve ``href`` against ``base``, returning None unless it is http(s).

    A blank ``href`` returns None, not ``base``.
    """
    if not href.strip():
        return None
    try:
        absolute = urljoin(base, href.strip())
        parts = urlsplit(absolute)
    except ValueError:  # for example an invalid IPv6 host
        return None
    absolute = absolute.replace(" ", "%20")
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if _URL_FORBIDDEN.search(absolute):
        return None
    return absolute


def hash_key(
    title: str, date: str, summary: str, enclosures: Sequence[Enclosure] = ()
) -> str:
    """Return the identity of an entry with neither id nor link.

    The hash covers the title and the raw date string, or the summary when
    both are empty, so a changed body does not make a new entry. An entry
    with none of the three, such as a podcast episode that is only an
    enclosure, is identified by its enclosure URLs instead. Without them,
    every such entry would share one key, and a new episode at the top of
    the feed would overwrite the stored one in its place.
    """
    if title or date:
        parts = [title, date]
    elif summary:
        parts = [summary]
    else:
        parts = [enclosure.url for enclosure in enclosures]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


def with_unique_keys(entries: Iterable[ParsedEntry]) -> tuple[ParsedEntry, ...]:
    """Suffix "#2", "#3"... to keys already used earlier in the document.

    Feeds do repeat guids. Merging such entries would hide one of them, and
    document order keeps the suffixes stable across refreshes.
    """
    seen: set[str] = set()
    unique = []
    for entry in entries:
        key = entry.key
        counter = 1
        while key in seen:
            counter += 1
            key = f"{entry.key}#{counter}"
        seen.add(key)
        unique.append(entry if key == entry.key else replace(entry, key=key))
    return tuple(unique)


def fallback_title(
    body: str, link: str | None, enclosures: Sequence[Enclosure] = ()
) -> str:
    """Make a title for an untitled entry from its first words or its link,
    else from the file name of its first enclosure."""
    text = first_words(html_to_text(body)) or link
    if text:
        return text
    names = (url_file_name(enclosure.url) for enclosure in enclosures)
    return next((name for name in names if name), "(untitled)")


def merge_enclosures(
    listed: Sequence[tuple[str | None, object, object]], base: str
) -> tuple[Enclosure, ...]:
    """Build enclosures from (href, type, length) triples, one per URL.

    Hrefs resolve against ``base``, and those that are not http(s) are
    dropped. A URL listed twice keeps its first type and length, filled in
    from the later listing where the first left them out.
    """
    found: dict[str, Enclosure] = {}
    for href, media_type, length in listed:
        url = http_url(href, base) if isinstance(href, str) else None
        if url is None:
            continue
        type_text = clean_line(media_type) if isinstance(media_type, str) else ""
        new = Enclosure(url, type_text or None, declared_length(length))
        old = found.get(url, new)
        found[url] = Enclosure(url, old.type or new.type, old.length or new.length)
    return tuple(found.values())


def declared_length(value: object) -> int | None:
    """Return a declared size in bytes, or None if missing, invalid or zero."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    try:
        length = int(str(value).strip())
    except ValueError:
        return None
    return length if length > 0 else None


def url_file_name(url: str) -> str:
    """Return the last path segment of ``url``, percent-decoded, or ""."""
    segment = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return clean_line(unquote(segment))


def url_name(url: str) -> str:
    """Return a feed name made from its URL: the host, else the file name."""
    parts = urlsplit(url)
    name = parts.hostname or parts.path.rstrip("/").rsplit("/", 1)[-1] or url
    return clean_line(name)
