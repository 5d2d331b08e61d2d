"""Find the feeds behind a URL that may be a web page rather than a feed.

A page announces its feeds in ``<link rel="alternate" type="...">`` tags
in its HTML. When it announces none, a few paths where site generators put
feeds (WordPress, Hugo, Jekyll and others) are tried under the page's
directory and under the site root. ``tidings add`` uses this, so a user can
give a blog's address instead of hunting for its feed URL.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

from reader.charset import decode_utf8_leniently
from reader.fetch import MAX_BYTES, fetch_feed, make_client
from reader.fields import http_url
from reader.models import FetchError, FetchResult, ParsedFeed, ParseError
from reader.parse import looks_like_html, parse_feed
from reader.textsafe import clean_line

logger = logging.getLogger(__name__)

# The format of links typed plain application/json, which JSON Feed 1.0
# used. WordPress announces its REST API with the same type, so these links
# are offered only after their document parses as a feed.
_UNCHECKED_JSON = "JSON"

FEED_TYPES: dict[str, str] = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/rdf+xml": "RSS 1.0",
    "application/json": _UNCHECKED_JSON,
}
"""Link types that announce a feed, with the format name shown to the user."""

COMMON_PATHS = ("feed", "rss.xml", "atom.xml", "index.xml", "feed.xml", "feed.json")
"""Feed paths tried, in this order, when a page announces no feed."""

# At most this many probe requests are in flight at once, all to one host.
PROBE_CONCURRENCY = 4
# Seconds for each probe, shorter than a refresh allows, because the user
# waits at the prompt.
PROBE_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class FetchedFeed:
    """A feed document fetched and parsed while looking for feeds."""

    result: FetchResult
    parsed: ParsedFeed


@dataclass(frozen=True, slots=True)
class FeedCandidate:
    """A feed found for a URL the user gave."""

    url: str
    """Absolute URL of the feed."""
    title: str = ""
    """Title from the page's link tag or the feed itself; may be empty."""
    format: str = ""
    """Format name such as "RSS" or "Atom", if known."""
    document: FetchedFeed | None = field(default=None, compare=False, repr=False)
    """The response that showed this URL is a feed, if discovery fetched it,
    so that subscribing need not fetch it again."""

    def label(self) -> str:
        """Return the title and format as one line, for a numbered list."""
        title = self.title or "(no title)"
        return f"{title} ({self.format})" if self.format else title


async def discover_url(url: str) -> list[FeedCandidate]:
    """Return the feeds to offer for ``url``, fetched with a client of its own.

    Raises what ``discover_feeds`` raises.
    """
    async with make_client() as client:
        return await discover_feeds(client, url)


async def discover_feeds(
    client: httpx.AsyncClient, url: str, *, max_bytes: int = MAX_BYTES
) -> list[FeedCandidate]:
    """Return the feeds to offer for ``url``, in the page's order.

    A URL that serves a feed returns itself as the only candidate. An HTML
    page returns the feeds its link tags announce, else the feeds found at
    ``COMMON_PATHS``. Raises FetchError when ``url`` cannot be fetched, and
    ParseError when it is neither a feed nor a page that leads to one.
    """
    result = await fetch_feed(client, url, max_bytes=max_bytes)
    content = result.content or b""
    try:
        parsed = await asyncio.to_thread(
            parse_feed, content, result.url, content_type=result.content_type
        )
    except ParseError:
        if not looks_like_html(content, result.content_type):
            raise
    else:
        document = FetchedFeed(result, parsed)
        return [
            FeedCandidate(url, parsed.title, _format(result.content_type), document)
        ]
    links = find_feed_links(_decode(content), result.url)
    announced = await _check_json_links(client, links, max_bytes)
    if announced:
        return announced
    found = await probe_common_paths(client, result.url, max_bytes=max_bytes)
    if found:
        return found
    paths = ", ".join(f"/{path}" for path in COMMON_PATHS)
    raise ParseError(
        f"{url} is an HTML page that announces no feed, and none of {paths} "
        "beside it or at the site root is a feed; give the feed's URL instead"
    )


def find_feed_links(html: str, page_url: str) -> list[FeedCandidate]:
    """Return the feeds announced by link tags in ``html``, once per URL.

    Relative hrefs resolve against the page's ``<base href>``, if any, else
    against ``page_url``. Hrefs that are not http(s) are dropped. Links typed
    plain application/json are listed with the format "JSON" because they
    may not be feeds.
    """
    parser = _FeedLinkParser()
    parser.feed(html)
    parser.close()
    base = http_url(parser.base, page_url) if parser.base else None
    found: dict[str, FeedCandidate] = {}
    for href, title, media_type in parser.links:
        absolute = http_url(href, base or page_url)
        if absolute and absolute not in found:
            found[absolute] = FeedCandidate(absolute, title, FEED_TYPES[media_type])
    return list(found.values())


class _FeedLinkParser(HTMLParser):
    """Collect feed link tags and the first base href of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[tuple[str, str, str]] = []
        """(href, title, media type) of each feed link, in page order."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        if tag != "link":
            return
        rel = values.get("rel", "").lower().split()
        media_type = values.get("type", "").split(";")[0].strip().lower()
        href = values.get("href", "").strip()
        if "alternate" in rel and media_type in FEED_TYPES and href:
            title = clean_line(values.get("title", ""))
            self.links.append((href, title, media_type))


async def _check_json_links(
    client: httpx.AsyncClient, candidates: list[FeedCandidate], max_bytes: int
) -> list[FeedCandidate]:
    """Keep application/json links only where the document is a feed."""
    checked = []
    for candidate in candidates:
        if candidate.format != _UNCHECKED_JSON:
            checked.append(candidate)
            continue
        document = await _probe(client, candidate.url, max_bytes)
        if document is not None:
            title = candidate.title or document.parsed.title
            checked.append(FeedCandidate(candidate.url, title, "JSON Feed", document))
    return checked


async def probe_common_paths(
    client: httpx.AsyncClient, page_url: str, *, max_bytes: int = MAX_BYTES
) -> list[FeedCandidate]:
    """Fetch ``COMMON_PATHS`` beside ``page_url`` and at its root; keep feeds.

    A feed reached from several paths, by redirect or as a copy with the
    same title and entries, is listed once, under the first path.
    """
    urls = list(dict.fromkeys(_probe_urls(page_url)))
    slots = asyncio.Semaphore(PROBE_CONCURRENCY)

    async def probe(url: str) -> FetchedFeed | None:
        async with slots:
            return await _probe(client, url, max_bytes)

    results = await asyncio.gather(*(probe(url) for url in urls))
    found: list[FeedCandidate] = []
    seen: set[object] = set()
    for document in results:
        if document is None:
            continue
        final_url, parsed = document.result.url, document.parsed
        same_feed = (parsed.title, tuple(entry.key for entry in parsed.entries))
        if final_url in seen or same_feed in seen:
            continue
        seen.update((final_url, same_feed))
        feed_format = _format(document.result.content_type)
        found.append(FeedCandidate(final_url, parsed.title, feed_format, document))
    return found


def _probe_urls(page_url: str) -> list[str]:
    directory = urljoin(page_url, "./")
    root = urljoin(page_url, "/")
    bases = [directory, root] if directory != root else [root]
    return [urljoin(base, path) for base in bases for path in COMMON_PATHS]


async def _probe(
    client: httpx.AsyncClient, url: str, max_bytes: int
) -> FetchedFeed | None:
    """Fetch and parse ``url``; return the response and feed, or None if no feed."""
    try:
        result = await fetch_feed(
            client, url, max_bytes=max_bytes, total_timeout=PROBE_TIMEOUT
        )
        parsed = await asyncio.to_thread(
            parse_feed,
            result.content or b"",
            result.url,
            content_type=result.content_type,
        )
    except (FetchError, ParseError) as error:
        logger.debug("no feed at probe url=%s error=%s", url, error)
        return None
    return FetchedFeed(result, parsed)


def _format(content_type: str | None) -> str:
    media_type = (content_type or "").split(";")[0].strip().lower()
    return FEED_TYPES.get(media_type, "")


def _decode(content: bytes) -> str:
    # Feed links are ASCII in practice. Titles in a page that is not UTF-8
    # come out as windows-1252, which is right for most Western pages.
    text, _ = decode_utf8_leniently(content)
    return text
