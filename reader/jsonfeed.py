"""Turn JSON Feed 1.0 and 1.1 documents into ParsedFeed values.

feedparser 6 does not read JSON Feed (https://www.jsonfeed.org/version/1.1/),
so this module applies the rules that ``reader.parse`` applies to RSS and
Atom: the same identity keys, UTC dates, absolute http(s) links, plain-text
titles and sanitized HTML bodies. Like ``parse_feed`` it does no I/O.
"""

from __future__ import annotations

import codecs
import html
import json
import re
from datetime import datetime
from typing import Any

from reader.bodyclean import clean_body_html
from reader.charset import decode_utf8_leniently, stray_bytes_warning
from reader.dates import UnknownZoneError, parse_date
from reader.fields import (
    fallback_title,
    hash_key,
    http_url,
    merge_enclosures,
    url_name,
    with_unique_keys,
)
from reader.htmltext import text_to_html
from reader.models import Enclosure, ParsedEntry, ParsedFeed, ParseError
from reader.textsafe import clean_line, clean_text

_JSON_START = (b"{", b"[")
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_VERSION_PREFIX = "https://jsonfeed.org/version/"
_KNOWN_VERSIONS = frozenset({"1", "1.1"})
# json.loads combines escaped surrogate pairs into one character, but keeps
# a lone "\ud800", which SQLite cannot store as UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def is_json_document(content: bytes, content_type: str | None) -> bool:
    """Return whether the body is JSON, by its media type or its first byte.

    A body that starts with "<" is XML even when the server calls it JSON.
    """
    head = content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if head.startswith(_JSON_START):
        return True
    return media_type.endswith("json") and not head.startswith(b"<")


def parse_json_feed(content: bytes, url: str) -> ParsedFeed:
    """Parse a JSON Feed document fetched from ``url``.

    Relative URLs resolve against ``url``, except in the body and the
    attachments of an item whose own ``url`` is absolute, which resolve
    against that. Raises ParseError for invalid JSON and for JSON that is
    not a JSON Feed.
    """
    warnings: list[str] = []
    document = _load(content, url, warnings)
    items = _feed_items(document, url, warnings)
    feed_author = _authors(document)
    entries = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            warnings.append(f"item {position} is not a JSON object, so it was skipped")
            continue
        entries.append(_entry(item, url, feed_author, warnings))
    return ParsedFeed(
        title=_title(document) or url_name(url),
        link=http_url(_string(document.get("home_page_url")), url),
        entries=with_unique_keys(entries),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _load(content: bytes, url: str, warnings: list[str]) -> dict[str, Any]:
    """Decode the body as a JSON object. Raises ParseError otherwise."""
    try:
        if content.startswith(_WIDE_BOMS) or b"\x00" in content[:4]:
            # json.loads detects UTF-16 and UTF-32 from the first bytes.
            document = json.loads(content)
        else:
            text, stray = decode_utf8_leniently(content.removeprefix(codecs.BOM_UTF8))
            if stray:
                warnings.append(stray_bytes_warning(stray))
            document = json.loads(text)
    except (ValueError, RecursionError) as error:
        reason = clean_line(str(error)) or type(error).__name__
        raise ParseError(f"{url} is not valid JSON: {reason}") from error
    if not isinstance(document, dict):
        raise ParseError(f"{url} is a JSON {type(document).__name__}, not a JSON Feed")
    return document


def _feed_items(document: dict[str, Any], url: str, warnings: list[str]) -> list[Any]:
    """Return the items list, checking that the document is a JSON Feed."""
    version = _string(document.get("version"))
    items = document.get("items")
    if not version.startswith(_VERSION_PREFIX) or not isinstance(items, list):
        raise ParseError(
            f"{url} is a JSON document but not a JSON Feed: it needs a "
            f'"version" starting with {_VERSION_PREFIX} and an "items" list'
        )
    number = version.removeprefix(_VERSION_PREFIX).strip("/")
    if number not in _KNOWN_VERSIONS:
        warnings.append(f"unknown JSON Feed version {clean_line(version)!r}")
    return items


def _entry(
    item: dict[str, Any], url: str, feed_author: str | None, warnings: list[str]
) -> ParsedEntry:
    """Build one ParsedEntry from a JSON Feed item; the key may repeat."""
    link = http_url(_string(item.get("url")), url) or http_url(
        _string(item.get("external_url")), url
    )
    body_base = _body_base(item, url)
    title = _title(item)
    summary_text = _string(item.get("summary"))
    summary = clean_text(text_to_html(summary_text))
    content = _content_html(item, body_base) or summary
    enclosures = _attachments(item, body_base)
    return ParsedEntry(
        key=_key(item, link, title, summary_text or content, enclosures),
        title=title or fallback_title(summary or content, link, enclosures),
        link=link,
        author=_authors(item) or feed_author,
        published=_date(item, "date_published", warnings),
        updated=_date(item, "date_modified", warnings),
        content=content,
        summary=summary,
        enclosures=enclosures,
    )


def _body_base(item: dict[str, Any], url: str) -> str:
    """Return the base for relative URLs in the item's body and attachments.

    An item ``url`` written as an absolute http(s) URL is the base, because
    aggregated feeds carry posts whose relative URLs belong to the post's own
    site. Else the URL the feed was fetched from is, as for RSS and Atom.
    """
    # Resolving against "" keeps only a url that is absolute as written.
    return http_url(_string(item.get("url")), "") or url


def _title(value: dict[str, Any]) -> str:
    """Return a feed's or an item's title as one line of plain text.

    JSON Feed titles are plain text, but generators that escape them as HTML
    are common, so character references are decoded. Tags are not removed,
    because "Vec<T>" is a plausible title.
    """
    return clean_line(html.unescape(_string(value.get("title"))))


def _content_html(item: dict[str, Any], base: str) -> str:
    """Return content_html cleaned with URLs resolved against ``base``, else
    content_text as HTML.

    content_text is plain text, so "<T>" in it stays text and is escaped.
    """
    html = _string(item.get("content_html"))
    if html.strip():
        return clean_body_html(html, base)
    return clean_text(text_to_html(_string(item.get("content_text"))))


def _key(
    item: dict[str, Any],
    link: str | None,
    title: str,
    body: str,
    enclosures: tuple[Enclosure, ...],
) -> str:
    """Return the item's identity: id, else link, else a content hash."""
    key = _string(item.get("id")).strip()
    if key:
        return key
    if link:
        return link
    date = _string(item.get("date_published")) or _string(item.get("date_modified"))
    return hash_key(title, date, body, enclosures)


def _authors(value: dict[str, Any]) -> str | None:
    """Return the names of a feed's or an item's authors, comma-separated.

    JSON Feed 1.1 lists ``authors``; 1.0 had one ``author`` object.
    """
    authors = value.get("authors")
    if not isinstance(authors, list):
        authors = [value.get("author")]
    names = [
        clean_line(_string(author.get("name")))
        for author in authors
        if isinstance(author, dict)
    ]
    return ", ".join(name for name in names if name) or None


def _attachments(item: dict[str, Any], url: str) -> tuple[Enclosure, ...]:
    attachments = item.get("attachments")
    if not isinstance(attachments, list):
        return ()
    listed = [
        (a.get("url"), a.get("mime_type"), a.get("size_in_bytes"))
        for a in attachments
        if isinstance(a, dict)
    ]
    return merge_enclosures(listed, url)


def _date(item: dict[str, Any], field: str, warnings: list[str]) -> datetime | None:
    """Return an RFC 3339 date of the item in UTC, or None if missing or invalid.

    RFC 822 dates and the other forms ``parse_date`` reads, which some
    generators write instead, are read as well. A date without an offset is
    taken as UTC.
    """
    raw = _string(item.get(field)).strip()
    if not raw:
        return None
    try:
        moment = parse_date(raw)
    except UnknownZoneError as error:
        warnings.append(f"{error}: dates in that zone are left empty")
        return None
    if moment is None:
        warnings.append(f"invalid {field} {clean_line(raw)[:60]!r} was left empty")
    return moment


def _string(value: object) -> str:
    """Return a JSON string or number as text; other types count as missing.

    The JSON Feed 1.0 spec says that a reader must coerce an id given as a
    number to a string.
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("", value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""
