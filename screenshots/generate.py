"""Regenerate the SVG screenshots in this folder.

The cache holds the bundled welcome feed and the feeds in ``feeds/`` (our
own text), sorted into folders. Run ``make screenshots`` (or ``python
screenshots/generate.py``). The cache is a temporary file, so nothing
touches the user's own cache.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from reader.models import FetchResult
from reader.parse import parse_feed
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.welcome import ensure_welcome

SIZE = (120, 36)
OUTPUT = Path(__file__).resolve().parent
FEEDS = OUTPUT / "feeds"
FOLDERS = {"harbor.xml": "Ops", "pine.xml": "Languages", "types.xml": "Languages"}
"""Feed file in ``feeds/`` and the folder it goes in."""

Steps = Callable[[Pilot[Any], dict[str, int]], Awaitable[None]]


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.3)


def fill_cache(store: Store) -> dict[str, int]:
    """Add the welcome feed and the feeds of ``feeds/`` in their folders;
    return the feed ids by file name."""
    ensure_welcome(store)
    ids = {}
    for name, folder in FOLDERS.items():
        content = (FEEDS / name).read_bytes()
        # A relative URL keeps the checkout's path out of the screenshots.
        feed = store.add_feed(name)
        parsed = parse_feed(content, name)
        store.save_parsed(feed.id, FetchResult(url=name, content=content), parsed)
        store.set_feed_folder(feed.id, folder)
        ids[name] = feed.id
    return ids


async def _open_code_article(pilot: Pilot[Any], ids: dict[str, int]) -> None:
    app = pilot.app
    assert isinstance(app, TidingsApp)
    app.reload_feeds(ids["pine.xml"])
    await _settle(pilot)
    app.entry_list.focus()
    await pilot.press("enter")
    await _settle(pilot)


async def _open_help(pilot: Pilot[Any], ids: dict[str, int]) -> None:
    await pilot.press("question_mark")
    await _settle(pilot)


async def _confirm_remove(pilot: Pilot[Any], ids: dict[str, int]) -> None:
    app = pilot.app
    assert isinstance(app, TidingsApp)
    app.reload_feeds(ids["harbor.xml"])
    await _settle(pilot)
    await pilot.press("D")
    await _settle(pilot)


SCREENS: dict[str, Steps] = {
    "main.svg": _open_code_article,
    "help.svg": _open_help,
    "remove.svg": _confirm_remove,
}


async def _capture(name: str, steps: Steps, folder: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "c.db") as store:
        ids = fill_cache(store)
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            await steps(pilot, ids)
            path = app.save_screenshot(filename=name, path=str(folder))
    return Path(path)


def main(argv: list[str]) -> int:
    """Write every screenshot into the folder given as the first argument."""
    folder = Path(argv[1]) if len(argv) > 1 else OUTPUT
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["TZ"] = "UTC"
    time.tzset()
    for name, steps in SCREENS.items():
        print(asyncio.run(_capture(name, steps, folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
