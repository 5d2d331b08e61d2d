"""Parse feed documents and store them off the event loop, in processes.

``Parser`` runs jobs in a process pool. A refresh uses two: parser
workers, one per CPU, parse each fetched document and build its rows
(``prepare_document``), and a single writer process stores them in
batches (``write_batch``). Neither the parse nor the writes then hold the
GIL of the process that runs the event loop. Where processes cannot run,
the caller's fallback runs the job in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from multiprocessing import resource_tracker
from pathlib import Path
from typing import TypeVar

from reader import parse, saxdriver
from reader.entry_values import prepare_entries
from reader.schedule import declared_interval
from reader.store import REFRESH_INDEX_BACKLOG, Store
from reader.store_batch import FeedToStore, ParsedDocument, StoreOutcome, save_batch

logger = logging.getLogger(__name__)

# Each parser process is an interpreter with feedparser loaded, about 26 MB
# resident on CPython 3.11, so a many-core machine does not get one per core.
MAX_PARSE_PROCESSES = 4


# Added by default to the nice value of worker processes: 10 gives a
# CPU-bound worker about a tenth of the share of a process at the default
# priority when they compete for one CPU (Linux CFS weights). Workers still
# use every idle CPU, but the process that runs the event loop goes first.
# In the TUI that keeps keys responsive while a refresh parses, and
# benchmarks/tui_latency.py measured a p95 of 171-173 ms instead of
# 281-420 ms at niceness 0 on 2 busy CPUs.
WORKER_NICENESS = 10

# Added to the nice value of the writer process. It stays at the default
# priority because every parsed feed waits for it. At niceness 5 it waited
# for a CPU for 3.5 s of a 500-feed refresh (benchmarks/refresh_profile.py),
# and the refresh took 10.1 s instead of 9.1 s.
WRITER_NICENESS = 0

# Seconds between a worker's checks that its parent still runs, where no
# pidfd reports the parent's exit at once (see _exit_after).
PARENT_CHECK_SECONDS = 1.0

T = TypeVar("T")

# The writer process's connection to each cache it has written to.
_worker_stores: dict[Path, Store] = {}

# Pages the writer process lets the write-ahead log grow to before it copies
# them into the database file. SQLite's default is 1,000 (4 MB). A page that
# several batches change is then copied once instead of once per batch. On
# benchmarks/refresh_profile.py's 500 feeds, 16,384 pages (64 MB) wrote
# 959 MB to the disk instead of 1,044 MB.
WRITER_CHECKPOINT_PAGES = 16384


def parse_document(
    content: bytes, url: str, content_type: str | None
) -> ParsedDocument:
    """Parse a feed document and read its declared refresh interval.

    Raises ParseError for a document that is not a feed.
    """
    saxdriver.install()
    parsed = parse.parse_feed(content, url, content_type=content_type)
    return parsed, declared_interval(content)


def prepare_document(content: bytes, url: str, content_type: str | None) -> bytes:
    """Parse a feed document and build the rows the store writes for it.

    Returns the pickled ``(document, prepared entries)`` that
    ``FeedToStore.rows`` takes. The event loop process only passes them on
    to the writer, and bytes cross between processes as one copy each way,
    where the objects would be taken apart and rebuilt in that process too.
    Raises ParseError for a document that is not a feed.
    """
    document = parse_document(content, url, content_type)
    prepared = prepare_entries(document[0].entries)
    return pickle.dumps((document, prepared), protocol=pickle.HIGHEST_PROTOCOL)


def write_batch(
    path: Path, jobs: Sequence[FeedToStore], retention: timedelta | None
) -> list[StoreOutcome]:
    """Store parsed feeds in the writer process; see ``save_batch``.

    Opens the cache at ``path`` on first use and keeps it open for the
    writer's next batches.
    """
    store = _worker_stores.get(path)
    if store is None:
        store = _worker_stores[path] = Store(path)
        store.set_checkpoint_pages(WRITER_CHECKPOINT_PAGES)
    # The writer outlives one refresh, so each batch sets the caller's
    # retention.
    store.retention = retention
    store.index_backlog = REFRESH_INDEX_BACKLOG
    return save_batch(store, jobs)


def parse_processes(feed_count: int) -> int:
    """Return how many worker processes a refresh of ``feed_count`` feeds
    should parse in: one per CPU, at most ``MAX_PARSE_PROCESSES``."""
    return min(feed_count, os.cpu_count() or 1, MAX_PARSE_PROCESSES)


class Parser:
    """The runner of jobs in worker processes: a refresh's parses in one,
    its writes in another (``min_processes=1``).

    feedparser is pure Python and keeps the GIL while it works, so parser
    threads would still take turns with a Textual UI running in this
    process. Worker processes parse in parallel and leave the GIL to the UI.
    With 50 feeds of 100 KB on 2 CPUs, benchmarks/refresh_feeds.py measured
    event loop stalls of up to 66-421 ms with a thread and 20-48 ms with
    processes. Workers start lazily, so a run that gets only 304 responses
    starts none. A run of a single feed, or a machine with one CPU, parses
    in a thread, because starting a process would cost more than the parse.
    A runner with fewer than ``min_processes`` processes runs every job's
    fallback.
    """

    def __init__(
        self, processes: int, niceness: int = WORKER_NICENESS, min_processes: int = 2
    ) -> None:
        self._processes = processes
        self._niceness = niceness
        self._min_processes = min_processes
        self._pool: ProcessPoolExecutor | None = None
        self._submitted = 0

    async def run(
        self, job: Callable[[], T], fallback: Callable[[], Awaitable[T]]
    ) -> T:
        """Run ``job`` in a worker process, or await ``fallback`` instead when
        this parser uses no processes or they cannot run."""
        if self._processes < self._min_processes:
            return await fallback()
        try:
            pool = self._get_pool()
            if self._submitted < self._processes:
                # Each of the first submissions can start a worker, and the
                # first start waits for the forkserver to import
                # reader.parsepool, so they run in a thread.
                self._submitted += 1
                future = await asyncio.to_thread(pool.submit, job)
            else:
                future = pool.submit(job)
        except Exception as error:
            # Nothing of the job has run yet, so any failure here means that
            # worker processes cannot start: no working sem_open, no free
            # process slots, a pool broken by an earlier failure.
            return await self._fall_back_after(error, fallback)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as error:
            # A worker died, or could not start because its __main__ module
            # cannot be imported again (a script read from stdin).
            # NOTE: a feed that killed its worker by exhausting memory is
            # retried in this process. MAX_BYTES bounds its size.
            return await self._fall_back_after(error, fallback)

    async def _fall_back_after(
        self, error: BaseException, fallback: Callable[[], Awaitable[T]]
    ) -> T:
        # Jobs in flight on a broken pool all fail, but one warning suffices.
        if self._processes >= self._min_processes:
            logger.warning("worker processes failed, using threads: %r", error)
        self._processes = 0
        self.close()
        return await fallback()

    def close(self) -> None:
        """Stop the worker processes without waiting for them."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            _start_resource_tracker()
            self._pool = ProcessPoolExecutor(
                self._processes,
                _process_context(),
                initializer=_start_worker,
                initargs=(self._niceness, os.getpid()),
            )
            logger.debug("parser pool started processes=%d", self._processes)
        return self._pool


def _start_worker(niceness: int, parent: int) -> None:
    """Add ``niceness`` to the nice value of this worker process (Unix),
    and end the worker when process ``parent``, which started the pool,
    ends."""
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)
    # Ctrl+C in a terminal signals the whole process group. The parent
    # stops the refresh; a worker would only print its traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch = threading.Thread(
        target=_exit_after, args=(parent,), name="tidings-parent", daemon=True
    )
    watch.start()


def _exit_after(parent: int) -> None:
    # A pool's workers wait for jobs on a pipe that their siblings also keep
    # open, so they outlive a parent killed by a signal, and the writer
    # would go on storing its batch. Ending at once is safe: SQLite rolls
    # back a transaction that was not committed.
    try:
        handle = os.pidfd_open(parent)
    except (AttributeError, OSError):
        # No pidfd (before Linux 5.3, other systems), or the parent is gone.
        # NOTE: the tests run on Linux, so only the pidfd path is tested.
        while _running(parent):
            time.sleep(PARENT_CHECK_SECONDS)
    else:
        select.select([handle], [], [])
    os._exit(1)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
        context.set_forkserver_preload(["reader.parsepool"])
        return context
    return multiprocessing.get_context("spawn")
