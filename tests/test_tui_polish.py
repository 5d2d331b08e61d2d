"""First-use fixes: the footer at small sizes, the feed pane's width,
feed errors, ``q`` on pushed screens, titles of added files, status
messages that end with their context, plurals, the help table and the
rename prompt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer

from reader.store import Store
from reader.tui.app import TidingsApp
from reader.welcome import WELCOME_META_KEY
from tests.test_tui import load_fixture


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A cache with the Lantern and markup fixture feeds, welcome feed off."""
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        load_fixture(store, "lantern.xml")
        load_fixture(store, "markup.xml")
        yield store


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def visible_footer_text(app: TidingsApp) -> str:
    """Return the footer's keys that fit on the screen, as ``key label``."""
    footer = app.screen.query_one(Footer)
    width = app.size.width
    shown = [
        f"{key.key_display} {key.description}"  # type: ignore[attr-defined]
        for key in footer.children
        if key.region.width and key.region.right <= width
    ]
    return "  ".join(shown)


# Footer and layout


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_footer_shows_help_in_every_pane(
    store: Store, size: tuple[int, int]
) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for pane in (app.feed_list, app.entry_list, app.article):
            pane.focus()
            await settle(pilot)
            text = visible_footer_text(app)
            assert "? Help" in text, (pane.id, text)
            assert "q Quit" in text, (pane.id, text)


@pytest.mark.parametrize(
    ("columns", "feeds_width"), [(60, 22), (80, 22), (120, 33), (200, 44)]
)
async def test_feed_pane_width_follows_terminal(
    store: Store, columns: int, feeds_width: int
) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=(columns, 30)) as pilot:
        await settle(pilot)
        assert app.feed_list.size.width + 2 == feeds_width
        assert app.entry_list.outer_size.width == columns - feeds_width
