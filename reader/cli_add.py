"""``tidings add``: subscribe to a feed URL, a local file or a web page's feed.

Given an http(s) URL, ``add`` fetches it first. A feed is added as it is. A
web page is searched for the feeds it lists (see ``reader.discover``), and
when it lists several, the command prints them numbered and exits with
status 2 until ``--pick N`` chooses one. A feed document that discovery
already fetched is stored from that response, not fetched a second time.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reader.cli_output import error_text, plural
from reader.cli_refresh import refresh_with_progress
from reader.models import Feed, FeedExistsError, FetchError, ParseError, UsageError
from reader.store import Store
from reader.textsafe import clean_line

if TYPE_CHECKING:
    from reader.discover import FeedCandidate, FetchedFeed


def configure_add(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``tidings add`` to its parser."""
    parser.add_argument(
        "url",
        metavar="URL_OR_PATH",
        help="feed URL, web page that links to feeds, or local feed file",
    )
    parser.add_argument(
        "--pick",
        type=int,
        metavar="N",
        help="add feed N of those a web page lists (numbered from 1)",
    )
    parser.add_argument(
        "--no-refresh",
        action="store_true",
        help="subscribe to the URL as given, without fetching it or looking "
        "for feeds on a web page",
    )


def run_add(store: Store, args: argparse.Namespace) -> int:
    """Subscribe to a feed, or to the feed a web page lists, and fetch it.

    Returns the exit status: 2 when a page lists several feeds and no
    ``--pick`` chose one.
    """
    # Imported here: HTTP would slow every command's start.
    from reader.fetch import is_local, normalize_feed_url

    url = normalize_feed_url(args.url)
    _reject_missing_scheme(args.url, url)
    direct = args.no_refresh or is_local(url)
    if args.pick is not None and (args.pick < 1 or direct):
        raise UsageError(
            f"invalid --pick {args.pick}; it takes a number from 1 and needs "
            "an http(s) URL without --no-refresh"
        )
    if direct and not args.no_refresh:
        _reject_local_non_feed(url)
    if direct:
        return _add_and_refresh(store, url, refresh=not args.no_refresh)
    _reject_subscribed(store, url)
    try:
        candidates = asyncio.run(_discover(url))
    except FetchError as error:
        # Subscribe anyway, as for a feed that fails on a later refresh, so
        # a feed can be added while its server is down.
        feed = store.add_feed(url)
        store.record_error(feed.id, str(error))
        print(f"Added feed {feed.id}: {url}")
        _report_failed_fetch(store.get_feed(feed.id))
        return 1
    chosen = _choose(url, candidates, args.pick)
    if chosen is None:
        return 2
    if chosen.document is not None:
        return _add_fetched(store, chosen.url, chosen.document)
    return _add_and_refresh(store, chosen.url, refresh=True)


def _reject_missing_scheme(typed: str, url: str) -> None:
    """Raise UsageError when ``typed`` is a web address without its scheme.

    Guessing would mean either https, which fails on a plain-HTTP server such
    as one on 127.0.0.1, or trying https and then http as a browser does,
    which lets anyone on the network turn the subscription into plain HTTP.
    Asking costs the user one word instead.
    """
    value = typed.strip()
    if not url.startswith("https://") or value.lower().startswith("https://"):
        return
    raise UsageError(
        f"invalid feed URL {value!r}: it has no scheme; "
        f"use http://{value} or https://{value}"
    )


def _reject_local_non_feed(url: str) -> None:
    """Raise UsageError, before subscribing, when a local file is no feed.

    A server may fail for a while, so a failed first fetch over HTTP keeps
    the subscription. A local file that is not a feed is a wrong path.
    """
    from reader.compression import DecompressionError, decompress_body
    from reader.fetch import MAX_BYTES, local_path
    from reader.parse import parse_feed

    path = local_path(url)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            return
        content = decompress_body(raw, None, MAX_BYTES)
    except (OSError, DecompressionError):
        # The refresh that follows reports an unreadable, truncated or too
        # large file as the feed's error, as it would on any later refresh.
        return
    try:
        parse_feed(content, url)
    except ParseError as error:
        raise UsageError(
            f"{_non_feed_reason(path, content, error)}; nothing was added"
        ) from error


def _non_feed_reason(path: Path, content: bytes, error: ParseError) -> str:
    """Say why the file at ``path`` is not a feed, with the position of the
    first XML syntax error in the file itself."""
    from xml.parsers import expat

    from reader.jsonfeed import is_json_document
    from reader.parse import looks_like_html

    not_feed = "not an RSS, Atom or JSON Feed document"
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return f"{path} is empty, {not_feed}"
    if looks_like_html(content, None):
        return f"{path} is an HTML page, {not_feed}"
    if is_json_document(content, None):
        return clean_line(str(error))
    if not head.startswith(b"<"):
        return f"{path} is {not_feed}: it is plain text, not XML or JSON"
    parser = expat.ParserCreate()
    try:
        parser.Parse(content, True)
    except expat.ExpatError as syntax:
        reason = expat.ErrorString(syntax.code)
        where = f"{path}:{syntax.lineno}:{syntax.offset + 1}"
        return f"{where}: {not_feed}: it is not well-formed XML ({reason})"
    return f"{path} is XML but {not_feed}"


def _report_failed_fetch(feed: Feed) -> None:
    """Print why the first fetch of a new feed failed and how to undo it."""
    print(f"tidings: refresh failed: {error_text(feed)}", file=sys.stderr)
    print(
        f"tidings: feed {feed.id} stays subscribed and is retried on later "
        f"refreshes; to unsubscribe, run: tidings remove {feed.id}",
        file=sys.stderr,
    )


def _reject_subscribed(store: Store, url: str) -> None:
    """Raise FeedExistsError before any request if ``url`` is subscribed."""
    existing = store.find_feed(url)
    if existing is not None:
        raise FeedExistsError(f"feed {url} is already subscribed as feed {existing.id}")


async def _discover(url: str) -> list[FeedCandidate]:
    from reader.discover import discover_feeds
    from reader.fetch import make_client

    async with make_client() as client:
        return await discover_feeds(client, url)


def _choose(
    url: str, candidates: list[FeedCandidate], pick: int | None
) -> FeedCandidate | None:
    """Return the candidate to add, or None after listing several to pick from."""
    count = len(candidates)
    if pick is not None and pick > count:
        listed = "1 feed" if count == 1 else f"{count} feeds; use 1 to {count}"
        raise UsageError(f"invalid --pick {pick}: {url} lists {listed}")
    if pick is not None:
        return candidates[pick - 1]
    if len(candidates) == 1:
        return candidates[0]
    print(f"{clean_line(url)} lists {len(candidates)} feeds:")
    for number, candidate in enumerate(candidates, start=1):
        print(f"{number:>3}. {candidate.label()}  <{clean_line(candidate.url)}>")
    print(f"tidings: choose one and run: tidings add {url} --pick N", file=sys.stderr)
    return None


def _add_fetched(store: Store, url: str, document: FetchedFeed) -> int:
    """Subscribe to ``url`` and store the feed discovery fetched from it, as
    a refresh would store it."""
    from reader.schedule import declared_interval
    from reader.store_batch import save_document

    content = document.result.content or b""
    feed = store.add_feed(url)
    declared = declared_interval(content)
    body_hash = hashlib.sha256(content).hexdigest()
    save_document(store, feed, document.result, (document.parsed, declared), body_hash)
    return _report_added(store, feed.id, url, 0)


def _add_and_refresh(store: Store, url: str, *, refresh: bool) -> int:
    feed = store.add_feed(url)
    if not refresh:
        print(f"Added feed {feed.id}: {url}")
        return 0
    status = refresh_with_progress(store, [feed.id], force=True, quiet=True)
    return _report_added(store, feed.id, url, status)


def _report_added(store: Store, feed_id: int, url: str, status: int) -> int:
    """Print the outcome of adding feed ``feed_id``; return ``status``."""
    feed = store.get_feed(feed_id)
    if feed.last_error:
        print(f"Added feed {feed.id}: {url}")
        _report_failed_fetch(feed)
        return status
    entries = plural(feed.total, "entry", "entries")
    print(f"Added feed {feed.id}: {clean_line(feed.title)} ({entries})")
    return status
