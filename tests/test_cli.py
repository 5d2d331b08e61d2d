"""CLI tests: every subcommand, JSON output, exit codes, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reader import __version__
from reader.cli import main
from reader.store import Store
from tests.support import StaticServer

FIXTURES = Path(__file__).parent / "fixtures"
LANTERN = FIXTURES / "tui" / "lantern.xml"
FRESH = FIXTURES / "tui" / "fresh.xml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def feeds_json(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    status, out, _ = run(capsys, "feeds", "--json")
    assert status == 0
    return json.loads(out)


def entries_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    status, out, _ = run(capsys, "entries", "--json", *args)
    assert status == 0
    return json.loads(out)


@pytest.fixture
def lantern(db_path: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    status, out, _ = run(capsys, "add", str(LANTERN))
    assert status == 0
    assert out.startswith("Added feed 1: Lantern Dev Notes (")
    return feeds_json(capsys)[0]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tidings {__version__}"


def test_add_local_file(lantern: dict) -> None:
    assert lantern["id"] == 1
    assert lantern["url"] == str(LANTERN.resolve())
    assert lantern["title"] == "Lantern Dev Notes"
    assert lantern["link"] == "https://lantern.test/"
    assert lantern["total"] >= 2
    assert lantern["unread"] == lantern["total"]
    assert lantern["last_error"] is None


def test_add_file_url(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run(capsys, "add", LANTERN.resolve().as_uri())
    assert status == 0
    assert feeds_json(capsys)[0]["title"] == "Lantern Dev Notes"


def test_add_over_http(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = StaticServer({"/feed.xml": (FRESH.read_bytes(), "application/atom+xml")})
    try:
        status, _, _ = run(capsys, "add", server.url("/feed.xml"))
    finally:
        server.stop()
    assert status == 0
    titles = [entry["title"] for entry in entries_json(capsys)]
    assert titles == ["Build 42 is green", "Build 41 is red"]


def test_entries_json_fields(lantern: dict, capsys: pytest.CaptureFixture[str]) -> None:
    entry = entries_json(capsys)[0]
    assert set(entry) >= {
        "id", "feed_id", "title", "link", "author", "published", "read", "starred",
    }  # fmt: skip
    assert entry["feed_id"] == lantern["id"]
    assert entry["title"] == "Parsing config files without tears"
    assert entry["link"] == "https://lantern.test/posts/config"
    assert entry["author"] == "Ada Lantern"
    assert entry["published"] == "2024-03-05T12:00:00Z"
    assert entry["read"] is False
    assert entry["starred"] is False


def test_mark_and_filter(lantern: dict, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = (entry["id"] for entry in entries_json(capsys)[:2])
    assert run(capsys, "mark", str(first), "--read")[0] == 0
    assert run(capsys, "mark", str(second), "--starred")[0] == 0

    unread_ids = [entry["id"] for entry in entries_json(capsys, "--unread")]
    assert first not in unread_ids
    assert second in unread_ids
    starred = entries_json(capsys, "--starred")
    assert [entry["id"] for entry in starred] == [second]
    assert feeds_json(capsys)[0]["unread"] == lantern["total"] - 1

    assert run(capsys, "mark", str(first), "--unread")[0] == 0
    assert run(capsys, "mark", str(second), "--unstarred")[0] == 0
    assert entries_json(capsys, "--starred") == []


def test_mark_unknown_id_changes_nothing(
    lantern: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    first = entries_json(capsys)[0]["id"]
    status, out, err = run(capsys, "mark", str(first), "9999", "--read")
    assert status == 2
    assert out == ""
    assert "entry 9999 not found" in err
    assert err.count("\n") == 1
    assert entries_json(capsys, "--unread")[0]["id"] == first


def test_show_markdown_keeps_code(
    lantern: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    entry_id = entries_json(capsys)[0]["id"]
    status, out, _ = run(capsys, "show", str(entry_id))
    assert status == 0
    assert "```py\ndef load_settings(path: str) -> dict[str, int]:\n" in out
    assert out.startswith("Lantern reads its settings")


def test_show_text_with_header(
    lantern: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    entry_id = entries_json(capsys)[0]["id"]
    status, out, _ = run(capsys, "show", str(entry_id), "--format", "text", "--header")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "Title: Parsing config files without tears"
    assert "Feed: Lantern Dev Notes" in lines
    assert "Link: https://lantern.test/posts/config" in lines
    assert "def load_settings(path: str) -> dict[str, int]:" in out
    assert "```" not in out
    assert "\x1b" not in out


def test_unknown_ids_exit_2(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["show", "42"], ["remove", "7"], ["refresh", "7"]):
        status, out, err = run(capsys, *args)
        assert status == 2, args
        assert out == "", args
        assert "not found" in err, args


def test_add_invalid_input_exit_2(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in ("ftp://example.invalid/feed", str(tmp_path / "missing.xml")):
        status, _, err = run(capsys, "add", value)
        assert status == 2, value
        assert value in err, value
    assert feeds_json(capsys) == []


def test_add_twice_exit_2(lantern: dict, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "add", str(LANTERN))
    assert status == 2
    assert "already subscribed as feed 1" in err
    assert len(feeds_json(capsys)) == 1


def test_refresh_failure_exit_1(
    lantern: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.xml"
    shutil.copy(FRESH, copy)
    assert run(capsys, "add", str(copy))[0] == 0
    copy.unlink()

    status, out, err = run(capsys, "refresh")
    assert status == 1
    assert "Refreshed 2 feeds" in out
    assert str(copy) in err
    feeds = {feed["title"]: feed for feed in feeds_json(capsys)}
    assert feeds["Fresh Builds"]["last_error"]
    assert feeds["Fresh Builds"]["total"] == 2
    assert feeds["Lantern Dev Notes"]["last_error"] is None


def test_refresh_plain_lines(lantern: dict, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "refresh")
    assert status == 0
    assert out.splitlines()[0].startswith("[1/1] ")


def test_remove_feed(lantern: dict, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "remove", "1")
    assert status == 0
    assert out.startswith("Removed feed 1: Lantern Dev Notes")
    assert feeds_json(capsys) == []
    assert entries_json(capsys) == []


def test_corrupt_cache_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"not a database" * 100)
    status, _, err = run(capsys, "--db", str(path), "feeds")
    assert status == 2
    assert str(path) in err
    assert "--db" in err


def test_db_option_overrides_env(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.sqlite3"
    assert run(capsys, "--db", str(other), "add", str(LANTERN))[0] == 0
    with Store(other) as store:
        assert len(store.list_feeds()) == 1
    assert not db_path.exists() or feeds_json(capsys) == []


def test_python_m_reader_entry_point(db_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reader", "feeds", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == []


def test_entries_pipe_closed_early(db_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "reader", "add", str(LANTERN)], check=True)
    pipeline = subprocess.run(
        f"{sys.executable} -m reader entries | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert "BrokenPipeError" not in pipeline.stderr
    assert "Traceback" not in pipeline.stderr


def test_db_option_after_subcommand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "after.sqlite3"
    assert run(capsys, "add", str(LANTERN), "--db", str(path))[0] == 0
    with Store(path) as store:
        assert [feed.title for feed in store.list_feeds()] == ["Lantern Dev Notes"]


def test_remove_several_feeds(
    lantern: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "add", str(FRESH))[0] == 0
    status, out, _ = run(capsys, "remove", "1", "2")
    assert status == 0
    assert out.count("Removed feed") == 2
    assert feeds_json(capsys) == []


def test_remove_unknown_among_ids_changes_nothing(
    lantern: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "remove", "1", "99")
    assert status == 2
    assert "feed 99 not found" in err
    assert len(feeds_json(capsys)) == 1


def test_feed_ids_not_reused(lantern: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "remove", "1")[0] == 0
    status, out, _ = run(capsys, "add", str(LANTERN))
    assert status == 0
    assert out.startswith("Added feed 2: ")


def test_refresh_error_reported_once(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "gone.xml"
    shutil.copy(FRESH, copy)
    assert run(capsys, "add", str(copy))[0] == 0
    copy.unlink()
    status, out, err = run(capsys, "refresh")
    assert status == 1
    assert "Refreshed 1 feed: 1 failed · 0 new entries." in out
    assert err.count("\n") == 1
    assert err.count(str(copy)) == 1


def test_add_prints_singular_count(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    single = tmp_path / "single.xml"
    single.write_text(
        "<rss version='2.0'><channel><title>One</title>"
        "<item><title>Only</title><guid isPermaLink='false'>only</guid></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "add", str(single))
    assert status == 0
    assert out.strip() == "Added feed 1: One (1 entry)"
