"""The scrollable size of the virtual lists when their item count changes."""

from __future__ import annotations

from pathlib import Path

from reader.models import FetchResult
from reader.parse import parse_feed
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.welcome import WELCOME_META_KEY
from tests.test_tui_refresh import atom_feed

SIZE = (120, 36)


def add_feed(store: Store, name: str, entries: int) -> int:
    """Subscribe to a generated feed with ``entries`` entries; return its id."""
    content = atom_feed(name, entries)
    feed = store.add_feed(f"{name}.xml")
    parsed = parse_feed(content, f"{name}.xml")
    store.save_parsed(feed.id, FetchResult(url=f"{name}.xml", content=content), parsed)
    return feed.id


async def test_entry_list_scrollbar_follows_count(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        long_id = add_feed(store, "Long", 40)
        short_id = add_feed(store, "Short", 25)
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            entries = app.entry_list
            app.show_feed(store.get_feed(long_id))
            await pilot.pause()
            assert entries.virtual_size.height == 40
            assert entries.vertical_scrollbar.window_virtual_size == 40
            entries.focus()
            await pilot.press("G")
            await pilot.pause()
            assert entries.scroll_y == entries.max_scroll_y > 0
            app.show_feed(store.get_feed(short_id))
            await pilot.pause()
            assert entries.virtual_size.height == 25
            assert entries.vertical_scrollbar.window_virtual_size == 25
            assert entries.scroll_y == 0
            assert "Post 24" in entries.render_line(0).text
            await pilot.press("G")
            await pilot.pause()
            assert entries.cursor == 24
            assert entries.scroll_y == entries.max_scroll_y
            assert entries.max_scroll_y == 25 - entries.scrollable_content_region.height
