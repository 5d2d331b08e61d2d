"""Run a refresh's cache writes in a thread of their own.

A commit can take tens of milliseconds when SQLite checkpoints its WAL, and
a refresh commits once per parsed feed. On the event loop thread those
commits would freeze a Textual UI running on the same loop. The writer
thread opens its own connection to the cache file, so the caller's
``Store`` stays usable on the loop thread meanwhile; SQLite's WAL mode lets
that connection read while the writer writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from reader.store import REFRESH_INDEX_BACKLOG, Store

P = ParamSpec("P")
T = TypeVar("T")


class StoreWriter:
    """One thread with its own ``Store`` on a cache file; use ``async with``."""

    def __init__(self, path: Path, retention: timedelta | None) -> None:
        self._path = path
        self._retention = retention
        self._store: Store | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="tidings-store")

    async def __aenter__(self) -> StoreWriter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._executor.shutdown()

    async def call(
        self,
        method: Callable[Concatenate[Store, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``method(store, *args, **kwargs)`` in the writer thread."""
        job = partial(self._run, method, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, job)

    def _run(
        self,
        method: Callable[Concatenate[Store, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        if self._store is None:
            self._store = Store(self._path, retention=self._retention)
            self._store.index_backlog = REFRESH_INDEX_BACKLOG
        return method(self._store, *args, **kwargs)

    def _close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
