"""Time each step of a refresh worker's job on the generated feeds, in one process.

Run ``.venv/bin/python benchmarks/refresh_steps.py``. It parses and stores
the feeds of ``refresh.py`` the way a worker process does, without HTTP,
and prints the CPU milliseconds per feed of each step: for a whole step
the best of ``--rounds`` rounds, for a part of one the mean over them.

Steps:

- parse: feedparser alone with tidings' options, the body cleaner, and
  ``parse_feed`` as a whole;
- store: ``save_document`` into a new cache as a whole, and within it the
  entry inserts (with their fingerprints) and the search index (with the
  HTML stripped by ``search_text``). As in a refresh, the saves leave up to
  ``REFRESH_INDEX_BACKLOG`` entries queued for the index, and the last
  catch-up of the index counts as part of the store.

The store steps are timed by wrapping the functions of ``reader.store``
and ``reader.search``, which adds a few microseconds per call.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feedgen

from reader import parse, parsepool, saxdriver, search, store
from reader.models import FetchResult
from reader.store_batch import ParsedDocument, save_document


def best_ms(rounds: int, count: int, work: Callable[[], object]) -> float:
    """Return the fewest CPU milliseconds per feed ``work`` took in ``rounds``."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best / count * 1000


@contextmanager
def timing(owner: Any, name: str, totals: dict[str, float]) -> Iterator[None]:
    """Add the CPU seconds of each call of ``owner.name`` to ``totals[name]``."""
    original = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + time.process_time() - started

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


def save_all(documents: list[ParsedDocument]) -> float:
    """Store every parsed document in a new cache, as a refresh does.

    Returns the CPU seconds of the stores and of the final index update.
    """
    with (
        tempfile.TemporaryDirectory() as folder,
        store.Store(Path(folder) / "cache.sqlite3") as cache,
    ):
        feeds = [
            cache.add_feed(f"http://127.0.0.1/feed{number}.xml")
            for number in range(len(documents))
        ]
        cache.index_backlog = store.REFRESH_INDEX_BACKLOG
        started = time.process_time()
        for feed, document in zip(feeds, documents, strict=True):
            result = FetchResult(url=feed.url, content=b"")
            save_document(cache, feed, result, document, "0" * 64)
        # A refresh indexes the entries its saves left queued at its end.
        cache.update_search_index()
        return time.process_time() - started


def main() -> None:
    """Generate the feeds and print the figures."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--feeds", type=int, default=60, help="feeds to use")
    options.add_argument("--rounds", type=int, default=3, help="rounds per step")
    args = options.parse_args()
    documents = [feedgen.feed_document(number) for number in range(args.feeds)]
    urls = [f"http://127.0.0.1/feed{number}.xml" for number in range(args.feeds)]
    count = len(documents)
    saxdriver.install()

    def run_feedparser() -> None:
        for document in documents:
            feedparser.parse(
                io.BytesIO(document),
                response_headers={"content-type": "application/xml"},
                resolve_relative_uris=False,
                sanitize_html=False,
            )

    def run_parse() -> list[ParsedDocument]:
        return [
            parsepool.parse_document(document, url, "application/xml")
            for document, url in zip(documents, urls, strict=True)
        ]

    parsed = run_parse()
    size = sum(map(len, documents)) / count / 1024
    print(f"{count} generated feeds, {size:.0f} KiB on average, CPU ms per feed")
    feedparser_ms = best_ms(args.rounds, count, run_feedparser)
    print(f"feedparser, tidings' options    {feedparser_ms:6.2f}")
    cleaner: dict[str, float] = {}
    with timing(parse, "clean_body_html", cleaner):
        total = best_ms(args.rounds, count, run_parse)
    cleaned = cleaner["clean_body_html"] / args.rounds / count * 1000
    print(f"  body cleaner (clean_body_html) {cleaned:6.2f}")
    print(f"parse_document, in all          {total:6.2f}")

    steps: dict[str, float] = {}
    with (
        timing(store.Store, "_upsert_entries", steps),
        timing(store, "index_pending", steps),
        timing(search, "search_text", steps),
    ):
        total = min(save_all(parsed) for _ in range(args.rounds)) / count * 1000
    for name, label in (
        ("_upsert_entries", "entry inserts and fingerprints"),
        ("index_pending", "search index"),
        ("search_text", "  of which search_text"),
    ):
        print(f"  {label:30} {steps[name] / args.rounds / count * 1000:6.2f}")
    print(f"save_document, in all           {total:6.2f}")


if __name__ == "__main__":
    main()
