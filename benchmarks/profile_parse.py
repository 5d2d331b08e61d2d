"""Profile parsing the benchmark's generated feeds, one process, no network.

Run ``.venv/bin/python benchmarks/profile_parse.py``. It prints the
milliseconds per feed of feedparser alone with default options and with
tidings' options, of ``reader.parse.parse_feed`` as a refresh runs it, and
then cProfile's top functions for ``parse_feed``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feedgen

from reader import saxdriver
from reader.parse import parse_feed


def per_feed_ms(documents: list[bytes], parse: Callable[[bytes], object]) -> float:
    """Return the mean CPU milliseconds ``parse`` takes per document."""
    started = time.process_time()
    for document in documents:
        parse(document)
    return (time.process_time() - started) / len(documents) * 1000


def main() -> None:
    """Generate the feeds and print the figures."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--feeds", type=int, default=40, help="feeds to parse")
    args = options.parse_args()
    documents = [feedgen.feed_document(number) for number in range(args.feeds)]
    size = sum(map(len, documents)) / len(documents) / 1024
    print(f"{len(documents)} generated feeds, {size:.0f} KiB on average")

    def feedparser_with(**kwargs: bool) -> Callable[[bytes], object]:
        return lambda document: feedparser.parse(io.BytesIO(document), **kwargs)

    def tidings(document: bytes) -> object:
        return parse_feed(document, "http://127.0.0.1/feed.xml")

    quick = {"sanitize_html": False, "resolve_relative_uris": False}
    rows = [
        ("feedparser, default options", feedparser_with()),
        ("feedparser, no sanitizing or URI pass", feedparser_with(**quick)),
        ("parse_feed, expat unbuffered", tidings),
    ]
    for label, parse in rows:
        print(f"{label:42} {per_feed_ms(documents, parse):6.1f} ms per feed")
    saxdriver.install()
    rows = [
        ("feedparser, buffered, no sanitizing", feedparser_with(**quick)),
        ("parse_feed, expat buffered (a refresh)", tidings),
    ]
    for label, parse in rows:
        print(f"{label:42} {per_feed_ms(documents, parse):6.1f} ms per feed")
    profile = cProfile.Profile(time.process_time)
    profile.runcall(lambda: [tidings(document) for document in documents])
    pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
