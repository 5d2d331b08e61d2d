"""Turn feed documents into ParsedFeed values.

RSS 0.9x, 1.0 and 2.0 and Atom 0.3 and 1.0 go through feedparser 6, which
does the XML work. This module decides entry identity, converts dates to
UTC, makes links absolute and cleans every string a feed supplies. JSON Feed
documents go to ``reader.jsonfeed``. ``parse_feed`` does no I/O, so callers
can run it in a thread or process pool.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

import feedparser

from reader.bodyclean import clean_body_html
from reader.charset import repair_document
from reader.dates import UnknownZoneError, to_utc
from reader.fields import (
    fallback_title,
    hash_key,
    http_url,
    join_url,
    merge_enclosures,
    url_name,
    with_unique_keys,
)
from reader.htmltext import html_to_text, text_to_html
from reader.jsonfeed import is_json_document, parse_json_feed
from reader.models import Enclosure, ParsedEntry, ParsedFeed, ParseError
from reader.textsafe import clean_line, clean_text

# A feedparser.FeedParserDict: the feed, an entry, a link or a text construct.
# Raw dict access (dict.get) bypasses its key aliases where they mislead.
# It also skips the special cases of FeedParserDict.__getitem__, which cost
# about 0.4 ms per generated feed of benchmarks/refresh_steps.py. Only
# "enclosures" needs FeedParserDict.get, because feedparser builds that list
# from the links when it is read.
_Item = dict[str, Any]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_GZIP_MAGIC = b"\x1f\x8b"
_HTML_START = re.compile(
    rb"^(?:<\?xml[^>]*>|<!--.*?-->|\s)*<(?:!doctype\s+html|html[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_ROOT_ELEMENT = re.compile(
    rb"^(?:<\?[^>]*>|<!--.*?-->|<![^>]*>|\s)*<([\w:.-]+)", re.DOTALL
)


def parse_feed(
    content: bytes, url: str, *, content_type: str | None = None
) -> ParsedFeed:
    """Parse a feed document into a ParsedFeed.

    ``url`` is where the bytes came from (the final URL after redirects, or a
    local path): relative links resolve against it. ``content_type`` is the
    HTTP Content-Type header, if any. feedparser weighs its charset when it
    picks the decoding. Raises ParseError when the bytes are not an RSS,
    Atom or JSON feed.
    """
    _reject_known_non_feeds(content, url, content_type)
    if is_json_document(content, content_type):
        return parse_json_feed(content, url)
    content, warnings = repair_document(content, content_type)
    result = _run_feedparser(content, url, content_type)
    feed = result.feed
    if not (result.get("version") or result.entries or feed.get("title")):
        raise ParseError(_describe_non_feed(content, url, content_type, result))

    warnings += _bozo_warnings(result, content_type)
    entries = [_entry(raw, feed, url, warnings) for raw in result.entries]
    return ParsedFeed(
        title=_detail_text(dict.get(feed, "title_detail")) or url_name(url),
        link=_alternate_link(feed, url),
        entries=with_unique_keys(entries),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _run_feedparser(content: bytes, url: str, content_type: str | None) -> Any:
    """Run feedparser on ``content``, raising ParseError if it fails."""
    headers = {"content-type": content_type} if content_type else {}
    # feedparser treats a bytes or str argument as a file name or URL to open
    # before it treats it as data, so the body goes in as a stream. It does
    # not get the URL as Content-Location because it would resolve non-URL
    # guids against it ("post-5" becomes ".../post-5"), changing entry keys
    # when a feed moves. _content_html resolves relative URIs in HTML itself.
    # feedparser's sanitizer is off because clean_body_html drops script and
    # style bodies in the same pass, at a fraction of the cost.
    try:
        return feedparser.parse(
            io.BytesIO(content),
            response_headers=headers,
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    # feedparser 6.0.14 raises on some malformed input instead of setting
    # bozo, for example ValueError for "&#x110000;" and UnicodeDecodeError for
    # a non-ASCII encoding name. Any of them means this document is unreadable,
    # which is a ParseError for this feed, not a crash of the whole refresh.
    except Exception as error:
        raise ParseError(
            f"{url} could not be parsed: feedparser failed with "
            f"{type(error).__name__}: {clean_line(str(error))}"
        ) from error


def looks_like_html(content: bytes, content_type: str | None) -> bool:
    """Return whether a response is an HTML page, by media type or first tag."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return media_type in _HTML_TYPES or bool(_HTML_START.match(head))


def _reject_known_non_feeds(content: bytes, url: str, content_type: str | None) -> None:
    """Raise ParseError for bodies that are recognisably not XML feeds."""
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise ParseError(f"{url} has an empty body, not a feed")
    if head.startswith(_GZIP_MAGIC):
        # fetch_feed decompresses gzip bodies, so this one was compressed twice
        # or read by a caller that skipped fetch_feed.
        raise ParseError(f"{url} is gzip-compressed data, not a feed document")
    if _HTML_START.match(head):
        raise ParseError(_html_page_message(url))


def _describe_non_feed(
    content: bytes, url: str, content_type: str | None, result: Any
) -> str:
    """Say what a document that yielded no feed contains, naming ``url``."""
    if (content_type or "").lower().startswith("text/html"):
        return _html_page_message(url)
    root = _ROOT_ELEMENT.match(content[:2048].lstrip(b"\xef\xbb\xbf"))
    if root and not result.get("bozo"):
        name = clean_line(root.group(1).decode("utf-8", "replace"))[:60]
        return (
            f"{url} is an XML document with root element <{name}>, "
            "not RSS, Atom or JSON Feed"
        )
    error = result.get("bozo_exception")
    detail = f" ({clean_line(str(error))})" if error else ""
    return f"{url} is not an RSS, Atom or JSON Feed: it is not well-formed XML{detail}"


def _html_page_message(url: str) -> str:
    return f"{url} is an HTML page, not a feed. Try the page's feed URL instead."


def _bozo_warnings(result: Any, content_type: str | None) -> list[str]:
    """List the problem feedparser tolerated, if any, as a log line."""
    error = result.get("bozo_exception")
    if not result.get("bozo") or error is None:
        return []
    # feedparser flags every call that passes no content type, so this warning
    # carries no information about the document.
    if content_type is None and isinstance(error, feedparser.NonXMLContentType):
        return []
    return [clean_line(f"{type(error).__name__}: {error}")]


def _entry(raw: _Item, feed: _Item, url: str, warnings: list[str]) -> ParsedEntry:
    """Build one ParsedEntry from a feedparser entry; the key may repeat."""
    own_base = _entry_base(raw)
    base = join_url(url, own_base)
    link = _alternate_link(raw, base) or _guid_link(raw)
    body_base = _body_base(raw, url, own_base)
    title = _detail_text(dict.get(raw, "title_detail"))
    summary = _detail_html(dict.get(raw, "summary_detail"), url, body_base)
    content = _content_html(raw, url, body_base) or summary
    enclosures = _enclosures(raw, body_base)
    author = (
        clean_line(dict.get(raw, "author") or dict.get(feed, "author") or "") or None
    )
    return ParsedEntry(
        key=_entry_key(raw, link, title, summary, enclosures),
        title=title or fallback_title(summary or content, link, enclosures),
        link=link,
        author=author,
        published=_published(raw, warnings),
        updated=_date(raw, "updated", warnings),
        content=content,
        summary=summary,
        enclosures=_enclosures(raw, body_base),
    )


def _entry_base(raw: _Item) -> str:
    """Return the xml:base in effect inside an entry, or "" without one.

    feedparser does not record an entry's own base, so the base of its first
    text construct is used instead.
    """
    details = [dict.get(raw, "title_detail"), dict.get(raw, "summary_detail")]
    details += dict.get(raw, "content") or []
    return next((d["base"] for d in details if d and dict.get(d, "base")), "")


def _body_base(raw: _Item, url: str, own_base: str) -> str:
    """Return the base for relative URLs in the entry's body and enclosures.

    The entry's xml:base wins. Without one, an entry link written as an
    absolute URL is the base, because aggregated feeds carry posts whose
    relative URLs belong to the post's own site. Else the feed's URL is.
    ``own_base`` is the entry's xml:base from ``_entry_base``.
    """
    if own_base:
        return join_url(url, own_base)
    # Without an xml:base feedparser leaves hrefs as written, so resolving
    # against "" keeps only links that are absolute in the document.
    return _alternate_link(raw, "") or _guid_link(raw) or url


def _entry_key(
    raw: _Item,
    link: str | None,
    title: str,
    summary: str,
    enclosures: tuple[Enclosure, ...],
) -> str:
    """Return the entry's identity: guid/id, else link, else a content hash."""
    guid = (dict.get(raw, "id") or "").strip()
    if guid:
        return guid
    if link:
        return link
    date = dict.get(raw, "published") or dict.get(raw, "updated") or ""
    return hash_key(title, date, summary, enclosures)


def _alternate_link(item: _Item, base: str) -> str | None:
    """Return the first alternate link that resolves to an http(s) URL.

    Only ``links`` is read, not ``link``: feedparser copies a permalink guid
    into ``link``, and a guid like "post-5" is not a URL.
    """
    for link in dict.get(item, "links") or []:
        if dict.get(link, "rel", "alternate") == "alternate" and dict.get(link, "href"):
            absolute = http_url(link["href"], base)
            if absolute:
                return absolute
    return None


def _guid_link(raw: _Item) -> str | None:
    """Return a permalink guid that is itself an absolute http(s) URL."""
    if dict.get(raw, "guidislink") and dict.get(raw, "id"):
        return http_url(raw["id"], "")
    return None


def _detail_text(detail: _Item | None) -> str:
    """Return a text construct (title, name) as one line of plain text."""
    if not detail:
        return ""
    value = dict.get(detail, "value") or ""
    if dict.get(detail, "type") in _HTML_TYPES:
        value = html_to_text(value)
    return clean_line(value)


def _detail_html(detail: _Item | None, url: str, body_base: str) -> str:
    """Return a content construct as HTML with absolute URIs, cleaned.

    URIs resolve against the construct's xml:base, itself resolved against
    the feed's ``url``, else against ``body_base``.
    """
    if not detail or not (dict.get(detail, "value") or "").strip():
        return ""
    value = detail["value"]
    if dict.get(detail, "type") not in _HTML_TYPES:
        return clean_text(text_to_html(value))
    own_base = dict.get(detail, "base")
    base = join_url(url, own_base) if own_base else body_base
    return clean_body_html(value, base)


def _content_html(raw: _Item, url: str, body_base: str) -> str:
    """Return the longest full-content value, preferring HTML over text."""
    values = dict.get(raw, "content") or []
    html_values = [c for c in values if dict.get(c, "type") in _HTML_TYPES]
    longest = max(
        html_values or values,
        key=lambda c: len(dict.get(c, "value") or ""),
        default=None,
    )
    return _detail_html(longest, url, body_base)


def _date(raw: _Item, field: str, warnings: list[str]) -> datetime | None:
    """Return the entry's ``field`` date in UTC, or None."""
    try:
        # dict.get skips FeedParserDict's deprecated "updated" -> "published"
        # fallback, which would report a publication date as an update.
        return to_utc(dict.get(raw, field), dict.get(raw, f"{field}_parsed"))
    except UnknownZoneError as error:
        warnings.append(f"{error}: dates in that zone are left empty")
        return None


def _published(raw: _Item, warnings: list[str]) -> datetime | None:
    """Return the publication date, else Atom 0.3's creation date, in UTC."""
    return _date(raw, "published", warnings) or _date(raw, "created", warnings)


def _enclosures(raw: _Item, base: str) -> tuple[Enclosure, ...]:
    """Merge enclosures and media:content, one per URL in document order."""
    listed = [
        (e.get("href"), e.get("type"), e.get("length"))
        for e in raw.get("enclosures") or []
    ]
    listed += [
        (m.get("url"), m.get("type"), m.get("filesize"))
        for m in raw.get("media_content") or []
    ]
    return merge_enclosures(listed, base)
