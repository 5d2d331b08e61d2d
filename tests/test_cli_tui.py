"""The TUI started with a config: remapped keys, theme, browser, problems."""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.browser import browser_command, browser_opener
from reader.cli_tui import build_app, textual_theme_names
from reader.config import config_path, load_config
from reader.models import FetchResult
from reader.parse import parse_feed
from reader.store import Store
from reader.welcome import WELCOME_META_KEY

LANTERN = Path(__file__).parent / "fixtures" / "tui" / "lantern.xml"
SIZE = (120, 36)


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A cache holding the Lantern fixture feed, welcome feed off."""
    with Store(db_path) as opened:
        opened.set_meta(WELCOME_META_KEY, "1")
        content = LANTERN.read_bytes()
        feed = opened.add_feed(str(LANTERN))
        parsed = parse_feed(content, str(LANTERN))
        opened.save_parsed(feed.id, FetchResult(str(LANTERN), content), parsed)
        yield opened


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_remapped_key_acts(store: Store) -> None:
    write_config('[keys]\n"entry.toggle_read" = "x"\n')
    app = build_app(store, load_config(themes=textual_theme_names()))

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entry = app.entry_list.current_entry
        assert entry is not None
        read_before = store.get_entry(entry.id).read

        await pilot.press("m")
        await settle(pilot)
        assert store.get_entry(entry.id).read == read_before

        await pilot.press("x")
        await settle(pilot)
        assert store.get_entry(entry.id).read != read_before


async def test_theme_applied(store: Store) -> None:
    write_config('theme = "nord"\n')
    app = build_app(store, load_config(themes=textual_theme_names()))

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"


async def test_problems_notified(store: Store) -> None:
    path = write_config('[refresh]\nconcurrency = "many"\n')
    app = build_app(store, load_config(themes=textual_theme_names()))

    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        toasts = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert len(toasts) == 1
        assert f"{path}:2: refresh.concurrency: must be an integer" in toasts[0]
        assert app.theme == "textual-dark"


def _recorder(tmp_path: Path) -> tuple[str, Path]:
    """Return a browser command template that writes the URL to a file."""
    record = tmp_path / "opened.txt"
    script = tmp_path / "browser.py"
    script.write_text(
        f"import sys, pathlib\npathlib.Path({str(record)!r}).write_text(sys.argv[1])\n"
    )
    template = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {{url}}"
    return template, record


def _wait_for(path: Path) -> str:
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return path.read_text()


async def test_browser_command_opens_link(store: Store, tmp_path: Path) -> None:
    template, record = _recorder(tmp_path)
    write_config(f"browser = {template!r}\n".replace("'", '"', 2))
    config = load_config(themes=textual_theme_names())
    assert config.problems == ()
    app = build_app(store, config)

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entry = app.entry_list.current_entry
        assert entry is not None
        await pilot.press("o")
        await settle(pilot)

    assert _wait_for(record) == entry.link


def test_browser_command_url_one_argument() -> None:
    url = "https://x.example/a b;rm -rf ~"

    assert browser_command("w3m -o 'x y' {url}", url) == ["w3m", "-o", "x y", url]
    assert browser_command("open --url={url}", "https://a/") == [
        "open",
        "--url=https://a/",
    ]


def test_browser_opener_missing_program(tmp_path: Path) -> None:
    opener = browser_opener(f"{tmp_path / 'no-such-browser'} {{url}}")

    assert opener("https://x.example/") is False
