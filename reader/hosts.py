"""Per-host politeness of one refresh run: request limits and pauses.

A host is the name and port of a feed URL ("example.org:443"), the way
browsers count connections, so two servers on one machine each get their
own limit. Local files have no host and no limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from urllib.parse import urlsplit

from reader.fetch import is_local

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_key(url: str) -> str | None:
    """Return the "name:port" of an http(s) URL, or None for local files."""
    if is_local(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    port = port or _DEFAULT_PORTS.get(parts.scheme.lower())
    return f"{parts.hostname}:{port}"


class HostGate:
    """The request slots of each host, and the pauses hosts requested."""

    def __init__(self, per_host: int, pauses: dict[str, tuple[datetime, str]]):
        self._per_host = per_host
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._pauses = dict(pauses)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold one of the URL's host's request slots while in the block."""
        host = host_key(url)
        if host is None:
            yield
            return
        slot = self._slots.setdefault(host, asyncio.Semaphore(self._per_host))
        async with slot:
            yield

    def pause(self, url: str, until: datetime, reason: str) -> str | None:
        """Pause the URL's host until ``until``; return the host, if any."""
        host = host_key(url)
        if host is not None:
            current = self._pauses.get(host)
            if current is None or current[0] < until:
                self._pauses[host] = (until, reason)
        return host

    def paused(self, url: str, now: datetime) -> tuple[str, datetime, str] | None:
        """Return (host, until, reason) if the URL's host is paused at ``now``."""
        host = host_key(url)
        if host is None or host not in self._pauses:
            return None
        until, reason = self._pauses[host]
        return (host, until, reason) if until > now else None
