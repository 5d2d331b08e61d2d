"""Full-text search: query syntax, index upkeep, ranking, saved searches."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import reader.search
import reader.search_rank
from reader.listing import EntryScope
from reader.models import FetchResult, ParsedEntry, ParsedFeed, UsageError
from reader.search import (
    SavedSearchExistsError,
    SavedSearchNotFoundError,
    match_expression,
    search_text,
)
from reader.store import Store

START = datetime(2025, 3, 1, tzinfo=UTC)


def entry(
    key: str,
    title: str,
    body: str,
    *,
    author: str = "Ada Lantern",
    day: int = 1,
) -> ParsedEntry:
    return ParsedEntry(
        key=key,
        title=title,
        link=None,
        author=author,
        published=START + timedelta(days=day),
        updated=None,
        content=body,
        summary="",
    )


def save(store: Store, feed_id: int, *entries: ParsedEntry) -> None:
    result = FetchResult(url="https://s.test/feed", content=b"")
    store.save_parsed(feed_id, result, ParsedFeed("Search Feed", None, entries))


def titles(store: Store, query: str) -> list[str]:
    return [row.title for row in store.search(query).rows]


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "cache.sqlite3", retention=None) as opened:
        yield opened


@pytest.fixture
def feed_id(store: Store) -> int:
    feed_id = store.add_feed("https://s.test/feed").id
    save(
        store,
        feed_id,
        entry("a", "Parsing TOML by hand", "<p>A tokenizer in forty lines.</p>", day=1),
        entry(
            "b",
            "Release notes",
            '<p class="lead">The <b>parser</b> got faster &amp; smaller.</p>'
            "<script>var hidden = 'zebra';</script><!-- secret walrus -->",
            day=2,
        ),
        entry("c", "Café au lait", "<p>Coffee and code.</p>", author="Grace Hopper"),
        entry(
            "d",
            "Profiling async code",
            "<pre><code>asyncio.run(main())</code></pre><p>Slow parsers.</p>",
            day=3,
        ),
    )
    return feed_id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pars", '"pars"*'),
        ("c lang", '"c" AND "lang"*'),
        ("rust async", '"rust"* AND "async"*'),
        ('"exact phrase"', '"exact phrase"'),
        ("title:toml", 'title : "toml"*'),
        ("AUTHOR:ada", 'author : "ada"*'),
        ("code -slow", '"code"* NOT "slow"*'),
        ("http://x.test/a", '"http://x.test/a"*'),
        ("std::vector", '"std::vector"*'),
        ('say "hi', '"say"* AND "hi"'),
        ('a"b', '"a""b"*'),
        ("NEAR OR AND", '"NEAR"* AND "OR"* AND "AND"*'),
        ("-only -negative", None),
        ("   ", None),
        ('""', None),
    ],
)
def test_match_expression(query: str, expected: str | None) -> None:
    assert match_expression(query) == expected


def test_search_text_drops_markup() -> None:
    text = search_text(
        '<p class="x">Fish &amp; chips</p><style>p{color:red}</style>'
        "<script>alert(1)</script><!-- note -->tail"
    )
    assert text.split() == ["Fish", "chips", "tail"]


def test_prefix_and_case_folding(store: Store, feed_id: int) -> None:
    found = titles(store, "pars")
    assert found[0] == "Parsing TOML by hand"
    assert sorted(found[1:]) == ["Profiling async code", "Release notes"]
    assert titles(store, "TOKENIZER") == ["Parsing TOML by hand"]


def test_diacritics_are_folded(store: Store, feed_id: int) -> None:
    assert titles(store, "cafe") == ["Café au lait"]
    assert titles(store, "café") == ["Café au lait"]


def test_markup_is_not_indexed(store: Store, feed_id: int) -> None:
    assert titles(store, "lead") == []
    assert titles(store, "zebra") == []
    assert titles(store, "walrus") == []
    assert titles(store, "smaller") == ["Release notes"]


def test_fields_phrases_and_negation(store: Store, feed_id: int) -> None:
    assert titles(store, "author:grace") == ["Café au lait"]
    assert titles(store, "title:code") == ["Profiling async code"]
    assert titles(store, '"got faster"') == ["Release notes"]
    assert titles(store, '"faster got"') == []
    assert titles(store, "code -slow") == ["Café au lait"]
    assert titles(store, "asyncio.run") == ["Profiling async code"]


def test_title_match_ranks_first_then_date(store: Store, feed_id: int) -> None:
    save(
        store,
        feed_id,
        entry("e", "Widgets", "<p>Nothing about it here.</p>", day=5),
        entry("f", "Other news", "<p>Widgets widgets everywhere.</p>", day=6),
        entry("g", "Widgets", "<p>Nothing about it here.</p>", day=7),
    )
    assert titles(store, "widgets") == ["Widgets", "Widgets", "Other news"]
    first, second = store.search("widgets").rows[:2]
    assert first.date > second.date


def test_index_follows_updates_and_deletes(store: Store, feed_id: int) -> None:
    save(store, feed_id, entry("a", "Parsing YAML instead", "<p>Changed body.</p>"))
    assert titles(store, "toml") == []
    assert titles(store, "yaml") == ["Parsing YAML instead"]
    other = store.add_feed("https://s.test/other").id
    save(store, other, entry("z", "Zeppelin log", "<p>Airships.</p>"))
    assert store.search("zeppelin").total == 1
    store.remove_feed(other)
    assert store.search("zeppelin").total == 0
    assert store.search("airships").rows == ()


def test_limit_and_total(store: Store, feed_id: int) -> None:
    found = store.search("pars", limit=2)
    assert len(found.rows) == 2
    assert found.total == 3


def test_search_without_terms_rejected(store: Store) -> None:
    with pytest.raises(UsageError, match="no word"):
        store.search("-nothing")


def test_filtered_scope_lists_by_date(store: Store, feed_id: int) -> None:
    scope = EntryScope(feed_id=feed_id, search="pars")
    rows = store.list_rows(scope, limit=10)
    assert [row.title for row in rows] == [
        "Profiling async code",
        "Release notes",
        "Parsing TOML by hand",
    ]
    assert store.count_rows(scope) == 3
    assert store.count_rows(EntryScope(feed_id=feed_id, search="-x")) == 4


def test_saved_searches(store: Store, feed_id: int) -> None:
    saved = store.save_search("Parsers", "pars")
    assert saved.name == "Parsers"
    store.save_search("Coffee", "cafe")
    assert [s.name for s in store.list_saved_searches()] == ["Coffee", "Parsers"]
    with pytest.raises(SavedSearchExistsError, match="Parsers"):
        store.save_search("Parsers", "other")
    with pytest.raises(UsageError):
        store.save_search("Empty", "-x")
    with pytest.raises(UsageError):
        store.save_search("  ", "x")
    store.delete_saved_search("Coffee")
    assert [s.name for s in store.list_saved_searches()] == ["Parsers"]
    with pytest.raises(SavedSearchNotFoundError, match="Coffee"):
        store.delete_saved_search("Coffee")


def test_changes_outside_refresh_are_indexed(store: Store, feed_id: int) -> None:
    db = store._db  # another writer, such as a newer tidings, bypassing save_parsed
    db.execute("UPDATE entries SET title = 'Quokka facts' WHERE key = 'a'")
    assert store.update_search_index() == 1
    assert titles(store, "quokka") == ["Quokka facts"]
    assert store.update_search_index() == 0


WORDS = ["amber", "basalt", "cobalt", "dune", "ember", "fjord", "garnet", "heron"]


def test_index_matches_rows_after_random_changes(tmp_path: Path) -> None:
    rng = random.Random(7)
    with Store(tmp_path / "fuzz.sqlite3", retention=None) as store:
        feeds = [store.add_feed(f"https://fuzz.test/{n}").id for n in range(3)]
        db = store._db  # a second writer that bypasses the store's methods

        def words() -> str:
            return " ".join(rng.sample(WORDS, 3))

        for step in range(120):
            action = rng.random()
            feed_id = rng.choice(feeds)
            if action < 0.45:
                keys = [f"k{rng.randrange(12)}" for _ in range(3)]
                save(
                    store,
                    feed_id,
                    *(entry(key, words(), f"<p>{words()}</p>") for key in keys),
                )
            elif action < 0.65:
                db.execute(
                    "UPDATE entries SET content = ? WHERE id IN "
                    "(SELECT id FROM entries ORDER BY random() LIMIT 2)",
                    (f"<b>{words()}</b>",),
                )
            elif action < 0.8:
                db.execute(
                    "DELETE FROM entries WHERE id = (SELECT max(id) FROM entries)"
                )
            elif action < 0.9:
                store.remove_feed(feed_id)
                feeds[feeds.index(feed_id)] = store.add_feed(
                    f"https://fuzz.test/again{step}"
                ).id
            else:
                store.update_search_index()

        store.update_search_index()
        rows = db.execute("SELECT id, title, author, content FROM entries").fetchall()
        for word in WORDS:
            expected = {
                id_
                for id_, title, author, content in rows
                if word in f"{title} {author} {search_text(content)}".split()
            }
            found = {
                rowid
                for (rowid,) in db.execute(
                    "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?",
                    (f'"{word}"',),
                )
            }
            assert found == expected, word
        db.execute(
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 0)"
        )


def test_new_text_version_rebuilds_index(
    store: Store, feed_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader.search, "SEARCH_TEXT_VERSION", "test-2")
    monkeypatch.setattr(reader.search, "search_text", lambda fragment: "rebuilt")
    assert store.update_search_index() == 4
    assert store.search("rebuilt").total == 4
    assert store.search("tokenizer").total == 0
    assert store.update_search_index() == 0
