"""Build newsboat's cache from the same entries as a tidings cache.

Every feed of the tidings cache is written out as an RSS file with the same
titles, links, dates, authors and HTML bodies, served from 127.0.0.1, and
loaded with ``newsboat -x reload``. The entries read in tidings are then
marked read in newsboat with ``newsboat -I`` (a list of GUIDs), so both
readers show the same unread counts.
"""

from __future__ import annotations

import functools
import html
import shutil
import subprocess
import threading
import time
from email.utils import format_datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from reader.listing import EntryScope
from reader.models import Entry
from reader.store import Store

RELOAD_THREADS = 8
EXPORT_CHUNK = 1_000


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without logging each request."""

    def log_message(self, format: str, *args: object) -> None:
        """Keep the request log off the benchmark output."""


def newsboat_path() -> str | None:
    """Return the newsboat executable, or None when it is not installed."""
    return shutil.which("newsboat")


def export_feeds(store: Store, folder: Path) -> tuple[list[str], list[str]]:
    """Write each feed as ``folder/<id>.xml``; return (file names in feed
    list order, GUIDs of read entries)."""
    names, read = [], []
    for feed in store.list_feeds():
        name = f"{feed.id}.xml"
        with (folder / name).open("w", encoding="utf-8") as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">')
            out.write(f"<channel><title>{html.escape(feed.title)}</title>")
            out.write(f"<link>https://example.test/{feed.id}</link>")
            for entry in _entries(store, feed.id):
                out.write(_item(entry))
                if entry.read:
                    read.append(entry.key)
            out.write("</channel></rss>\n")
        names.append(name)
    return names, read


def _entries(store: Store, feed_id: int) -> list[Entry]:
    entries: list[Entry] = []
    rows = store.list_rows(EntryScope(feed_id=feed_id), limit=EXPORT_CHUNK)
    while rows:
        entries.extend(store.get_entry(row.id) for row in rows)
        rows = store.list_rows(
            EntryScope(feed_id=feed_id), limit=EXPORT_CHUNK, after=rows[-1].sort_key
        )
    return entries


def _item(entry: Entry) -> str:
    date = format_datetime(entry.date or entry.first_seen, usegmt=True)
    return (
        f"<item><title>{html.escape(entry.title)}</title>"
        f"<link>{html.escape(entry.link or '')}</link>"
        f'<guid isPermaLink="false">{html.escape(entry.key)}</guid>'
        f"<author>{html.escape(entry.author or '')}</author>"
        f"<pubDate>{date}</pubDate>"
        f"<description>{html.escape(entry.content)}</description></item>"
    )


def build_cache(store: Store, folder: Path) -> dict[str, float]:
    """Build newsboat's cache in ``folder`` from ``store``; return timings."""
    feeds = folder / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    names, read = export_feeds(store, feeds)
    exported = time.perf_counter() - started
    handler = functools.partial(QuietHandler, directory=str(feeds))
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (folder / "urls").write_text("".join(f"{base}/{name}\n" for name in names))
    (folder / "config").write_text(f"reload-threads {RELOAD_THREADS}\n")
    (folder / "read-guids").write_text("".join(f"{guid}\n" for guid in read))
    try:
        started = time.perf_counter()
        run_newsboat(folder, "-x", "reload")
        reloaded = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    started = time.perf_counter()
    run_newsboat(folder, "-I", str(folder / "read-guids"))
    marked = time.perf_counter() - started
    return {"export s": exported, "reload s": reloaded, "mark read s": marked}


def newsboat_argv(folder: Path) -> list[str]:
    """Return the newsboat command line on the cache in ``folder``."""
    return [
        "newsboat",
        "-u",
        str(folder / "urls"),
        "-c",
        str(folder / "cache.db"),
        "-C",
        str(folder / "config"),
    ]


def run_newsboat(folder: Path, *args: str) -> None:
    """Run newsboat without a terminal; raise if it fails."""
    subprocess.run(
        [*newsboat_argv(folder), *args],
        check=True,
        capture_output=True,
        timeout=3_600,
    )
