"""In a real terminal: the feed list of a large cache starts at its top."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from reader.store import Store
from reader.welcome import WELCOME_META_KEY
from tests.support import TmuxSession, require_tmux
from tests.test_tui import load_fixture

pytestmark = pytest.mark.e2e


def start_tidings(db: Path, tmp_path: Path) -> TmuxSession:
    """Start the TUI on ``db`` in a 100x30 tmux pane, with its config and
    state under ``tmp_path``."""
    env = {
        "TIDINGS_DB": str(db),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    session = TmuxSession([sys.executable, "-m", "reader"], env, 100, 30)
    session.run()
    return session


def test_feed_list_starts_at_top(tmp_path: Path) -> None:
    require_tmux()
    db = tmp_path / "cache.sqlite3"
    with Store(db) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        load_fixture(store, "lantern.xml")
        for number in range(80):
            store.add_feed(f"https://feeds.test/{number:02d}")
    session = start_tidings(db, tmp_path)
    try:
        screen = session.wait_for("Entries · https://feeds.test/00")
        rows = screen.splitlines()
        assert "≡ All" in rows[1]
        assert "● Unread" in rows[2]
        assert "★ Starred" in rows[3]
        assert "https://feeds.test/00" in rows[5]
    finally:
        session.kill()


def test_sigterm_restores_terminal(tmp_path: Path) -> None:
    require_tmux()
    db = tmp_path / "cache.sqlite3"
    with Store(db) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        load_fixture(store, "lantern.xml")
    session = start_tidings(db, tmp_path)
    try:
        session.wait_for("Lantern Dev Notes")
        assert session.pane_value("alternate_on") == "1"
        os.kill(int(session.pane_value("pane_pid")), signal.SIGTERM)
        deadline = time.monotonic() + 10
        while session.pane_value("pane_dead") != "1" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert session.pane_value("pane_dead") == "1"
        # Closed as on q: the normal screen is back.
        assert session.pane_value("alternate_on") == "0"
    finally:
        session.kill()
