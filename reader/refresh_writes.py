"""The queue of parsed feeds that one writer stores in batches.

Each feed's task awaits its own outcome, while a single drain task sends
whatever has queued up since the last batch to the writer process (see
``reader.store_batch``), or to the writer thread where processes cannot
run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from functools import partial
from pathlib import Path

from reader.parsepool import Parser, write_batch
from reader.store_batch import FeedToStore, StoreOutcome, save_batch
from reader.store_writer import StoreWriter

logger = logging.getLogger(__name__)

# The maximum number of feeds stored in one transaction. On 1,000 generated
# feeds of 400 KB (benchmarks/refresh_profile.py), batches of 8 took 17-18 s
# and batches of 16 or 32 took as long or longer, while the processes' memory
# (PSS) grew from 200 MB to 246 MB and more.
MAX_BATCH = 8

_Waiting = tuple[FeedToStore, "asyncio.Future[StoreOutcome]"]


class WriteQueue:
    """Feeds waiting to be stored, and the task that stores them."""

    def __init__(
        self,
        process: Parser,
        thread: StoreWriter,
        path: Path,
        retention: timedelta | None,
    ) -> None:
        self._process = process
        self._thread = thread
        self._path = path
        self._retention = retention
        self._waiting: list[_Waiting] = []
        self._drain: asyncio.Task[None] | None = None

    async def store(self, job: FeedToStore) -> tuple[int, int]:
        """Store one parsed feed and return its (new, updated) entry counts.

        Raises what storing it raised: StoreError when the cache cannot be
        written, another exception when this feed alone failed.
        """
        future: asyncio.Future[StoreOutcome] = (
            asyncio.get_running_loop().create_future()
        )
        self._waiting.append((job, future))
        if self._drain is None or self._drain.done():
            self._drain = asyncio.create_task(self._store_waiting())
        outcome = await future
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def close(self) -> None:
        """Stop storing; feeds still waiting are dropped."""
        if self._drain is not None and not self._drain.done():
            self._drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drain
        for _, future in self._waiting:
            future.cancel()
        self._waiting.clear()

    async def _store_waiting(self) -> None:
        while self._waiting:
            batch = self._waiting[:MAX_BATCH]
            del self._waiting[:MAX_BATCH]
            jobs = [job for job, _ in batch]
            try:
                outcomes = await self._process.run(
                    partial(write_batch, self._path, jobs, self._retention),
                    partial(self._thread.call, save_batch, jobs),
                )
            except Exception as error:
                # The cache cannot be written: every feed of the batch fails.
                ids = ",".join(str(job.feed.id) for job in jobs)
                logger.error("batch not stored feed_ids=%s error=%s", ids, error)
                outcomes = [error] * len(batch)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)
