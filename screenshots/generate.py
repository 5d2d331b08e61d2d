"""Regenerate the SVG screenshots in this folder from the welcome feed.

Run ``make screenshots`` (or ``python screenshots/generate.py``). The cache
is a temporary file, so nothing touches the user's own cache.
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

from reader.store import Store
from reader.tui.app import TidingsApp

SIZE = (120, 36)
OUTPUT = Path(__file__).resolve().parent

Steps = Callable[[Pilot[Any]], Awaitable[None]]


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.3)


async def _open_code_article(pilot: Pilot[Any]) -> None:
    # Entries are newest first; "Code blocks look like this" is the last one.
    await pilot.press("G", "enter")
    await _settle(pilot)


async def _open_help(pilot: Pilot[Any]) -> None:
    await pilot.press("enter", "question_mark")
    await _settle(pilot)


SCREENS: dict[str, Steps] = {
    "main.svg": _open_code_article,
    "help.svg": _open_help,
}


async def _capture(name: str, steps: Steps, folder: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "c.db") as store:
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            await steps(pilot)
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
