"""A full disk during a refresh: a clear error, and every feed's entries as
they were before the transaction that could not be written."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.store import Store
from tests.feedgen import read_cache, whole_generation, write_feeds


def page_count(store: Store) -> int:
    (count,) = store._db.execute("PRAGMA page_count").fetchone()
    return int(count)


def snapshot(db: Path) -> list[tuple[object, ...]]:
    """Return every entry and feed column that a refresh may change."""
    connection = sqlite3.connect(db)
    try:
        feeds = connection.execute(
            "SELECT id, url, title, etag, body_hash, last_refreshed, last_error "
            "FROM feeds ORDER BY id"
        ).fetchall()
        entries = connection.execute(
            "SELECT id, feed_id, key, title, content, read, read_at, starred, "
            "starred_at FROM entries ORDER BY id"
        ).fetchall()
    finally:
        connection.close()
    return feeds + entries


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """Mount an 8 MiB tmpfs under tmp_path, or skip where mounting is not
    permitted (it needs root, as in CI).

    The second, successful refresh of the test below peaks at about 4.9 MB
    of cache, WAL and shared memory, so 4 MiB is too small for it.
    """
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the page-cap test still runs")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tidings-test", str(mount)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill_disk(mount: Path, leave: int) -> Path:
    """Write a file that leaves about ``leave`` bytes free on ``mount``."""
    stats = os.statvfs(mount)
    free = stats.f_bavail * stats.f_frsize
    filler = mount / "filler"
    with filler.open("wb") as file:
        file.write(b"\0" * max(0, free - leave))
    return filler


def run_refresh(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(db), "refresh"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_full_tmpfs_refresh_fails_cleanly(small_disk: Path, tmp_path: Path) -> None:
    db = small_disk / "cache.sqlite3"
    folder = tmp_path / "feeds"
    paths = write_feeds(folder, 20, 0)
    with Store(db) as store:
        for path in paths:
            store.add_feed(str(path))
    assert run_refresh(db).returncode == 0
    with Store(db) as store:
        store.set_read([1, 17, 33], True)
        store.set_starred([2, 40], True)
    write_feeds(folder, 20, 1)
    filler = fill_disk(small_disk, leave=48 * 1024)

    result = run_refresh(db)

    assert result.returncode == 2
    assert re.search(r"refresh of \S+feed-\d+\.xml stopped", result.stderr)
    assert f"cannot write to cache {db}, the change was rolled back" in result.stderr
    assert "the disk is full; free some space and try again" in result.stderr
    assert "Traceback" not in result.stderr

    filler.unlink()
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    by_feed = read_cache(db)
    generations = [whole_generation(rows) for rows in by_feed.values()]
    assert 0 in generations
    rows = [row for feed_rows in by_feed.values() for row in feed_rows]
    assert {row[2] for row in rows if row[5]} == {1, 17, 33}
    assert {row[2] for row in rows if row[6]} == {2, 40}

    again = run_refresh(db)
    assert again.returncode == 0, again.stderr
    assert {whole_generation(rows) for rows in read_cache(db).values()} == {1}
