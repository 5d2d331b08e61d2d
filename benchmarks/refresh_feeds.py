"""Time refreshing many copies of a ~100 KB feed served on 127.0.0.1.

Run with ``.venv/bin/python benchmarks/refresh_feeds.py``. It prints, for
parsing in worker processes and in a thread, the time of a first refresh
(every feed parsed) and a second one (304 responses or unchanged bodies),
and the longest stall of the event loop, measured by a task that wakes
every 10 ms. The loop stall is what a Textual UI in the same process would
feel.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from reader import parsepool, update
from reader.store import Store

TICK = 0.01


def make_feed(items: int = 80) -> bytes:
    """Return an RSS document of about 100 KB with ``items`` generated posts."""
    parts = []
    for number in range(items):
        words = " ".join(f"word{(number * 7 + k) % 97}" for k in range(150))
        body = (
            f"&lt;p&gt;{words}&lt;/p&gt;&lt;pre&gt;&lt;code class="
            f"&quot;language-python&quot;&gt;print({number})&lt;/code&gt;&lt;/pre&gt;"
        )
        parts.append(
            f"<item><guid>post-{number}</guid><title>Post {number}</title>"
            f"<link>http://127.0.0.1/post/{number}</link>"
            f"<pubDate>Mon, 01 Dec 2025 12:{number % 60:02d}:00 GMT</pubDate>"
            f"<description>{body}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Benchmark</title><link>http://127.0.0.1/</link>"
        "<description>generated</description>" + "".join(parts) + "</channel></rss>"
    ).encode()


class FeedHandler(BaseHTTPRequestHandler):
    """Serve the same feed at every path, with an ETag when one is set."""

    protocol_version = "HTTP/1.1"
    feed = b""
    etag: str | None = None

    def do_GET(self) -> None:
        """Send 304 when If-None-Match matches the ETag, else the feed."""
        if self.etag and self.headers.get("If-None-Match") == self.etag:
            self.send_response(304)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(self.feed)))
        if self.etag:
            self.send_header("ETag", self.etag)
        self.end_headers()
        self.wfile.write(self.feed)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the request log off the benchmark output."""


async def timed_refresh(store: Store, per_host: int) -> tuple[float, float]:
    """Refresh every feed; return seconds taken and the longest loop stall."""
    stalls: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            stalls.append(now - last - TICK)
            last = now

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    summary = await update.refresh_feeds(store, per_host=per_host)
    elapsed = time.perf_counter() - started
    done.set()
    await ticker
    if summary.failed:
        raise SystemExit(f"refresh failed: {summary.failed[0].error}")
    return elapsed, max(stalls, default=0.0)


def run(
    base: str, copies: int, processes: int, per_host: int, etag: str | None
) -> None:
    """Print first and second refresh figures for one configuration."""
    parsepool.MAX_PARSE_PROCESSES = processes
    FeedHandler.etag = etag
    with (
        tempfile.TemporaryDirectory() as folder,
        Store(Path(folder) / "cache.sqlite3") as store,
    ):
        for number in range(copies):
            store.add_feed(f"{base}/feed{number}")
        first, first_stall = asyncio.run(timed_refresh(store, per_host))
        second, second_stall = asyncio.run(timed_refresh(store, per_host))
    parser = "processes" if processes > 1 else "thread"
    label = f"parse in {parser}, per_host={per_host}, ETag={'yes' if etag else 'no'}"
    print(
        f"{label:42} first {first:5.2f} s (loop stall {first_stall * 1000:4.0f} ms)"
        f"  second {second:5.2f} s (loop stall {second_stall * 1000:4.0f} ms)"
    )


def main() -> None:
    """Serve the feed, then time each configuration."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--copies", type=int, default=50, help="feeds to refresh")
    args = options.parse_args()
    FeedHandler.feed = make_feed()
    # The default listen backlog of 5 drops connections when 16 open at once,
    # and each dropped SYN costs a one-second retransmit.
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    size = len(FeedHandler.feed) / 1024
    print(f"{args.copies} copies of a {size:.0f} KiB feed, {os.cpu_count()} CPUs")
    try:
        for processes in (parsepool.MAX_PARSE_PROCESSES, 1):
            run(base, args.copies, processes, update.PER_HOST_LIMIT, None)
            run(base, args.copies, processes, 16, '"v1"')
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
