"""Shared fixtures: the real seed feed and an isolated cache path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SEED_NAME = "000_ca3e16736f1b57db.txt"


def _find_seed() -> Path:
    # shared/ sits beside the checkout; a git worktree nested one level
    # deeper finds it further up.
    repository = Path(__file__).resolve().parents[1]
    for folder in repository.parents:
        candidate = folder / "shared" / "seeds" / SEED_NAME
        if candidate.is_file():
            return candidate
    return repository.parent / "shared" / "seeds" / SEED_NAME


SEED_PATH = Path(os.environ.get("TIDINGS_SEED") or _find_seed())
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def seed_feed_path() -> Path:
    """Return the path of the real developer-blog feed, or skip without it.

    The seed is a third party's writing, so it lives outside the repository.
    CI sets TIDINGS_REQUIRE_SEED=1 to turn the skip into a failure.
    """
    if SEED_PATH.is_file():
        return SEED_PATH
    reason = f"seed feed not found at {SEED_PATH}; set TIDINGS_SEED to its path"
    if os.environ.get("TIDINGS_REQUIRE_SEED") == "1":
        pytest.fail(reason + " (TIDINGS_REQUIRE_SEED=1 makes this an error)")
    pytest.skip(reason)


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a cache path under tmp_path and point TIDINGS_DB and the
    platformdirs directories at tmp_path, so no test touches a real home."""
    path = tmp_path / "cache.sqlite3"
    monkeypatch.setenv("TIDINGS_DB", str(path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return path
