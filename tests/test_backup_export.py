"""``tidings backup`` and ``tidings export --json``, also beside a writer."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.backup import backup_cache
from reader.export import write_json_export
from reader.models import Enclosure, FetchResult, ParsedEntry, ParsedFeed, StoreError
from reader.store import Store

# A writer in another process. Generation n stores entries 0..10n+9 of one
# feed and the ETag "n" in the same transaction, so any consistent copy has
# exactly 10 * (ETag + 1) entries in that feed.
WRITER = textwrap.dedent(
    """
    import sys
    from reader.models import FetchResult, ParsedEntry, ParsedFeed
    from reader.store import Store

    path, generations = sys.argv[1], int(sys.argv[2])
    body = "<p>" + "x" * 2000 + "</p>"
    with Store(path) as store:
        feed = store.add_feed("https://writer.example/feed")
        for n in range(generations):
            items = tuple(
                ParsedEntry(f"e{i}", f"Entry {i}", None, None, None, None, body, "")
                for i in range(10 * n + 10)
            )
            result = FetchResult(feed.url, b"", etag=str(n))
            store.save_parsed(feed.id, result, ParsedFeed("W", None, items))
            store.set_read([i for i in range(1, 10 * n + 11) if i % 3 == 0], True)
    print("done", flush=True)
    """
)


def start_writer(path: Path, generations: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(generations)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def writer_feed_consistent(path: Path) -> tuple[int, int]:
    """Return (ETag generation, entry count) of the writer's feed in a copy."""
    connection = sqlite3.connect(path)
    try:
        row = connection.execute(
            "SELECT f.etag, count(e.id) FROM feeds f "
            "LEFT JOIN entries e ON e.feed_id = f.id "
            "WHERE f.url = 'https://writer.example/feed' GROUP BY f.id"
        ).fetchone()
    finally:
        connection.close()
    if row is None or row[0] is None:
        return -1, 0 if row is None else row[1]
    return int(row[0]), row[1]


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "cache.sqlite3"
    with Store(path) as store:
        feed = store.add_feed("https://blog.example/feed")
        entries = tuple(
            ParsedEntry(
                key=f"post-{n}",
                title=f"Post {n} \u00e9t\u00e9",
                link=f"https://blog.example/{n}",
                author="Ada",
                published=datetime(2026, 2, n + 1, 9, tzinfo=UTC),
                updated=None,
                content=f"<p>Body {n}</p>",
                summary=f"Summary {n}",
                enclosures=(
                    Enclosure(f"https://blog.example/{n}.mp3", "audio/mpeg", 7),
                ),
            )
            for n in range(5)
        )
        result = FetchResult(url=feed.url, content=b"", etag='"v1"')
        store.save_parsed(feed.id, result, ParsedFeed("Blog", None, entries))
        store.set_read([1, 2], True)
        store.set_starred([2, 5], True)
    yield path


def test_backup_copies_state(cache: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.sqlite3"

    result = backup_cache(cache, target)

    assert result.path == target
    assert (result.feeds, result.entries, result.read, result.starred) == (1, 5, 2, 2)
    assert result.size == target.stat().st_size
    with Store(target) as copy:
        assert {e.id for e in copy.list_entries(unread_only=False) if e.read} == {1, 2}
        assert {e.id for e in copy.list_entries(starred_only=True)} == {2, 5}
    connection = sqlite3.connect(target)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()


def test_backup_is_one_self_contained_file(cache: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.sqlite3"
    backup_cache(cache, target)
    connection = sqlite3.connect(target)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    connection.close()
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == [
        "backup.sqlite3"
    ]


def test_backup_into_directory_names_file(cache: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    result = backup_cache(cache, folder)
    assert result.path.parent == folder
    assert result.path.name.startswith("tidings-")
    assert result.path.suffix == ".sqlite3"
    assert [p.name for p in folder.iterdir()] == [result.path.name]


def test_backup_never_overwrites_silently(cache: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.sqlite3"
    backup_cache(cache, target)
    target.write_bytes(b"older backup")

    with pytest.raises(StoreError, match=f"backup file {target} already exists"):
        backup_cache(cache, target)

    assert target.read_bytes() == b"older backup"
    assert [p.name for p in tmp_path.iterdir() if "backup" in p.name] == [
        "backup.sqlite3"
    ]
    backup_cache(cache, target, overwrite=True)
    assert target.read_bytes().startswith(b"SQLite format 3")


def test_backup_trailing_slash_creates_directory(cache: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups" / "daily"

    first = backup_cache(cache, f"{folder}/")
    second = backup_cache(cache, f"{folder}/")

    assert folder.is_dir()
    assert first.path.parent == folder
    assert second.path.parent == folder
    assert first.path != second.path
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [first.path.name, second.path.name]
    )
    for result in (first, second):
        assert result.path.read_bytes().startswith(b"SQLite format 3")


def test_backup_onto_cache_rejected(cache: Path) -> None:
    before = cache.read_bytes()
    with pytest.raises(StoreError, match="onto itself"):
        backup_cache(cache, cache)
    with pytest.raises(StoreError, match="onto itself"):
        backup_cache(cache, Path(f"{cache}-wal"))
    assert cache.read_bytes() == before


def test_backup_missing_directory_rejected(cache: Path, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        backup_cache(cache, tmp_path / "nowhere" / "b.sqlite3")


def test_failed_backup_keeps_old_backup(cache: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.sqlite3"
    backup_cache(cache, target)
    old_backup = target.read_bytes()
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(cache.read_bytes())
    with damaged.open("r+b") as file:
        file.seek(4096 * 2)
        file.write(b"\xff" * 4096 * 2)

    with pytest.raises(StoreError, match="nothing was written"):
        backup_cache(damaged, target, overwrite=True)

    assert target.read_bytes() == old_backup
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == [
        "backup.sqlite3"
    ]


def test_backup_beside_writer_is_consistent(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    Store(path).close()
    writer = start_writer(path, generations=150)
    seen: list[tuple[int, int]] = []
    try:
        for number in range(40):
            target = tmp_path / f"backup-{number}.sqlite3"
            result = backup_cache(path, target)
            generation, count = writer_feed_consistent(target)
            seen.append((generation, count))
            assert count == 10 * (generation + 1) if generation >= 0 else count == 0
            assert result.entries == count
            target.unlink()
            if writer.poll() is not None:
                break
            time.sleep(0.01)
    finally:
        _stdout, stderr = writer.communicate(timeout=120)
    assert writer.returncode == 0, stderr
    assert "locked" not in stderr
    # The copies were taken while the writer was between its first and last
    # generation, so they are snapshots of a moving cache.
    assert len({generation for generation, _ in seen}) > 2


def test_export_json_contents(cache: Path, tmp_path: Path) -> None:
    output = tmp_path / "dump.json"
    with Store(cache) as store, output.open("w", encoding="utf-8") as file:
        counts = write_json_export(store, file)

    dump = json.loads(output.read_text(encoding="utf-8"))
    assert (counts.feeds, counts.entries) == (1, 5)
    assert dump["format"] == "tidings-export"
    assert dump["version"] == 1
    (feed,) = dump["feeds"]
    assert feed["url"] == "https://blog.example/feed"
    assert feed["etag"] == '"v1"'
    entries = {entry["id"]: entry for entry in feed["entries"]}
    assert sorted(entries) == [1, 2, 3, 4, 5]
    assert entries[1]["read"] is True
    assert entries[1]["read_at"].endswith("Z")
    assert entries[2]["starred"] is True
    assert entries[3]["read"] is False
    assert entries[3]["read_at"] is None
    assert entries[1]["title"] == "Post 0 \u00e9t\u00e9"
    assert entries[1]["content"] == "<p>Body 0</p>"
    assert entries[1]["summary"] == "Summary 0"
    assert entries[1]["published"] == "2026-02-01T09:00:00Z"
    assert entries[1]["enclosures"] == [
        {"url": "https://blog.example/0.mp3", "type": "audio/mpeg", "length": 7}
    ]


def test_export_pages_large_feed(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store(path) as store:
        feed = store.add_feed("https://big.example/feed")
        items = tuple(
            ParsedEntry(f"k{n}", f"T{n}", None, None, None, None, "<p>b</p>", "")
            for n in range(1234)
        )
        store.save_parsed(
            feed.id, FetchResult(feed.url, b""), ParsedFeed("Big", None, items)
        )
        output = tmp_path / "dump.json"
        with output.open("w", encoding="utf-8") as file:
            counts = write_json_export(store, file)
    keys = [e["key"] for e in json.loads(output.read_text())["feeds"][0]["entries"]]
    assert counts.entries == 1234
    assert len(keys) == 1234
    assert len(set(keys)) == 1234


def test_export_beside_writer_is_consistent(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    Store(path).close()
    writer = start_writer(path, generations=120)
    generations: set[str] = set()
    try:
        with Store(path) as store:
            for _ in range(2000):
                output = tmp_path / "dump.json"
                with output.open("w", encoding="utf-8") as file:
                    write_json_export(store, file)
                dump = json.loads(output.read_text(encoding="utf-8"))
                for feed in dump["feeds"]:
                    if feed["etag"] is not None:
                        assert len(feed["entries"]) == 10 * (int(feed["etag"]) + 1)
                        generations.add(feed["etag"])
                if writer.poll() is not None:
                    break
                time.sleep(0.02)
    finally:
        _stdout, stderr = writer.communicate(timeout=120)
    assert writer.returncode == 0, stderr
    assert len(generations) > 2


def run_cli(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_backup_and_export(cache: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    backup = run_cli(cache, "backup", str(target))
    assert backup.returncode == 0, backup.stderr
    assert f"to {target}" in backup.stdout
    assert "1 feed and 5 entries (2 read, 2 starred)" in backup.stdout

    exported = run_cli(target, "export", "--json")
    assert exported.returncode == 0, exported.stderr
    dump = json.loads(exported.stdout)
    assert len(dump["feeds"][0]["entries"]) == 5

    to_file = run_cli(cache, "export", "--json", str(tmp_path / "d.json"))
    assert to_file.returncode == 0, to_file.stderr
    assert "Exported 1 feeds and 5 entries" in to_file.stderr
    assert json.loads((tmp_path / "d.json").read_text())["feeds"][0]["id"] == 1


def test_cli_backup_cron_keeps_each_run(cache: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    runs = [run_cli(cache, "backup", f"{folder}/") for _ in range(3)]

    for run in runs:
        assert run.returncode == 0, run.stderr
        assert re.search(r"\(\d+\.\d KiB\)$", run.stdout.strip()), run.stdout
    assert len(list(folder.iterdir())) == 3


def test_cli_backup_refuses_existing_file(cache: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    assert run_cli(cache, "backup", str(target)).returncode == 0
    target.write_bytes(b"keep me")

    refused = run_cli(cache, "backup", str(target))
    forced = run_cli(cache, "backup", "--force", str(target))

    assert refused.returncode == 2
    assert f"backup file {target} already exists" in refused.stderr
    assert "--force" in refused.stderr
    assert forced.returncode == 0, forced.stderr
    assert target.read_bytes().startswith(b"SQLite format 3")


def test_cli_export_defaults_to_opml(cache: Path) -> None:
    result = run_cli(cache, "export")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<?xml")
    assert "<opml" in result.stdout
    assert "https://blog.example/feed" in result.stdout


def test_cli_export_formats_exclusive(cache: Path) -> None:
    result = run_cli(cache, "export", "--json", "--opml")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr
    assert result.stdout == ""
