"""Entry lists at scale: counters, keyset paging, query plans, migration."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.listing import EntryScope, row_query, scope_table, scope_where
from reader.models import FetchResult, ParsedEntry, ParsedFeed
from reader.schema import MIGRATIONS, SCHEMA_VERSION
from reader.sort_order import key_condition
from reader.store import Store

START = datetime(2025, 1, 1, tzinfo=UTC)


def make_entries(
    count: int, prefix: str = "e", tied: bool = False
) -> list[ParsedEntry]:
    """Return ``count`` entries, newest first; ``tied`` gives them one date."""
    return [
        ParsedEntry(
            key=f"{prefix}{number}",
            title=f"{prefix} title {number}",
            link=None,
            author="Ada",
            published=START if tied else START + timedelta(hours=number),
            updated=None,
            content=f"<p>body {number}</p>",
            summary="",
        )
        for number in range(count, 0, -1)
    ]


def save(store: Store, feed_id: int, entries: list[ParsedEntry]) -> None:
    """Store ``entries`` as one document of the feed."""
    result = FetchResult(url=f"https://feed.test/{feed_id}", content=b"")
    store.save_parsed(feed_id, result, ParsedFeed("Feed", None, tuple(entries)))


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "cache.sqlite3", retention=None) as opened:
        yield opened


@pytest.fixture
def two_feeds(store: Store) -> tuple[int, int]:
    first = store.add_feed("https://feed.test/1").id
    second = store.add_feed("https://feed.test/2").id
    save(store, first, make_entries(250, "a"))
    save(store, second, make_entries(40, "b"))
    return first, second


def all_rows(store: Store, scope: EntryScope) -> list[int]:
    """Walk a scope by keyset pages of 7 and return the ids in order."""
    ids: list[int] = []
    rows = store.list_rows(scope, limit=7)
    while rows:
        ids.extend(row.id for row in rows)
        rows = store.list_rows(scope, limit=7, after=rows[-1].sort_key)
    return ids


def test_counters_follow_every_change(store: Store, two_feeds: tuple[int, int]) -> None:
    first, second = two_feeds
    rows = store.list_rows(EntryScope(feed_id=first), limit=3)
    store.set_read([row.id for row in rows], True)
    store.set_starred([rows[0].id], True)
    feed = store.get_feed(first)
    assert (feed.unread, feed.total) == (247, 250)
    totals = store.entry_totals()
    assert (totals.total, totals.unread, totals.starred) == (290, 287, 1)
    store.set_read([rows[0].id], False)
    assert store.get_feed(first).unread == 248
    store.remove_feed(second)
    totals = store.entry_totals()
    assert (totals.total, totals.unread, totals.starred) == (250, 248, 1)


def test_counters_match_a_recount(store: Store, two_feeds: tuple[int, int]) -> None:
    first, _ = two_feeds
    store.mark_all_read(first)
    rows = store.list_rows(EntryScope(feed_id=first), limit=30)
    store.set_read([row.id for row in rows[::3]], False)
    for feed in store.list_feeds():
        scope = EntryScope(feed_id=feed.id)
        assert feed.total == len(all_rows(store, scope))
        assert feed.unread == len(all_rows(store, EntryScope(feed.id, True)))
    assert store.get_feed(first).unread == 10
    store.undo_mark_all_read()
    assert store.get_feed(first).unread == 250


def test_keyset_pages_match_offsets(store: Store, two_feeds: tuple[int, int]) -> None:
    for scope in (EntryScope(), EntryScope(feed_id=two_feeds[0])):
        by_offset = [row.id for row in store.list_rows(scope, limit=1_000)]
        assert all_rows(store, scope) == by_offset
        assert len(by_offset) == store.count_rows(scope)


def test_keyset_handles_tied_dates(store: Store) -> None:
    feed_id = store.add_feed("https://feed.test/tied").id
    save(store, feed_id, make_entries(30, "t", tied=True))
    scope = EntryScope(feed_id=feed_id)
    ids = all_rows(store, scope)
    assert len(ids) == len(set(ids)) == 30
    assert ids == sorted(ids, reverse=True)
    last = store.list_rows(scope, limit=1, offset=29)[0]
    backward = store.list_rows(scope, limit=5, after=last.sort_key, backward=True)
    assert [row.id for row in backward] == ids[-2:-7:-1]


def test_backward_offset_reads_from_the_end(
    store: Store, two_feeds: tuple[int, int]
) -> None:
    scope = EntryScope(feed_id=two_feeds[0])
    forward = [row.id for row in store.list_rows(scope, limit=1_000)]
    tail = store.list_rows(scope, limit=10, offset=5, backward=True)
    assert [row.id for row in tail] == forward[-6:-16:-1]


def test_unread_and_starred_scopes(store: Store, two_feeds: tuple[int, int]) -> None:
    second = two_feeds[1]
    rows = store.list_rows(EntryScope(feed_id=second), limit=5)
    store.set_read([rows[1].id, rows[2].id], True)
    store.set_starred([rows[2].id, rows[4].id], True)
    assert store.count_rows(EntryScope(second, unread_only=True)) == 38
    assert store.count_rows(EntryScope(unread_only=True)) == 288
    starred = store.list_rows(EntryScope(starred_only=True), limit=10)
    assert [row.id for row in starred] == [rows[2].id, rows[4].id]
    both = EntryScope(unread_only=True, starred_only=True)
    assert [row.id for row in store.list_rows(both, limit=10)] == [rows[4].id]
    assert store.count_rows(both) == 1


def test_rows_carry_list_fields(store: Store, two_feeds: tuple[int, int]) -> None:
    row = store.list_rows(EntryScope(feed_id=two_feeds[1]), limit=1)[0]
    assert row.title == "b title 40"
    assert row.feed_title == "Feed"
    assert row.date == START + timedelta(hours=40)
    assert row.read is False
    assert row.starred is False


def test_unread_position_queries(store: Store, two_feeds: tuple[int, int]) -> None:
    first, _ = two_feeds
    scope = EntryScope(feed_id=first)
    store.mark_all_read(first)
    rows = store.list_rows(scope, limit=250)
    store.set_read([rows[180].id, rows[20].id], False)
    found = store.find_unread_row(scope, rows[30].sort_key)
    assert found is not None
    assert found.id == rows[180].id
    assert store.count_rows_between(scope, rows[30].sort_key, found.sort_key) == 149
    assert store.count_rows_before(scope, found.sort_key) == 180
    back = store.find_unread_row(scope, rows[30].sort_key, backward=True)
    assert back is not None
    assert back.id == rows[20].id
    assert store.find_unread_row(scope, rows[180].sort_key) is None


def _plan(store: Store, sql: str, params: list[object]) -> list[str]:
    db = store._db  # the test reads the query plan SQLite chose
    return [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


SCOPES = [
    EntryScope(),
    EntryScope(feed_id=1),
    EntryScope(unread_only=True),
    EntryScope(feed_id=1, unread_only=True),
    EntryScope(starred_only=True),
    EntryScope(feed_id=1, starred_only=True),
    EntryScope(search="pars"),
    EntryScope(feed_id=1, search="pars"),
    EntryScope(unread_only=True, search="pars -rust"),
]


@pytest.mark.parametrize("scope", SCOPES, ids=str)
def test_list_queries_use_covering_indexes(store: Store, scope: EntryScope) -> None:
    for after in (None, ("2025-01-01T00:00:00.000000+00:00", 5)):
        for backward in (False, True):
            sql, params = row_query(scope, after=after, backward=backward)
            plan = _plan(store, sql, [*params, 100, 0])
            entry_steps = [step for step in plan if " e " in f" {step} "]
            assert entry_steps, plan
            assert all("COVERING INDEX" in step for step in entry_steps), plan
            assert not any("TEMP B-TREE" in step for step in plan), plan
            assert not any(
                step.startswith("SCAN e") and "INDEX" not in step for step in plan
            )


@pytest.mark.parametrize("scope", SCOPES, ids=str)
def test_count_queries_use_covering_indexes(store: Store, scope: EntryScope) -> None:
    where, params = scope_where(scope)
    key = ["2025-01-01T00:00:00.000000+00:00", 5]
    sql = (
        f"SELECT count(*) FROM {scope_table(scope)} WHERE {where} "
        "AND (e.sort_date, e.id) > (?, ?)"
    )
    plan = _plan(store, sql, [*params, *key])
    assert any("COVERING INDEX" in step and "sort_date>?" in step for step in plan), (
        plan
    )
    assert not any("TEMP B-TREE" in step for step in plan), plan


def test_feed_list_counts_without_counting(store: Store) -> None:
    sql = (
        "SELECT f.id, coalesce(c.unread, 0) FROM feeds f "
        "LEFT JOIN feed_counts c ON c.feed_id = f.id"
    )
    plan = _plan(store, sql, [])
    assert not any("entries" in step for step in plan), plan


def test_migration_from_first_schema(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    db.execute(
        "INSERT INTO feeds (id, url, added_at) VALUES (1, 'https://o.test', 'x')"
    )
    for number in range(5):
        db.execute(
            "INSERT INTO entries (feed_id, key, title, content, summary, "
            "fingerprint, first_seen, sort_date, read, starred) "
            "VALUES (1, ?, ?, '<p>legacy words</p>', '', 'f', ?, ?, ?, ?)",
            (f"k{number}", f"Old {number}", f"2024-0{number + 1}-01",
             f"2024-0{number + 1}-01", number % 2, int(number == 4)),
        )  # fmt: skip
    db.commit()
    db.close()
    with Store(path) as store:
        feed = store.get_feed(1)
        assert (feed.unread, feed.total) == (3, 5)
        assert store.entry_totals().starred == 1
        found = store.search("legacy")
        assert found.total == 5
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# Title order


def titled_entries(titles: list[str], prefix: str) -> list[ParsedEntry]:
    """Return one entry per title, dated an hour apart, newest last."""
    return [
        ParsedEntry(
            key=f"{prefix}{number}",
            title=title,
            link=None,
            author=None,
            published=START + timedelta(hours=number),
            updated=None,
            content="<p>body</p>",
            summary="",
        )
        for number, title in enumerate(titles)
    ]


# Equal titles, titles equal but for ASCII case, and titles whose order
# differs between BINARY ("Zeta" < "alpha") and NOCASE ("alpha" < "Zeta").
TITLES = ["Zeta", "alpha", "Alpha", "beta", "BETA", "beta", "_under", "Émile", "2nd"]


@pytest.fixture
def titled(store: Store) -> tuple[int, int]:
    first = store.add_feed("https://feed.test/t1").id
    second = store.add_feed("https://feed.test/t2").id
    save(store, first, titled_entries(TITLES * 30, "x"))
    save(store, second, titled_entries(TITLES[::-1] * 5, "y"))
    return first, second


def by_title(store: Store, scope: EntryScope) -> list[int]:
    """Return the ids of ``scope`` sorted in Python as title order sorts
    them: ASCII letters folded, then code points, then id."""
    ids = store.list_rows(scope, limit=10_000)
    fold = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
    return [
        row.id for row in sorted(ids, key=lambda r: (r.title.translate(fold), r.id))
    ]


TITLE_SCOPES = [
    EntryScope(order="title"),
    EntryScope(feed_id=1, order="title"),
    EntryScope(unread_only=True, order="title"),
    EntryScope(feed_id=1, unread_only=True, order="title"),
    EntryScope(starred_only=True, order="title"),
    EntryScope(folder="News", order="title"),
    EntryScope(search="body", order="title"),
]


@pytest.mark.parametrize("scope", TITLE_SCOPES, ids=str)
def test_title_order_pages_by_key(
    store: Store, titled: tuple[int, int], scope: EntryScope
) -> None:
    store.set_feed_folder(titled[1], "News")
    rows = store.list_rows(EntryScope(), limit=400)
    store.set_read([row.id for row in rows[::3]], True)
    store.set_starred([row.id for row in rows[::4]], True)
    expected = by_title(store, scope)
    assert expected
    assert all_rows(store, scope) == expected
    assert [row.id for row in store.list_rows(scope, limit=10_000)] == expected
    assert store.count_rows(scope) == len(expected)


def test_title_order_walks_backward(store: Store, titled: tuple[int, int]) -> None:
    scope = EntryScope(feed_id=titled[0], order="title")
    expected = by_title(store, scope)
    last = store.list_rows(scope, limit=1, offset=len(expected) - 1)[0]
    assert last.id == expected[-1]
    walked = [last.id]
    rows = [last]
    while rows:
        rows = store.list_rows(scope, limit=7, after=rows[-1].sort_key, backward=True)
        walked.extend(row.id for row in rows)
    assert walked == expected[::-1]
    tail = store.list_rows(scope, limit=5, offset=2, backward=True)
    assert [row.id for row in tail] == expected[-3:-8:-1]


def test_title_order_ignores_ascii_case(store: Store, titled: tuple[int, int]) -> None:
    scope = EntryScope(feed_id=titled[0], order="title")
    titles = [row.title for row in store.list_rows(scope, limit=120)]
    assert titles[:30] == ["2nd"] * 30
    assert titles[30:60] == ["_under"] * 30
    assert titles[60:120] == ["alpha", "Alpha"] * 30
    keys = [row.sort_key for row in store.list_rows(scope, limit=3)]
    assert keys[0][0] == "2nd"
    assert keys[0][1] < keys[1][1] < keys[2][1]
    assert store.list_rows(scope, limit=1, offset=len(TITLES) * 30 - 1)[0].title == (
        "Émile"
    )


def test_title_order_positions(store: Store, titled: tuple[int, int]) -> None:
    scope = EntryScope(feed_id=titled[0], order="title")
    rows = store.list_rows(scope, limit=1_000)
    store.mark_all_read(titled[0])
    store.set_read([rows[200].id, rows[20].id], False)
    found = store.find_unread_row(scope, rows[30].sort_key)
    assert found is not None
    assert found.id == rows[200].id
    assert store.count_rows_before(scope, found.sort_key) == 200
    assert store.count_rows_between(scope, rows[30].sort_key, found.sort_key) == 169
    assert store.count_rows_between(scope, found.sort_key, rows[30].sort_key) == 169
    back = store.find_unread_row(scope, rows[30].sort_key, backward=True)
    assert back is not None
    assert back.id == rows[20].id
    assert store.entry_sort_key(rows[5].id, "title") == rows[5].sort_key
    assert store.entry_sort_key(rows[5].id, "date") != rows[5].sort_key
    assert store.entry_sort_key(999_999, "title") is None


@pytest.mark.parametrize("scope", TITLE_SCOPES, ids=str)
def test_title_queries_use_title_indexes(store: Store, scope: EntryScope) -> None:
    for after in (None, ("Some title", 5)):
        for backward in (False, True):
            sql, params = row_query(scope, after=after, backward=backward)
            plan = _plan(store, sql, [*params, 100, 0])
            entry_steps = [step for step in plan if " e " in f" {step} "]
            assert entry_steps, plan
            assert all("COVERING INDEX entries_" in step for step in entry_steps)
            assert all("title_rows" in step for step in entry_steps), plan
            assert not any("TEMP B-TREE" in step for step in plan), plan
            if after is not None:
                assert any("title>?" in s or "title<?" in s for s in plan), plan


@pytest.mark.parametrize("scope", TITLE_SCOPES, ids=str)
def test_title_counts_search_the_index(store: Store, scope: EntryScope) -> None:
    where, params = scope_where(scope)
    before, key_params = key_condition("title", ("Some title", 5), after=False)
    sql = f"SELECT count(*) FROM {scope_table(scope)} WHERE {where} AND {before}"
    plan = _plan(store, sql, [*params, *key_params])
    assert any("title_rows" in step and "title<?" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
