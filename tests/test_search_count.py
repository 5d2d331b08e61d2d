"""Searches shown before their count: the rows, the count, the check."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import reader.search_count
import reader.search_rank
import reader.tui.search_screen
from reader.models import StoreError
from reader.search_count import (
    CountCancelledError,
    MatchCount,
    count_matches_in_file,
)
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.search_screen import COMMON_WORDS_NOTE, SearchScreen
from reader.welcome import WELCOME_META_KEY
from tests.test_search_rank import corpus, entry, fts5_order, keys, save, settle
from tests.test_search_rank import store as store

__all__ = ["corpus", "store"]


def late_zircon(corpus: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Store three newest entries with zircon and sample only them, so
    zircon looks common though 15 of 43 entries contain it."""
    save(corpus, *(entry(f"late{n}", "Late", "zircon", day=60 + n) for n in range(3)))
    monkeypatch.setattr(reader.search_rank, "SAMPLE_ROWS", 3)


def test_uncounted_common_search(corpus: Store) -> None:
    uncounted = corpus.search("filler", limit=30, count=False)
    counted = corpus.search("filler", limit=30)
    assert uncounted.total is None
    assert not uncounted.scored
    assert uncounted.rows == counted.rows
    assert counted.total == 40
    assert corpus.count_matches("filler") == MatchCount(40, 40, common=True)


def test_uncounted_rare_search_counts(corpus: Store) -> None:
    found = corpus.search("zircon", limit=100, count=False)
    assert found.total == 12
    assert found.scored
    assert keys(corpus, "zircon", limit=100) == fts5_order(corpus, '"zircon"*')


def test_multi_term_search_counts(corpus: Store) -> None:
    found = corpus.search("filler zircon", limit=100, count=False)
    assert found.total == 12
    assert found.scored
    assert keys(corpus, "filler zircon", limit=100) == fts5_order(corpus, '"zircon"*')


def test_common_terms_rare_together(store: Store) -> None:
    # alpha and beta are each in eight of ten entries, alpha alone in two.
    bodies = ["alpha"] * 2 + ["beta"] * 2 + ["alpha beta"] * 6
    save(
        store, *(entry(f"e{n}", "Plain", body, day=n) for n, body in enumerate(bodies))
    )
    uncounted = store.search("alpha -beta", count=False)
    counted = store.search("alpha -beta")
    assert uncounted.total is None
    assert counted.total == 2
    assert not counted.scored
    assert uncounted.rows == counted.rows
    assert keys(store, "alpha -beta") == ["e1", "e0"]
    assert store.count_matches("alpha -beta") == MatchCount(2, 10, common=True)
    assert store.count_matches("alpha beta") == MatchCount(6, 10, common=True)


def test_wrong_guess_found_by_count(
    corpus: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    late_zircon(corpus, monkeypatch)
    guessed = corpus.search("zircon", limit=100, count=False)
    assert guessed.total is None
    assert not guessed.scored
    counted = corpus.count_matches("zircon")
    assert counted == MatchCount(15, 43, common=False)
    assert not counted.common
    assert corpus.search("zircon", limit=100).scored
    assert keys(corpus, "zircon", limit=100) == fts5_order(corpus, '"zircon"*')


def test_count_in_file_from_thread(corpus: Store) -> None:
    counts: list[MatchCount] = []
    worker = threading.Thread(
        target=lambda: counts.append(count_matches_in_file(corpus.path, '"filler"'))
    )
    worker.start()
    worker.join(timeout=10)
    assert counts == [MatchCount(40, 40, common=True)]


def test_count_in_file_cancelled(
    corpus: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Forty entries take fewer steps than the default between two checks.
    monkeypatch.setattr(reader.search_count, "CANCEL_CHECK_STEPS", 1)
    with pytest.raises(CountCancelledError, match="filler"):
        count_matches_in_file(corpus.path, "filler", cancelled=lambda: True)
    never = count_matches_in_file(corpus.path, "filler", cancelled=lambda: False)
    assert never == MatchCount(40, 40, common=True)


def test_count_in_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite3"
    with pytest.raises(StoreError, match=r"missing\.sqlite3"):
        count_matches_in_file(missing, "word")
    assert not missing.exists()


async def test_screen_shows_rows_before_count(
    corpus: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def gated_count(path: Path, query: str, **options: Any) -> MatchCount:
        release.wait(timeout=10)
        return count_matches_in_file(path, query, **options)

    monkeypatch.setattr(reader.tui.search_screen, "count_matches_in_file", gated_count)
    corpus.set_meta(WELCOME_META_KEY, "1")
    app = TidingsApp(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", *"filler")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.summary == f"counting...; {COMMON_WORDS_NOTE}"
        assert screen.results.current_row is not None
        assert screen.results.current_row.title == "Filler 39"
        release.set()
        await settle(pilot)
        assert screen.summary == f"40 matching entries; {COMMON_WORDS_NOTE}"


async def test_screen_reranks_wrong_guess(
    corpus: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    late_zircon(corpus, monkeypatch)
    corpus.set_meta(WELCOME_META_KEY, "1")
    app = TidingsApp(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", *"zircon")
        await pilot.pause(0.3)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.summary == "15 matching entries"
        listed = [listed_key(corpus, screen, index) for index in range(15)]
        assert listed == fts5_order(corpus, '"zircon"*')


def listed_key(store: Store, screen: SearchScreen, index: int) -> Any:
    pages = screen.results.pages
    assert pages is not None
    row = pages.get(index)
    assert row is not None
    return store.get_entry(row.id).key
