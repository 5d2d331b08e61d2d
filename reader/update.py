"""Refresh feeds: fetch concurrently, parse off the event loop, store.

Each feed is fetched with its stored validators. A 304 response, or a body
whose sha256 matches the body parsed last time, costs no parse. Every store
write happens on the event loop thread, one transaction per feed, because a
``Store`` is not thread-safe. One feed's failure is recorded on that feed
and never stops the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from multiprocessing import resource_tracker
from typing import Any
from urllib.parse import urlsplit

import httpx

from reader import parse
from reader.fetch import MAX_BYTES, fetch_feed, is_local, make_client
from reader.models import (
    Feed,
    FeedRefreshed,
    FetchError,
    ParsedFeed,
    ParseError,
    RefreshSummary,
    StoreError,
    TidingsError,
)
from reader.store import Store

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[FeedRefreshed, int, int], None]
"""Called as ``on_progress(result, done, total)`` after each feed."""

# The maximum number of feeds fetched from one host at once, so a reader
# subscribed to many feeds of one site does not open dozens of connections.
PER_HOST_LIMIT = 4

# Each parser process is an interpreter with feedparser loaded, about 26 MB
# resident on CPython 3.11, so a many-core machine does not get one per core.
MAX_PARSE_PROCESSES = 4


async def refresh_feeds(
    store: Store,
    feed_ids: Iterable[int] | None = None,
    *,
    concurrency: int = 16,
    per_host: int = PER_HOST_LIMIT,
    max_bytes: int = MAX_BYTES,
    on_progress: ProgressCallback | None = None,
    client: httpx.AsyncClient | None = None,
) -> RefreshSummary:
    """Refresh the feeds with ``feed_ids`` (every feed when None).

    At most ``concurrency`` feeds are in flight, and at most ``per_host`` of
    them on one host. Errors are stored on their feed and reported in the
    summary. Raises FeedNotFoundError for an unknown id before fetching
    anything, StoreError when the cache cannot be written (the feeds stored
    so far stay stored), and re-raises what ``on_progress`` raises.
    """
    if concurrency < 1 or per_host < 1:
        raise ValueError("concurrency and per_host must be at least 1")
    feeds = _select_feeds(store, feed_ids)
    started = time.monotonic()
    logger.info("refresh started feeds=%d concurrency=%d", len(feeds), concurrency)
    async with AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(make_client(concurrency))
        parser = _Parser(processes=_parse_processes(len(feeds)))
        stack.callback(parser.close)
        run = _Run(store, client, parser, concurrency, per_host, max_bytes)
        results = await run.refresh_all(feeds, on_progress)
    summary = RefreshSummary(results=results)
    logger.info(
        "refresh finished feeds=%d failed=%d seconds=%.2f",
        len(results),
        len(summary.failed),
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


def _parse_processes(feed_count: int) -> int:
    return min(feed_count, os.cpu_count() or 1, MAX_PARSE_PROCESSES)


class _Run:
    """One refresh run: the shared client, parser, limits and progress count."""

    def __init__(
        self,
        store: Store,
        client: httpx.AsyncClient,
        parser: _Parser,
        concurrency: int,
        per_host: int,
        max_bytes: int,
    ) -> None:
        self.store = store
        self.client = client
        self.parser = parser
        self.max_bytes = max_bytes
        self._slots = asyncio.Semaphore(concurrency)
        self._per_host = per_host
        self._host_slots: dict[str, asyncio.Semaphore] = {}

    async def refresh_all(
        self, feeds: list[Feed], on_progress: ProgressCallback | None
    ) -> tuple[FeedRefreshed, ...]:
        """Refresh ``feeds`` concurrently and return their results in order."""
        done = 0

        async def refresh_and_report(feed: Feed) -> FeedRefreshed:
            nonlocal done
            result = await self.refresh_guarded(feed)
            done += 1
            if on_progress is not None:
                on_progress(result, done, len(feeds))
            return result

        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(refresh_and_report(feed)) for feed in feeds]
        except* StoreError as failed:
            # The cache cannot be written (disk full, locked, damaged), so
            # the remaining feeds would fail the same way. The task group
            # has cancelled them, and the first error reaches the caller.
            raise failed.exceptions[0] from None
        return tuple(task.result() for task in tasks)

    async def refresh_guarded(self, feed: Feed) -> FeedRefreshed:
        """Refresh one feed, turning any failure into its stored error."""
        # The host slot comes first, so feeds queued behind a busy host do
        # not hold global slots that feeds of other hosts could use.
        async with self._host_slot(feed.url), self._slots:
            try:
                return await self.refresh(feed)
            except StoreError as error:
                logger.error("refresh stopped feed_id=%d error=%s", feed.id, error)
                raise StoreError(f"refresh of {feed.url} stopped: {error}") from error
            except (FetchError, ParseError) as error:
                logger.warning("refresh failed feed_id=%d error=%s", feed.id, error)
                return self._record_error(feed, str(error))
            except Exception as error:
                logger.exception("refresh crashed feed_id=%d url=%s", feed.id, feed.url)
                message = f"internal error: {type(error).__name__}: {error}"
                return self._record_error(feed, message)

    async def refresh(self, feed: Feed) -> FeedRefreshed:
        """Fetch, parse and store one feed. Raises FetchError or ParseError."""
        result = await fetch_feed(
            self.client,
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            max_bytes=self.max_bytes,
        )
        if result.content is None:
            self.store.record_not_modified(feed.id, result)
            return FeedRefreshed(feed.id, feed.url, not_modified=True)
        body_hash = hashlib.sha256(result.content).hexdigest()
        if body_hash == self.store.body_hash(feed.id):
            self.store.record_not_modified(feed.id, result)
            return FeedRefreshed(feed.id, feed.url, not_modified=True)
        parsed = await self.parser.parse(
            result.content, result.url, result.content_type
        )
        new, updated = self.store.save_parsed(feed.id, result, parsed, body_hash)
        logger.debug("feed stored feed_id=%d new=%d updated=%d", feed.id, new, updated)
        return FeedRefreshed(feed.id, feed.url, new=new, updated=updated)

    def _record_error(self, feed: Feed, message: str) -> FeedRefreshed:
        try:
            self.store.record_error(feed.id, message)
        except (sqlite3.Error, TidingsError):
            logger.exception("cannot store refresh error feed_id=%d", feed.id)
        return FeedRefreshed(feed.id, feed.url, error=message)

    @asynccontextmanager
    async def _host_slot(self, url: str) -> AsyncIterator[None]:
        host = None if is_local(url) else urlsplit(url).hostname
        if host is None:
            yield
            return
        slot = self._host_slots.setdefault(host, asyncio.Semaphore(self._per_host))
        async with slot:
            yield


class _Parser:
    """The runner of ``parse.parse_feed`` off the event loop.

    feedparser is pure Python and keeps the GIL while it works, so parser
    threads would still take turns with a Textual UI running in this
    process. Worker processes parse in parallel and leave the GIL to the UI.
    With 50 feeds of 100 KB on 2 CPUs, benchmarks/refresh_feeds.py measured
    event loop stalls of up to 66-421 ms with a thread and 20-48 ms with
    processes. Workers start lazily, so a run that gets only 304 responses
    starts none. A run of a single feed, or a machine with one CPU, parses
    in a thread, because starting a process would cost more than the parse.
    """

    def __init__(self, processes: int) -> None:
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None

    async def parse(
        self, content: bytes, url: str, content_type: str | None
    ) -> ParsedFeed:
        """Parse a feed document. Raises ParseError for a non-feed."""
        job = partial(parse.parse_feed, content, url, content_type=content_type)
        if self._processes < 2:
            return await asyncio.to_thread(job)
        try:
            # Submitting can start a worker, and the first start waits for
            # the forkserver to import reader.parse, so it runs in a thread.
            future = await asyncio.to_thread(self._get_pool().submit, job)
        except Exception as error:
            # Nothing of the job has run yet, so any failure here means that
            # worker processes cannot start: no working sem_open, no free
            # process slots, a pool broken by an earlier failure.
            return await self._parse_in_thread_after(error, job)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as error:
            # A worker died, or could not start because its __main__ module
            # cannot be imported again (a script read from stdin).
            # NOTE: a feed that killed its worker by exhausting memory is
            # retried in this process. MAX_BYTES bounds its size.
            return await self._parse_in_thread_after(error, job)

    async def _parse_in_thread_after(
        self, error: BaseException, job: Callable[[], ParsedFeed]
    ) -> ParsedFeed:
        # Jobs in flight on a broken pool all fail, but one warning suffices.
        if self._processes > 1:
            logger.warning("parser processes failed, using threads: %r", error)
        self._processes = 1
        self.close()
        return await asyncio.to_thread(job)

    def close(self) -> None:
        """Stop the worker processes without waiting for them."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            _start_resource_tracker()
            self._pool = ProcessPoolExecutor(self._processes, _process_context())
            logger.debug("parser pool started processes=%d", self._processes)
        return self._pool


def _start_resource_tracker() -> None:
    # On POSIX, multiprocessing starts a resource tracker process before any
    # worker and hands it the descriptor of sys.stderr. While a Textual app runs,
    # sys.stderr is a capture object whose fileno() returns -1, which makes
    # that start fail with ValueError. The tracker then gets /dev/null, so
    # it cannot write over the screen either.
    if os.name != "posix":
        return
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        resource_tracker.ensure_running()
        return
    captured = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = captured


def _process_context() -> multiprocessing.context.BaseContext:
    # Forking a process that runs threads (Textual, asyncio's default
    # executor) can copy a lock that another thread holds and deadlock, so
    # workers never come from a plain fork. The forkserver is a fresh
    # interpreter that imports reader.parse once and forks workers from
    # itself. Spawn is the portable fallback where forkserver is missing.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["reader.parse"])
        return context
    return multiprocessing.get_context("spawn")
