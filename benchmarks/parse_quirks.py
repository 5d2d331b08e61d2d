"""Time the parser paths for faulty feeds and the decompression size cap.

Run with ``.venv/bin/python benchmarks/parse_quirks.py``. It prints, each as
the best of several runs:

- parse_feed on a generated JSON Feed and on the same items as RSS 2.0;
- parse_feed on the RSS document with one stray windows-1252 byte, which
  costs the encoding repair pass on top of the parse;
- decompress_body on a gzip body of zeros that inflates far past the cap,
  with the peak memory that tracemalloc saw during the call.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
import tracemalloc
from collections.abc import Callable

from reader.compression import DecompressedSizeError, decompress_body
from reader.parse import parse_feed

URL = "https://bench.example.org/feed"


def make_items(count: int) -> list[dict[str, str]]:
    """Return ``count`` generated items of about 1 KB of HTML each."""
    items = []
    for number in range(count):
        words = " ".join(f"word{(number * 7 + k) % 97}" for k in range(150))
        code = f"<pre><code>print({number})</code></pre>"
        items.append(
            {
                "id": f"post-{number}",
                "url": f"https://bench.example.org/post/{number}",
                "title": f"Post {number}",
                "content_html": f"<p>{words}</p>{code}",
                "date_published": f"2025-12-01T12:{number % 60:02d}:00Z",
            }
        )
    return items


def as_json_feed(items: list[dict[str, str]]) -> bytes:
    """Return the items as a JSON Feed 1.1 document."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Benchmark",
        "items": items,
    }
    return json.dumps(document).encode()


def as_rss(items: list[dict[str, str]]) -> bytes:
    """Return the items as an RSS 2.0 document with escaped HTML bodies."""
    parts = []
    for item in items:
        body = item["content_html"].replace("&", "&amp;").replace("<", "&lt;")
        parts.append(
            f"<item><guid>{item['id']}</guid><title>{item['title']}</title>"
            f"<link>{item['url']}</link>"
            f"<pubDate>Mon, 01 Dec 2025 12:00:00 GMT</pubDate>"
            f"<description>{body}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Benchmark</title><link>https://bench.example.org/</link>"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def best_of(runs: int, job: Callable[[], object]) -> float:
    """Return the shortest wall time of ``runs`` calls of ``job``, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def time_parses(count: int, runs: int) -> None:
    """Print parse times for JSON Feed, RSS and RSS with a stray byte."""
    items = make_items(count)
    documents = {
        "JSON Feed": as_json_feed(items),
        "RSS 2.0": as_rss(items),
        "RSS 2.0, 1 stray byte": as_rss(items).replace(b"Post 0<", b"Post \x930<"),
    }
    for name, body in documents.items():
        seconds = best_of(runs, lambda body=body: parse_feed(body, URL))
        size = len(body) / 1024
        print(
            f"parse {name:<22} {count} items, {size:7.0f} KiB: {seconds * 1000:7.1f} ms"
        )


def time_bomb(inflated_mib: int, cap_mib: int, runs: int) -> None:
    """Print how long the size cap takes to stop a gzip bomb, and its memory."""
    bomb = gzip.compress(bytes(inflated_mib * 1024 * 1024))
    cap = cap_mib * 1024 * 1024

    def job() -> None:
        try:
            decompress_body(bomb, None, cap)
        except DecompressedSizeError:
            return
        raise AssertionError("the bomb was not stopped")

    seconds = best_of(runs, job)
    tracemalloc.start()
    job()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    compressed = len(bomb) / 1024
    print(
        f"gzip bomb {compressed:.0f} KiB -> {inflated_mib} MiB, cap {cap_mib} MiB: "
        f"stopped in {seconds * 1000:.1f} ms, peak {peak / 1024 / 1024:.1f} MiB"
    )


def main() -> None:
    """Parse the options and print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500, help="items per feed")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure")
    args = parser.parse_args()
    time_parses(args.items, args.runs)
    time_bomb(inflated_mib=1024, cap_mib=20, runs=args.runs)


if __name__ == "__main__":
    main()
