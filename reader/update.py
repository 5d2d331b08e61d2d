"""Refresh feeds: fetch concurrently, parse off the event loop, store.

Each feed is fetched with its stored validators. A 304 response, or a body
whose sha256 matches the body parsed last time, costs no parse. Parsed
feeds are stored by one writer process in batches, one transaction per
batch (``reader.refresh_writes``); the other writes, such as a batch of
unchanged feeds or a feed's error, run in a thread with its own connection
(``StoreWriter``). No commit stalls the event loop. One feed's failure is
recorded on that feed and never stops the others.

A refresh is polite: it limits requests in flight overall and per host,
skips feeds that are not due or gone (see ``reader.schedule``), and leaves
a host alone for as long as its 429 or 503 response requested.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx

from reader.fetch import (
    CONNECT_TIMEOUT,
    MAX_BYTES,
    MAX_REDIRECTS,
    READ_TIMEOUT,
    TOTAL_TIMEOUT,
    make_client,
)
from reader.hosts import HostGate
from reader.models import Feed, RefreshSummary
from reader.parsepool import (
    WORKER_NICENESS,
    WRITER_NICENESS,
    Parser,
    parse_processes,
)
from reader.refresh_run import ProgressCallback, RefreshRun
from reader.schedule import skip_reason
from reader.store import Store, utc_now
from reader.store_writer import StoreWriter

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 32
# The maximum number of feeds fetched from one host at once, so a reader
# subscribed to many feeds of one site does not open dozens of connections.
PER_HOST_LIMIT = 4


@dataclass(frozen=True)
class RefreshLimits:
    """Limits of one refresh run. Times are in seconds."""

    concurrency: int = DEFAULT_CONCURRENCY
    """Feeds fetched at once."""
    per_host: int = PER_HOST_LIMIT
    """Feeds fetched at once from one host (name and port)."""
    max_bytes: int = MAX_BYTES
    """Largest response body accepted, after decompression."""
    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT
    """Maximum wait for the next bytes of a response."""
    total_timeout: float = TOTAL_TIMEOUT
    """Maximum time of one fetch, redirects included."""
    max_redirects: int = MAX_REDIRECTS

    def check(self) -> None:
        """Raise ValueError for a limit that would stop every fetch."""
        if self.concurrency < 1 or self.per_host < 1:
            raise ValueError("concurrency and per_host must be at least 1")
        if self.max_bytes < 1 or self.max_redirects < 0:
            raise ValueError(
                "max_bytes must be positive and max_redirects not negative"
            )
        timeouts = (self.connect_timeout, self.read_timeout, self.total_timeout)
        if min(timeouts) <= 0:
            raise ValueError("timeouts must be positive")


async def refresh_feeds(
    store: Store,
    feed_ids: Iterable[int] | None = None,
    *,
    force: bool | None = None,
    on_progress: ProgressCallback | None = None,
    client: httpx.AsyncClient | None = None,
    worker_niceness: int = WORKER_NICENESS,
    writer_niceness: int = WRITER_NICENESS,
    **limits: Any,
) -> RefreshSummary:
    """Refresh the feeds with ``feed_ids`` (every feed when None).

    ``force`` refreshes feeds that are not due, backing off or gone. When
    None, feeds named in ``feed_ids`` are forced and a refresh of every
    feed keeps to the schedule. A host paused by a 429 or 503 response is
    left alone even then. ``worker_niceness`` is added to the nice value of
    the parser processes; the default leaves the CPU to the event loop's
    process and the writer first. ``writer_niceness`` is added to the nice
    value of the writer process. ``limits`` are the fields of ``RefreshLimits``.

    Errors are stored on their feed and reported in the summary, skipped
    feeds with the reason. Raises FeedNotFoundError for an unknown id
    before fetching anything, ValueError for an invalid limit, and
    re-raises what ``on_progress`` raises.
    """
    settings = RefreshLimits(**limits)
    settings.check()
    feeds = _select_feeds(store, feed_ids)
    now = utc_now()
    forced = feed_ids is not None if force is None else force
    skipped = {
        feed.id: reason
        for feed in feeds
        if (reason := skip_reason(feed, now, forced)) is not None
    }
    fetched = len(feeds) - len(skipped)
    started = time.monotonic()
    logger.info(
        "refresh started feeds=%d skipped=%d concurrency=%d",
        fetched,
        len(skipped),
        settings.concurrency,
    )
    async with AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(_make_client(settings))
        processes = parse_processes(fetched)
        parser = Parser(processes, worker_niceness)
        stack.callback(parser.close)
        # Writes go through one process when the parses use processes, and
        # through the writer thread otherwise.
        writer_process = Parser(
            1 if processes >= 2 else 0, writer_niceness, min_processes=1
        )
        stack.callback(writer_process.close)
        writer = await stack.enter_async_context(
            StoreWriter(store.path, store.retention)
        )
        hosts = HostGate(settings.per_host, store.host_pauses(now))
        run = RefreshRun(store, client, parser, hosts, settings, writer, writer_process)
        results = await run.refresh_all(feeds, skipped, on_progress)
    summary = RefreshSummary(results=results)
    logger.info(
        "refresh finished feeds=%d failed=%d skipped=%d seconds=%.2f",
        len(results),
        len(summary.failed),
        len(summary.skipped),
        time.monotonic() - started,
    )
    return summary


def refresh_feeds_sync(
    store: Store, feed_ids: Iterable[int] | None = None, **kwargs: Any
) -> RefreshSummary:
    """Run ``refresh_feeds`` in a new event loop, for callers without one."""
    return asyncio.run(refresh_feeds(store, feed_ids, **kwargs))


def _select_feeds(store: Store, feed_ids: Iterable[int] | None) -> list[Feed]:
    if feed_ids is None:
        return store.list_feeds()
    return [store.get_feed(feed_id) for feed_id in dict.fromkeys(feed_ids)]


def _make_client(settings: RefreshLimits) -> httpx.AsyncClient:
    return make_client(
        settings.concurrency,
        settings.read_timeout,
        connect_timeout=settings.connect_timeout,
        max_redirects=settings.max_redirects,
    )
