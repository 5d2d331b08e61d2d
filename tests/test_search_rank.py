"""Ranking of full-text matches: BM25 over every match, then date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import reader.search_rank
from reader.models import FetchResult, ParsedEntry, ParsedFeed
from reader.search_query import parse_query
from reader.search_rank import SCORE
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.search_screen import SearchScreen
from reader.welcome import WELCOME_META_KEY
from tests.test_tui import settle

START = datetime(2025, 1, 1, tzinfo=UTC)


def entry(key: str, title: str, body: str, day: int) -> ParsedEntry:
    return ParsedEntry(
        key=key,
        title=title,
        link=None,
        author="Ada Lantern",
        published=START + timedelta(days=day),
        updated=None,
        content=f"<p>{body}</p>",
        summary="",
    )


def save(store: Store, *entries: ParsedEntry) -> None:
    feed = store.find_feed("https://rank.test/feed")
    if feed is None:
        feed = store.add_feed("https://rank.test/feed")
    result = FetchResult(url="https://rank.test/feed", content=b"")
    store.save_parsed(feed.id, result, ParsedFeed("Rank Feed", None, entries))


def keys(store: Store, query: str, limit: int = 50) -> list[str]:
    rows = store.search(query, limit=limit).rows
    return [store.get_entry(row.id).key for row in rows]


def fts5_order(store: Store, expression: str) -> list[str]:
    """Return the keys of all matches of ``expression`` in FTS5's own BM25
    order, ties newest first: the order a search must reproduce."""
    rows = store._db.execute(
        f"SELECT e.key FROM (SELECT rowid AS id, {SCORE} AS score FROM entries_fts "
        "WHERE entries_fts MATCH ?) AS m JOIN entries e ON e.id = m.id "
        "ORDER BY m.score, e.sort_date DESC, e.id DESC",
        (expression,),
    ).fetchall()
    return [key for (key,) in rows]


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "rank.sqlite3", retention=None) as opened:
        yield opened


@pytest.fixture
def corpus(store: Store) -> Store:
    """Forty entries. "filler" is in all of them, "zircon" in twelve with
    different counts and lengths, "quartz" in four of those. The best
    zircon entry is stored first and is the oldest."""
    entries = [
        entry("best", "Zircon zircon", "zircon zircon zircon filler", day=0),
    ]
    for n in range(1, 12):
        body = " ".join(["zircon"] * (1 + n % 3) + ["filler"] * (3 + 2 * n))
        if n % 3 == 0:
            body += " quartz"
        entries.append(entry(f"z{n}", f"Notes {n}", body, day=n))
    for n in range(12, 40):
        entries.append(entry(f"f{n}", f"Filler {n}", "filler words only", day=n))
    save(store, *entries)
    return store


def test_every_match_ranked_by_bm25(corpus: Store) -> None:
    found = corpus.search("zircon", limit=100)
    assert found.scored
    assert found.total == 12
    assert keys(corpus, "zircon", limit=100) == fts5_order(corpus, '"zircon"*')
    assert keys(corpus, "zircon")[0] == "best"


def test_common_term_left_out_of_score(corpus: Store) -> None:
    found = corpus.search("filler zircon", limit=100)
    assert found.scored
    assert found.total == 12
    assert keys(corpus, "filler zircon", limit=100) == fts5_order(corpus, '"zircon"*')


def test_negative_term_keeps_order(corpus: Store) -> None:
    expected = [
        key for key in fts5_order(corpus, '"zircon"*') if key not in {"z3", "z6", "z9"}
    ]
    assert keys(corpus, "zircon -quartz", limit=100) == expected
    assert corpus.search("zircon -quartz").total == 9


def test_two_weighted_terms(corpus: Store) -> None:
    assert keys(corpus, "zircon quartz") == fts5_order(
        corpus, '"zircon"* AND "quartz"*'
    )
    assert corpus.search("zircon quartz").total == 3


def test_common_terms_rank_title_first(corpus: Store) -> None:
    save(corpus, entry("t1", "Filler in the title", "nothing", day=5))
    found = corpus.search("filler", limit=100)
    assert not found.scored
    assert found.total == 41
    ranked = keys(corpus, "filler", limit=100)
    titled = [f"f{n}" for n in range(39, 11, -1)] + ["t1"]
    assert ranked[: len(titled)] == titled
    others = [f"z{n}" for n in range(11, 0, -1)] + ["best"]
    assert ranked[len(titled) :] == others


def test_common_terms_page_past_titles(corpus: Store) -> None:
    assert keys(corpus, "filler", limit=30)[27:] == ["f12", "z11", "z10"]


def test_term_in_half_is_not_weighted(store: Store) -> None:
    save(
        store,
        entry("a", "Basalt", "basalt", day=1),
        entry("b", "Other", "basalt basalt basalt", day=2),
        entry("c", "Other", "granite", day=3),
        entry("d", "Other", "granite", day=4),
    )
    found = store.search("basalt")
    assert not found.scored
    assert keys(store, "basalt") == ["a", "b"]
    save(store, entry("e", "Other", "granite", day=5))
    found = store.search("basalt")
    assert found.scored
    assert keys(store, "basalt") == fts5_order(store, '"basalt"*')


def test_ties_at_limit_go_newest_first(store: Store) -> None:
    twins = [entry(f"t{day}", "Twin", "garnet", day=day) for day in range(1, 6)]
    save(store, *twins)
    save(store, *(entry(f"o{n}", "Other", "plain", day=n) for n in range(8)))
    assert keys(store, "garnet", limit=2) == ["t5", "t4"]


def test_phrase_prefix_and_field(corpus: Store) -> None:
    save(
        corpus,
        entry("p1", "Heron notes", "the grey heron flies", day=50),
        entry("p2", "Other", "heron grey the flies", day=51),
    )
    assert keys(corpus, '"grey heron"') == ["p1"]
    assert set(keys(corpus, "zirc")) == set(keys(corpus, "zircon"))
    assert keys(corpus, "title:heron") == ["p1"]
    assert keys(corpus, "title:zircon") == ["best"]


@pytest.mark.parametrize("sample_rows", [1, 3, 2_000])
def test_sample_never_changes_result(
    corpus: Store, monkeypatch: pytest.MonkeyPatch, sample_rows: int
) -> None:
    # The three newest entries have zircon and no filler, so a sample of
    # them takes zircon for common and filler for rare.
    save(corpus, *(entry(f"late{n}", "Late", "zircon", day=60 + n) for n in range(3)))
    monkeypatch.setattr(reader.search_rank, "SAMPLE_ROWS", sample_rows)
    assert keys(corpus, "zircon", limit=100) == fts5_order(corpus, '"zircon"*')
    assert corpus.search("zircon").total == 15
    assert corpus.search("filler").scored is False
    assert corpus.search("filler").total == 40
    assert keys(corpus, "filler")[:2] == ["f39", "f38"]


def test_empty_cache_and_no_match(store: Store) -> None:
    assert store.search("anything").total == 0
    save(store, entry("a", "Only", "one", day=1))
    assert store.search("missing words").rows == ()
    assert store.search("missing words").total == 0


def plan(
    store: Store, sql: str, params: dict[str, object] | tuple[object, ...]
) -> list[str]:
    rows = store._db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return [row[3] for row in rows]


def test_scored_query_plan(corpus: Store) -> None:
    sql = reader.search_rank._SCORED.format(
        only_matches=reader.search_rank._ONLY_MATCHES
    )
    params = {"rank": '"zircon"*', "all": '"zircon"* NOT "quartz"*', "limit": 5}
    steps = plan(corpus, sql, params)
    scans = [step for step in steps if "VIRTUAL TABLE" in step]
    assert len(scans) == 2
    # "INDEX 0:=" would mean FTS5 gets each listed rowid as a constraint and
    # runs the whole query again per row.
    assert not any("INDEX 0:=" in step for step in scans)
    assert "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)" in steps


def test_newest_query_plan(corpus: Store) -> None:
    steps = plan(corpus, reader.search_rank._NEWEST, ('"filler"*', 5))
    assert "SCAN e USING COVERING INDEX entries_rows" in steps
    assert not any(step.startswith("USE TEMP B-TREE") for step in steps)


def test_parse_keeps_terms_apart() -> None:
    query = parse_query('title:toml "a b" x -slow')
    assert query is not None
    assert query.expression() == 'title : "toml"* AND "a b" AND "x" NOT "slow"*'
    assert query.title_expression() == (
        'title : "toml"* AND {title author} : "a b" AND {title author} : "x" '
        'NOT "slow"*'
    )


def top_title(screen: SearchScreen) -> str | None:
    row = screen.results.current_row
    return None if row is None else row.title


async def test_search_screen_lists_ranked_rows(corpus: Store) -> None:
    corpus.set_meta(WELCOME_META_KEY, "1")
    app = TidingsApp(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", *"zircon")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.summary == "12 matching entries"
        assert top_title(screen) == "Zircon zircon"
        await pilot.press(*["backspace"] * 6, *"filler")
        await pilot.pause(0.3)
        # A query in every entry is counted after its rows are shown.
        await settle(pilot)
        assert screen.summary == (
            "40 matching entries; words in half the entries or more: "
            "title matches first, then newest"
        )
        assert top_title(screen) == "Filler 39"
