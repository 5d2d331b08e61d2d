"""Time importing 1,000 feeds from OPML and from a newsboat urls file.

Run with ``.venv/bin/python benchmarks/import_feeds.py``. It prints, per
format, the time to parse the file, to store every feed in a new cache
(one transaction, nothing fetched), and the wall time of the whole
``tidings import FILE`` command in a fresh interpreter, interpreter start
included. Each figure is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import quoteattr

from reader.store import Store
from reader.subscriptions import import_subscriptions, parse_subscriptions


def make_opml(count: int) -> bytes:
    """Return an OPML 2.0 file of ``count`` feeds in 20 folders, 2 levels deep."""
    folders: dict[int, list[str]] = {}
    for number in range(count):
        title = quoteattr(f"Feed number {number}")
        url = quoteattr(f"https://host{number % 97}.example/feeds/{number}.xml")
        line = f'<outline type="rss" text={title} xmlUrl={url}/>'
        folders.setdefault(number % 20, []).append(line)
    body = "".join(
        f'<outline text="Group {group // 5}"><outline text="Topic {group}">'
        + "\n".join(lines)
        + "</outline></outline>\n"
        for group, lines in folders.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">'
        f"<head><title>bench</title></head><body>\n{body}</body></opml>\n"
    ).encode()


def make_urls(count: int) -> bytes:
    """Return a newsboat urls file of ``count`` feeds with tags and titles."""
    lines = [
        f'https://host{n % 97}.example/feeds/{n}.xml "topic{n % 20}" "~Feed {n}"'
        for n in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """Return the shortest wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(name: str, data: bytes, repeat: int, directory: Path) -> None:
    """Print the parse, store and command times of one file."""
    parse_time = best_of(repeat, lambda: parse_subscriptions(data))
    listing = parse_subscriptions(data)
    counter = iter(range(repeat * 2))

    def store_all() -> None:
        with Store(directory / f"{name}-{next(counter)}.sqlite3") as store:
            report = import_subscriptions(store, listing)
            assert len(report.added) == len(listing.subscriptions)

    store_time = best_of(repeat, store_all)
    source = directory / f"{name}.in"
    source.write_bytes(data)
    command = [sys.executable, "-m", "reader", "import", str(source)]

    def run_command() -> None:
        cache = directory / f"{name}-cli-{next(counter)}.sqlite3"
        env = {**os.environ, "TIDINGS_DB": str(cache)}
        subprocess.run(command, env=env, check=True, capture_output=True)

    command_time = best_of(repeat, run_command)
    print(
        f"{name:<14} feeds={len(listing.subscriptions)} "
        f"parse={parse_time * 1000:.1f} ms store={store_time * 1000:.1f} ms "
        f"command={command_time * 1000:.0f} ms"
    )


def main() -> None:
    """Parse arguments and print one line per format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory)
        measure("OPML", make_opml(args.feeds), args.repeat, path)
        measure("newsboat urls", make_urls(args.feeds), args.repeat, path)


if __name__ == "__main__":
    main()
