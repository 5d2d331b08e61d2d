"""One refresh run: fetch, parse and store each feed, and record the outcome.

``RefreshRun`` is the working half of ``reader.update.refresh_feeds``. It
turns every outcome into a ``FeedRefreshed`` and into the feed's schedule:
success, nothing new, failure, gone, or a host that requested a pause.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import httpx

from reader import schedule
from reader.fetch import fetch_feed
from reader.hosts import HostGate, host_key
from reader.models import (
    Feed,
    FeedGoneError,
    FeedRefreshed,
    FetchError,
    FetchResult,
    ParseError,
    ServerBusyError,
    StoreError,
    TidingsError,
)
from reader.parsepool import Parser, prepare_document
from reader.refresh_writes import MAX_BATCH, WriteQueue
from reader.store import Store, utc_now
from reader.store_batch import FeedToStore
from reader.store_schedule import UnchangedFeed
from reader.store_writer import StoreWriter

if TYPE_CHECKING:
    from reader.update import RefreshLimits

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[FeedRefreshed, int, int], None]
"""Called as ``on_progress(result, done, total)`` after each feed."""

# Feeds that found nothing new are written this many to a transaction. A
# feed that failed last time is written at once, so its error clears.
UNCHANGED_BATCH = 100


class RefreshRun:
    """One refresh run: the shared client, parser, limits and progress count."""

    def __init__(
        self,
        store: Store,
        client: httpx.AsyncClient,
        parser: Parser,
        hosts: HostGate,
        limits: RefreshLimits,
        writer: StoreWriter,
        writer_process: Parser,
    ) -> None:
        self.store = store
        self.writer = writer
        self.client = client
        self.parser = parser
        self.writes = WriteQueue(
            writer_process, writer, store.path.resolve(), store.retention
        )
        self.hosts = hosts
        self.limits = limits
        self._slots = asyncio.Semaphore(limits.concurrency)
        # Feeds between their host slot and their stored result: the fetches
        # in flight plus a batch's worth of feeds waiting for a parser or the
        # writer, so fetching runs ahead of storing by a bounded amount of
        # memory. A parsed feed's rows take about 0.7 MB (400 KB of HTML and
        # its search text).
        self._backlog = asyncio.Semaphore(limits.concurrency + MAX_BATCH)
        self._intervals = store.stored_intervals()
        self._unchanged: list[UnchangedFeed] = []

    async def refresh_all(
        self,
        feeds: list[Feed],
        skipped: dict[int, str],
        on_progress: ProgressCallback | None,
    ) -> tuple[FeedRefreshed, ...]:
        """Refresh ``feeds`` concurrently and return their results in order.

        Feeds in ``skipped`` are reported first, with their reason, and not
        fetched.
        """
        done = 0
        total = len(feeds)

        def report(result: FeedRefreshed) -> FeedRefreshed:
            nonlocal done
            done += 1
            if on_progress is not None:
                on_progress(result, done, total)
            return result

        async def refresh_and_report(feed: Feed) -> FeedRefreshed:
            return report(await self.refresh_guarded(feed))

        results = {
            feed.id: report(FeedRefreshed(feed.id, feed.url, skipped=skipped[feed.id]))
            for feed in feeds
            if feed.id in skipped
        }
        # Feeds of one host go one after another, so they reuse connections.
        due = sorted(
            (feed for feed in feeds if feed.id not in skipped),
            key=lambda feed: host_key(feed.url) or "",
        )
        try:
            async with asyncio.TaskGroup() as group:
                tasks = {
                    feed.id: group.create_task(refresh_and_report(feed)) for feed in due
                }
        except* StoreError as failed:
            # The cache cannot be written (disk full, locked, damaged), so
            # the remaining feeds would fail the same way. The task group
            # has cancelled them, and the first error reaches the caller.
            raise failed.exceptions[0] from None
        finally:
            await self.writes.close()
            await self._flush_unchanged()
            await self._index_backlog()
        results |= {feed_id: task.result() for feed_id, task in tasks.items()}
        return tuple(results[feed.id] for feed in feeds)

    async def refresh_guarded(self, feed: Feed) -> FeedRefreshed:
        """Refresh one feed, turning any failure into its stored error."""
        holds_backlog = False
        try:
            # The host slot comes first, so feeds queued behind a busy host
            # hold no place in the backlog and no global slot that feeds of
            # other hosts could use. Both slots are released once the body is
            # read: they limit requests in flight, not parses.
            async with self.hosts.slot(feed.url):
                await self._backlog.acquire()
                holds_backlog = True
                async with self._slots:
                    paused = self.hosts.paused(feed.url, utc_now())
                    if paused is not None:
                        return _paused_result(feed, *paused)
                    result = await self._fetch(feed)
            return await self.process(feed, result)
        except StoreError as error:
            logger.error("refresh stopped feed_id=%d error=%s", feed.id, error)
            raise StoreError(f"refresh of {feed.url} stopped: {error}") from error
        except FeedGoneError as error:
            logger.warning("feed gone feed_id=%d error=%s", feed.id, error)
            return await self._record(feed, str(error), gone=True)
        except ServerBusyError as error:
            return await self._record(feed, str(error))
        except (FetchError, ParseError) as error:
            logger.warning("refresh failed feed_id=%d error=%s", feed.id, error)
            return await self._record(feed, str(error))
        except Exception as error:
            logger.exception("refresh crashed feed_id=%d url=%s", feed.id, feed.url)
            message = f"internal error: {type(error).__name__}: {error}"
            return await self._record(feed, message)
        finally:
            if holds_backlog:
                self._backlog.release()

    async def _fetch(self, feed: Feed) -> FetchResult:
        """Fetch one feed in its host's slot. Raises FetchError."""
        limits = self.limits
        try:
            return await fetch_feed(
                self.client,
                feed.url,
                etag=feed.etag,
                last_modified=feed.last_modified,
                max_bytes=limits.max_bytes,
                total_timeout=limits.total_timeout,
            )
        except ServerBusyError as error:
            # The pause must be in force before the host's slot goes to the
            # next feed of that host.
            await self._pause_host(feed, error)
            raise

    async def process(self, feed: Feed, result: FetchResult) -> FeedRefreshed:
        """Parse and store one fetched feed. Raises ParseError."""
        now = utc_now()
        if result.content is None:
            return await self._record_unchanged(feed, result, now)
        body_hash = hashlib.sha256(result.content).hexdigest()
        if body_hash == await self.writer.call(Store.body_hash, feed.id):
            return await self._record_unchanged(feed, result, now)
        job = partial(prepare_document, result.content, result.url, result.content_type)
        rows = await self.parser.run(job, partial(asyncio.to_thread, job))
        # The writer needs no body, and sending it would cost a copy.
        headers = replace(result, content=None)
        new, updated = await self.writes.store(
            FeedToStore(feed, headers, rows, body_hash)
        )
        logger.debug("feed stored feed_id=%d new=%d updated=%d", feed.id, new, updated)
        return FeedRefreshed(feed.id, feed.url, new=new, updated=updated)

    async def _record_unchanged(
        self, feed: Feed, result: FetchResult, now: datetime
    ) -> FeedRefreshed:
        declared, max_age = self._intervals.get(feed.id, (None, None))
        # A 304 updates only the headers it carries (RFC 9111, 4.3.4), so one
        # without Cache-Control leaves the stored max-age in force.
        if result.content is not None or result.max_age is not None:
            max_age = result.max_age
        next_refresh = schedule.next_after_success(now, feed, declared, max_age)
        # The batch keeps no body: a hundred of them could take 40 MB.
        headers_only = replace(result, content=None)
        unchanged = UnchangedFeed(feed.id, headers_only, next_refresh, max_age)
        self._unchanged.append(unchanged)
        fine_before = feed.last_error is None and not feed.gone
        if len(self._unchanged) >= UNCHANGED_BATCH or not fine_before:
            await self._flush_unchanged()
        return FeedRefreshed(feed.id, feed.url, not_modified=True)

    async def _flush_unchanged(self) -> None:
        batch, self._unchanged = self._unchanged, []
        if not batch:
            return
        try:
            await self.writer.call(Store.record_unchanged, batch, utc_now())
        except (sqlite3.Error, TidingsError):
            ids = ",".join(str(unchanged.feed_id) for unchanged in batch)
            logger.exception("cannot store unchanged feeds feed_ids=%s", ids)

    async def _index_backlog(self) -> None:
        # Saves during the run leave up to REFRESH_INDEX_BACKLOG entries
        # queued for the search index. The queue is stored in the cache, so
        # the next search or refresh catches up after a failure here.
        try:
            await self.writer.call(Store.update_search_index)
            # The writer process lets the log grow to 64 MB, so copying it
            # now spares the next commit of the caller's connection that work.
            await self.writer.call(Store.checkpoint)
        except (sqlite3.Error, TidingsError):
            logger.exception("cannot update the search index after the refresh")

    async def _pause_host(self, feed: Feed, error: ServerBusyError) -> None:
        until = utc_now() + schedule.host_pause(error.retry_after)
        reason = str(error).removeprefix(f"{feed.url}: ").split(";")[0]
        host = self.hosts.pause(feed.url, until, reason)
        if host is not None:
            logger.warning("host paused host=%s until=%s", host, until.isoformat())
            await self.writer.call(Store.pause_host, host, until, reason)

    async def _record(
        self, feed: Feed, message: str, gone: bool = False
    ) -> FeedRefreshed:
        try:
            if gone:
                await self.writer.call(Store.record_gone, feed.id, message)
            else:
                next_try = schedule.next_after_failure(utc_now(), feed)
                await self.writer.call(Store.record_failure, feed.id, message, next_try)
        except (sqlite3.Error, TidingsError):
            logger.exception("cannot store refresh error feed_id=%d", feed.id)
        return FeedRefreshed(feed.id, feed.url, error=message)


def _paused_result(
    feed: Feed, host: str, until: datetime, reason: str
) -> FeedRefreshed:
    message = f"{host} requested a pause until {schedule.format_time(until)}"
    return FeedRefreshed(feed.id, feed.url, skipped=f"{message} ({reason})")
