"""A damaged, truncated or foreign file at the cache path: a clear error
naming the path, a hint, and the file left byte for byte as it was."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.models import FetchResult, ParsedEntry, ParsedFeed, StoreError
from reader.store import Store

PAGE_SIZE = 4096


def build_cache(path: Path, entries: int = 600) -> None:
    """Fill a cache with one feed of ``entries`` entries of 2 KB each."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    body = "<p>" + "lorem ipsum " * 170 + "</p>"
    items = tuple(
        ParsedEntry(
            key=f"post-{n}",
            title=f"Post {n}",
            link=f"https://blog.example/{n}",
            author=None,
            published=start + timedelta(hours=n),
            updated=None,
            content=body,
            summary="",
        )
        for n in range(entries)
    )
    with Store(path) as store:
        feed = store.add_feed("https://blog.example/feed")
        result = FetchResult(url=feed.url, content=b"")
        store.save_parsed(feed.id, result, ParsedFeed("Blog", None, items))
        store.set_read([1, 2, 3], True)


def damage_pages(path: Path, first: int, count: int) -> None:
    """Overwrite ``count`` pages from page number ``first`` (1-based) with
    random bytes from a fixed seed."""
    noise = random.Random(8).randbytes(PAGE_SIZE * count)
    with path.open("r+b") as file:
        file.seek((first - 1) * PAGE_SIZE)
        file.write(noise)


def run_cli(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    path = tmp_path / "cache.sqlite3"
    build_cache(path)
    return path


def test_damaged_pages_found_by_verify(cache: Path) -> None:
    pages = cache.stat().st_size // PAGE_SIZE
    damage_pages(cache, pages // 2, 4)
    before = cache.read_bytes()

    with pytest.raises(StoreError) as raised:
        Store(cache, verify=True)

    message = str(raised.value)
    assert str(cache) in message
    assert "damaged" in message
    assert "quick_check" in message
    assert "restore it from a backup" in message
    assert "--db" in message
    assert cache.read_bytes() == before


def test_bad_cell_count_found_by_verify(cache: Path) -> None:
    # Two bytes of a leaf page header: the page still parses, and
    # quick_check reports the problem as a row instead of raising.
    page = cache.stat().st_size // PAGE_SIZE // 2
    with cache.open("r+b") as file:
        file.seek((page - 1) * PAGE_SIZE + 3)
        file.write(b"\x00\x05")
    before = cache.read_bytes()

    with pytest.raises(StoreError) as raised:
        Store(cache, verify=True)

    message = str(raised.value)
    assert (
        f"cache {cache} is damaged (PRAGMA quick_check: On tree page {page}" in message
    )
    assert "\n" not in message
    assert cache.read_bytes() == before


def test_damaged_pages_refresh_refused(cache: Path) -> None:
    pages = cache.stat().st_size // PAGE_SIZE
    damage_pages(cache, pages // 2, 4)
    before = cache.read_bytes()

    result = run_cli(cache, "refresh")

    assert result.returncode == 2
    assert f"cache {cache} is damaged" in result.stderr
    assert "restore it from a backup or pass another --db" in result.stderr
    assert "Traceback" not in result.stderr
    assert cache.read_bytes() == before


def test_damaged_pages_read_reports_path(cache: Path) -> None:
    # Listing commands skip the page-by-page check to start fast; a damaged
    # page they read still ends in a plain message, not a traceback.
    pages = cache.stat().st_size // PAGE_SIZE
    damage_pages(cache, 3, pages - 3)
    before = cache.read_bytes()

    result = run_cli(cache, "entries")

    assert result.returncode == 2
    assert str(cache) in result.stderr
    assert "restore it from a backup or pass another --db" in result.stderr
    assert "Traceback" not in result.stderr
    assert cache.read_bytes() == before


def test_truncated_cache_rejected(cache: Path) -> None:
    os.truncate(cache, cache.stat().st_size // 2)
    before = cache.read_bytes()

    with pytest.raises(StoreError) as raised:
        Store(cache)

    assert str(cache) in str(raised.value)
    assert "restore it from a backup" in str(raised.value)
    assert cache.read_bytes() == before


def test_truncated_cache_cli_message(cache: Path) -> None:
    os.truncate(cache, cache.stat().st_size // 3)
    before = cache.read_bytes()

    result = run_cli(cache, "feeds")

    assert result.returncode == 2
    assert f"cache {cache} is not a readable tidings database" in result.stderr
    assert "file was left untouched" in result.stderr
    assert "Traceback" not in result.stderr
    assert cache.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
        b"SQLite format 3\x00" + b"\xff" * 4000,
        b"<?xml version='1.0'?><rss></rss>\n" * 200,
    ],
    ids=["png", "sqlite-magic-then-garbage", "xml"],
)
def test_foreign_file_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(content)

    result = run_cli(path, "entries")

    assert result.returncode == 2
    assert str(path) in result.stderr
    assert "pass another --db" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.sqlite3"]


def test_healthy_cache_passes_verify(cache: Path) -> None:
    with Store(cache, verify=True) as store:
        assert store.count_entries() == 600
        assert store.count_entries(unread_only=True) == 597
    check = sqlite3.connect(cache)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
