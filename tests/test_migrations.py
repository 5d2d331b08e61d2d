"""Schema migrations: from every earlier version, atomic, never downgraded."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reader import schema
from reader.listing import EntryScope, row_query
from reader.models import StoreError
from reader.schema import MIGRATIONS, SCHEMA_VERSION
from reader.store import Store

# Rows written with the columns of version 1, which later migrations must
# keep: two feeds, three entries, one read and one starred.
V1_ROWS = """
INSERT INTO feeds (id, url, title, added_at)
    VALUES (1, 'https://a.example/feed', 'A', '2026-01-01T00:00:00.000000+00:00'),
           (2, '/srv/feeds/b.xml', NULL, '2026-01-02T00:00:00.000000+00:00');
INSERT INTO entries (id, feed_id, key, title, content, summary, fingerprint,
                     first_seen, sort_date, read, read_at, starred, starred_at)
    VALUES (1, 1, 'a-1', 'First', '<p>1</p>', '', 'f1',
            '2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00',
            1, '2026-01-03T00:00:00.000000+00:00', 0, NULL),
           (2, 1, 'a-2', 'Second', '<p>2</p>', '', 'f2',
            '2026-01-01T00:00:01.000000+00:00', '2026-01-01T00:00:01.000000+00:00',
            0, NULL, 1, '2026-01-04T00:00:00.000000+00:00'),
           (3, 2, 'b-1', 'Third', '<p>3</p>', '', 'f3',
            '2026-01-02T00:00:00.000000+00:00', '2026-01-02T00:00:00.000000+00:00',
            0, NULL, 0, NULL);
INSERT INTO meta (key, value) VALUES ('welcome_added', '1');
"""


def build_at_version(path: Path, version: int) -> None:
    """Create a database by running the first ``version`` migration scripts
    as they are written, with the version 1 rows once version 1 exists."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for number in range(version):
            connection.executescript(MIGRATIONS[number])
            connection.execute(f"PRAGMA user_version = {number + 1}")
            if number == 0:
                connection.executescript(V1_ROWS)
    finally:
        connection.close()


def schema_shape(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Return every table's columns and every index's definition."""
    connection = sqlite3.connect(path)
    try:
        objects = connection.execute(
            "SELECT type, name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        ).fetchall()
        shape: dict[str, list[tuple[object, ...]]] = {}
        for kind, name, sql in objects:
            if kind == "table":
                shape[name] = connection.execute(
                    f'SELECT name, type, "notnull", dflt_value, pk '
                    f"FROM pragma_table_info('{name}')"
                ).fetchall()
            else:
                shape[f"{kind}:{name}"] = [(sql,)]
        return shape
    finally:
        connection.close()


@pytest.mark.parametrize("start", range(1, SCHEMA_VERSION + 1))
def test_migrates_from_every_version(tmp_path: Path, start: int) -> None:
    old = tmp_path / "old.sqlite3"
    build_at_version(old, start)
    fresh = tmp_path / "fresh.sqlite3"
    Store(fresh).close()

    with Store(old) as store:
        first = store.get_entry(1)
        second = store.get_entry(2)
        feeds = store.list_feeds()
        assert store.get_meta("welcome_added") == "1"
        assert store.count_entries() == 3

    assert first.read is True
    assert first.read_at is not None
    assert second.starred is True
    assert second.starred_at is not None
    assert [feed.url for feed in feeds] == [
        "/srv/feeds/b.xml",
        "https://a.example/feed",
    ]
    check = sqlite3.connect(old)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
    assert schema_shape(old) == schema_shape(fresh)


def test_v1_script_builds_current_shape_when_only_v1(tmp_path: Path) -> None:
    # Guards the generic test above: the first script alone is version 1.
    path = tmp_path / "v1.sqlite3"
    build_at_version(path, 1)
    assert "entries" in schema_shape(path)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
    connection.close()


def test_migration_step_applies_from_v1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cache.sqlite3"
    build_at_version(path, SCHEMA_VERSION)
    added = "ALTER TABLE feeds ADD COLUMN note TEXT;\nUPDATE feeds SET note = 'kept';"
    monkeypatch.setattr(schema, "MIGRATIONS", (*MIGRATIONS, added))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)

    Store(path).close()

    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    notes = connection.execute("SELECT DISTINCT note FROM feeds").fetchall()
    assert notes == [("kept",)]
    connection.close()


def test_failed_migration_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cache.sqlite3"
    build_at_version(path, SCHEMA_VERSION)
    broken = (
        "CREATE TABLE half_done (x INTEGER);\n"
        "UPDATE entries SET read = 0;\n"
        "INSERT INTO no_such_table VALUES (1);"
    )
    monkeypatch.setattr(schema, "MIGRATIONS", (*MIGRATIONS, broken))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)

    with pytest.raises(StoreError, match=str(path)):
        Store(path)

    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables
    assert connection.execute("SELECT read FROM entries WHERE id = 1").fetchone() == (
        1,
    )
    connection.close()


def test_newer_schema_refused_by_cli(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    build_at_version(path, SCHEMA_VERSION)
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    connection.close()
    before = path.read_bytes()

    result = subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(path), "entries"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert f"schema version {SCHEMA_VERSION + 5}" in result.stderr
    assert "upgrade tidings" in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def _open_and_add(path: str, number: int) -> None:
    with Store(path) as store:
        store.add_feed(f"https://{number}.example/feed")


def test_new_cache_opened_by_many_processes(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_open_and_add, args=(str(path), number))
        for number in range(8)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)

    assert [process.exitcode for process in processes] == [0] * 8
    with Store(path) as store:
        assert len(store.list_feeds()) == 8


TITLE_ORDER_STEP = next(
    number for number, script in enumerate(MIGRATIONS) if "entries_title_rows" in script
)
"""Index of the migration that adds the title-order indexes."""


@pytest.mark.parametrize("start", range(1, TITLE_ORDER_STEP + 1))
def test_title_order_indexes_from_earlier_versions(tmp_path: Path, start: int) -> None:
    path = tmp_path / "old.sqlite3"
    build_at_version(path, start)

    with Store(path) as store:
        scope = EntryScope(order="title")
        rows = store.list_rows(scope, limit=10)
        sql, params = row_query(scope, after=rows[0].sort_key, backward=False)
        plan = [
            step[3]
            for step in store._db.execute(  # the test reads SQLite's chosen plan
                f"EXPLAIN QUERY PLAN {sql}", [*params, 10, 0]
            )
        ]

    assert [row.title for row in rows] == ["First", "Second", "Third"]
    assert any("COVERING INDEX entries_title_rows (title>?)" in s for s in plan)
    assert not any("TEMP B-TREE" in step for step in plan)
    connection = sqlite3.connect(path)
    indexes = {
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'"
        )
    }
    connection.close()
    assert {
        "entries_title_rows",
        "entries_feed_title_rows",
        "entries_starred_title_rows",
    } <= indexes
