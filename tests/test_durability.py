"""The cache survives SIGKILL mid-refresh and a second process writing.

The kill test refreshes a few hundred local feed files and kills
``tidings refresh`` at random moments. After every kill the cache must pass
``PRAGMA integrity_check``, open in the CLI, hold every entry once, hold
each feed's generations whole, and keep every read and starred mark.

``TIDINGS_KILLS`` sets the number of kills (20 by default) and
``TIDINGS_KILL_SEED`` the random seed, for a longer run such as
``TIDINGS_KILLS=500 pytest tests/test_durability.py -k kill -s``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reader import store as store_module
from reader import store_errors
from reader.models import StoreError
from reader.store import Store
from tests.feedgen import read_cache, whole_generation, write_feeds

FEEDS = 300
TIDINGS = [sys.executable, "-m", "reader"]


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TIDINGS, "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def subscribe(db: Path, paths: list[Path]) -> None:
    with Store(db) as store:
        for path in paths:
            store.add_feed(str(path))


class Marks:
    """The read and starred marks the test set, to compare with the cache."""

    def __init__(self) -> None:
        self.read: set[int] = set()
        self.starred: set[int] = set()

    def change_some(self, db: Path, rng: random.Random) -> None:
        """Mark 40 random entries read and 10 starred, and undo 10 of each."""
        with Store(db) as store:
            ids = [row.id for row in store.list_entries()]
            read = set(rng.sample(ids, 40))
            starred = set(rng.sample(ids, 10))
            store.set_read(read, True)
            store.set_starred(starred, True)
            self.read |= read
            self.starred |= starred
            unread = set(rng.sample(sorted(self.read), 10))
            unstarred = set(rng.sample(sorted(self.starred), 10))
            store.set_read(unread, False)
            store.set_starred(unstarred, False)
            self.read -= unread
            self.starred -= unstarred


def check_cache(db: Path, marks: Marks, generation: int) -> int:
    """Assert the cache is whole and return how many feeds hold
    ``generation``."""
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        (distinct,) = connection.execute(
            "SELECT count(*) FROM (SELECT DISTINCT feed_id, key FROM entries)"
        ).fetchone()
    finally:
        connection.close()
    by_feed = read_cache(db)
    rows = [row for feed_rows in by_feed.values() for row in feed_rows]
    assert distinct == len(rows), "an entry is stored twice"
    assert {row[2] for row in rows if row[5]} == marks.read
    assert {row[2] for row in rows if row[6]} == marks.starred
    assert len(by_feed) == FEEDS
    generations = [whole_generation(feed_rows) for feed_rows in by_feed.values()]
    return generations.count(generation)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL what is left of the process group the test started (parser
    workers and the forkserver)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def test_kill_refresh_keeps_marks(tmp_path: Path) -> None:
    kills = int(os.environ.get("TIDINGS_KILLS", "20"))
    rng = random.Random(int(os.environ.get("TIDINGS_KILL_SEED", "8")))
    db = tmp_path / "cache.sqlite3"
    folder = tmp_path / "feeds"
    subscribe(db, write_feeds(folder, FEEDS, 0))
    started = time.monotonic()
    first = run_cli(db, "refresh")
    duration = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    marks = Marks()
    marks.change_some(db, rng)

    killed = finished = mid_refresh = 0
    # Feeds holding the generation of each killed run when it was killed.
    progress = []
    for generation in range(1, kills + 1):
        write_feeds(folder, FEEDS, generation)
        process = subprocess.Popen(
            [*TIDINGS, "--db", str(db), "refresh"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # The first part of a run is interpreter start-up, and a run that
        # ends before the kill proves nothing, so most kills land between.
        time.sleep(rng.uniform(0.15, 0.85) * duration)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        else:
            finished += 1
            # Later runs can be faster than the first (a warm page cache, less
            # load), so the window shrinks to keep the kills landing inside.
            duration *= 0.9
        process.wait()
        kill_group(process)

        done = check_cache(db, marks, generation)
        progress.append(done)
        mid_refresh += 0 < done < FEEDS
        listing = run_cli(db, "feeds", "--json")
        assert listing.returncode == 0, listing.stderr
        assert len(json.loads(listing.stdout)) == FEEDS
        marks.change_some(db, rng)

    print(
        f"\nkill test: {killed} kills survived, {finished} refreshes finished "
        f"first, {mid_refresh} kills left a refresh part done; feeds stored "
        f"by each run before its kill: {progress}"
    )
    assert killed >= kills // 2
    assert mid_refresh >= 1


# A TUI-like reader in its own process: one Store held open, marks toggled
# in a loop, lists and entries read in between, until a stop file appears.
# It records the last state it set per entry and prints how many operations
# it ran.
READER = textwrap.dedent(
    """
    import json, random, sys, time
    from pathlib import Path
    from reader.store import Store

    db, stop, record = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    rng = random.Random(3)
    state = {}
    operations = 0
    with Store(db) as store:
        ids = [entry.id for entry in store.list_entries()]
        while not stop.exists():
            entry_id = rng.choice(ids)
            entry = store.get_entry(entry_id)
            store.set_read([entry_id], not entry.read)
            store.set_starred([entry_id], not entry.starred)
            state[entry_id] = [not entry.read, not entry.starred]
            store.list_entries(unread_only=True, limit=50)
            store.list_feeds()
            operations += 1
    record.write_text(json.dumps(state))
    print(operations)
    """
)


def test_reader_and_refresh_share_cache(tmp_path: Path) -> None:
    db = tmp_path / "cache.sqlite3"
    folder = tmp_path / "feeds"
    subscribe(db, write_feeds(folder, 200, 0))
    assert run_cli(db, "refresh").returncode == 0
    stop = tmp_path / "stop"
    record = tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), str(stop), str(record)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    refreshes = []
    marks = []
    try:
        for generation in range(1, 4):
            write_feeds(folder, 200, generation)
            refreshes.append(run_cli(db, "refresh"))
            # Short-lived processes, as from cron or a shell loop.
            marks.append(run_cli(db, "mark", str(generation), "--starred"))
            marks.append(run_cli(db, "entries", "--unread", "--limit", "5"))
    finally:
        stop.touch()
        output, errors = reader.communicate(timeout=120)

    assert reader.returncode == 0, errors
    assert "locked" not in errors
    for result in refreshes:
        assert result.returncode == 0, result.stderr
        assert "Refreshed 200 feeds" in result.stdout
        assert "Refreshed 200 feeds: 200 updated · " in result.stdout
    for result in marks:
        assert result.returncode == 0, result.stderr
    assert int(output) > 50
    state = {int(key): value for key, value in json.loads(record.read_text()).items()}
    with Store(db) as store:
        for entry_id, (read, starred) in state.items():
            entry = store.get_entry(entry_id)
            assert entry.read == read
            if entry_id not in (1, 2, 3):
                assert entry.starred == starred
        assert all(store.get_entry(i).starred for i in (1, 2, 3) if i not in state)
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()


def hold_write_lock(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Start a process that holds the cache's write lock for ``seconds``
    and return it once the lock is taken."""
    script = (
        "import sqlite3, sys, time\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "print('locked', flush=True)\n"
        "time.sleep(float(sys.argv[2]))\n"
        "db.execute('ROLLBACK')\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(db), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_busy_write_retried_until_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite's own wait is cut to 0.1 s, so the begin fails fast, as it does
    # where SQLite skips its busy handler, and the store's retries take over.
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    db = tmp_path / "cache.sqlite3"
    with Store(db) as store:
        feed = store.add_feed("https://busy.example/feed")
        holder = hold_write_lock(db, 1.0)
        started = time.monotonic()

        store.set_meta("marked", "yes")

        waited = time.monotonic() - started
        holder.wait(timeout=30)
        assert store.get_meta("marked") == "yes"
        assert store.get_feed(feed.id).url == "https://busy.example/feed"
    assert 0.5 < waited < 5


def test_lock_held_too_long_is_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(store_errors, "BUSY_TIMEOUT_MS", 300)
    db = tmp_path / "cache.sqlite3"
    with Store(db) as store:
        holder = hold_write_lock(db, 3.0)
        with pytest.raises(StoreError) as raised:
            store.set_meta("marked", "yes")
        holder.wait(timeout=30)
        assert store.get_meta("marked") is None
    message = str(raised.value)
    assert f"cannot write to cache {db}, the change was rolled back" in message
    assert "another process kept it locked" in message
