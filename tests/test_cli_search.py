"""CLI: search, saved searches, vacuum and the retention option."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import reader.search_rank
from reader.cli import main
from reader.cli_search import TITLE_THEN_DATE_NOTE

FIXTURES = Path(__file__).parent / "fixtures"
LANTERN = FIXTURES / "tui" / "lantern.xml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def rss(*items: tuple[str, str]) -> bytes:
    """Return an RSS document with (guid, RFC 822 date) items."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>Item {guid}</title>"
        f"<pubDate>{date}</pubDate><description>text of {guid}</description></item>"
        for guid, date in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>'
        f"{body}</channel></rss>"
    ).encode()


@pytest.fixture
def lantern(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run(capsys, "add", str(LANTERN))
    assert status == 0


def test_search_json(lantern: None, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "search", "pars", "--json")
    assert status == 0
    assert err == ""
    found = json.loads(out)
    assert found[0]["title"] == "Parsing config files without tears"
    assert found[0]["feed_title"] == "Lantern Dev Notes"
    assert {"id", "link", "published", "read", "starred"} <= set(found[0])


def test_search_text_and_limit(
    lantern: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "search", "the", "--limit", "1")
    assert status == 0
    assert len(out.splitlines()) == 1
    assert out.rstrip().endswith("(Lantern Dev Notes)")
    assert "showing 1 of" in err


@pytest.fixture
def kiwi_feed(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Five entries: "text" in all, "kiwi" in the first and the last."""
    feed = tmp_path / "kiwi.xml"
    days = [f"Mon, 0{day} Jan 2024 10:00:00 GMT" for day in range(1, 6)]
    guids = ["kiwi-a", "b", "c", "d", "kiwi-e"]
    feed.write_bytes(rss(*zip(guids, days, strict=True)))
    assert run(capsys, "add", str(feed))[0] == 0


def test_search_common_word_order(
    kiwi_feed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "search", "text")
    assert status == 0
    # No title contains "text", so the order is newest first.
    newest_first = ["Item kiwi-e", "Item d", "Item c", "Item b", "Item kiwi-a"]
    lines = out.splitlines()
    assert len(lines) == 5
    for title, line in zip(newest_first, lines, strict=True):
        assert title in line
    assert TITLE_THEN_DATE_NOTE in err
    assert "showing" not in err
    status, out, err = run(capsys, "search", "text", "--limit", "2")
    assert len(out.splitlines()) == 2
    assert "showing 2 of 5 matching entries" in err
    assert TITLE_THEN_DATE_NOTE in err


def test_search_ranked_has_no_order_note(
    kiwi_feed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "search", "kiwi")
    assert status == 0
    assert len(out.splitlines()) == 2
    assert err == ""


def test_search_wrong_guess_ranked_again(
    kiwi_feed: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The newest stored entry is one of the two kiwi ones, so a sample of
    # one entry takes kiwi, in 2 of 5 entries, for common.
    monkeypatch.setattr(reader.search_rank, "SAMPLE_ROWS", 1)
    status, out, err = run(capsys, "search", "kiwi")
    assert status == 0
    assert "2 of 5 entries match, fewer than half" in err
    assert TITLE_THEN_DATE_NOTE not in err
    lines = out.splitlines()
    assert len(lines) == 4
    _, ranked, _ = run(capsys, "search", "kiwi", "--json")
    ranked_ids = [entry["id"] for entry in json.loads(ranked)]
    monkeypatch.setattr(reader.search_rank, "SAMPLE_ROWS", 2_000)
    _, exact, _ = run(capsys, "search", "kiwi", "--json")
    assert ranked_ids == [entry["id"] for entry in json.loads(exact)]
    for entry, line in zip(json.loads(exact), lines[2:], strict=True):
        assert entry["title"] in line
    assert sorted(lines[:2]) == sorted(lines[2:])


def test_search_words_join(lantern: None, capsys: pytest.CaptureFixture[str]) -> None:
    _, one, _ = run(capsys, "search", "config files", "--json")
    _, two, _ = run(capsys, "search", "config", "files", "--json")
    assert json.loads(one) == json.loads(two)
    assert json.loads(one)


def test_search_rejects_bad_input(
    lantern: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "search", "--", "-x")
    assert status == 2
    assert "no word to look for" in err
    status, _, err = run(capsys, "search", "x", "--limit", "0")
    assert status == 2
    assert "--limit" in err


def test_saved_searches(lantern: None, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run(capsys, "search", "pars", "--save", "Parsing")
    assert status == 0
    _, out, _ = run(capsys, "searches", "--json")
    assert json.loads(out) == [{"id": 1, "name": "Parsing", "query": "pars"}]
    _, out, _ = run(capsys, "searches")
    assert out == "Parsing\tpars\n"
    status, _, err = run(capsys, "search", "x", "--save", "Parsing")
    assert status == 2
    assert "already exists" in err
    assert run(capsys, "searches", "--delete", "Parsing")[0] == 0
    status, _, err = run(capsys, "searches", "--delete", "Parsing")
    assert status == 2
    assert "not found" in err


def test_vacuum(lantern: None, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "vacuum")
    assert status == 0
    assert out.startswith("Compacted ")
    assert re.search(r": \d+\.\d KiB -> \d+\.\d KiB$", out.strip()), out


def test_keep_days_controls_pruning(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "local.xml"
    old = "Mon, 02 Jan 2017 10:00:00 GMT"
    feed.write_bytes(rss(("a", old), ("b", old), ("c", old)))
    assert run(capsys, "add", str(feed))[0] == 0
    ids = [entry["id"] for entry in json.loads(run(capsys, "entries", "--json")[1])]
    assert run(capsys, "mark", *map(str, ids), "--read")[0] == 0

    feed.write_bytes(rss(("b", old), ("d", old)))
    assert run(capsys, "--keep-days", "0", "refresh")[0] == 0
    listed = json.loads(run(capsys, "entries", "--json")[1])
    assert sorted(entry["title"] for entry in listed) == [
        "Item a",
        "Item b",
        "Item c",
        "Item d",
    ]

    feed.write_bytes(rss(("b", old), ("e", old)))
    assert run(capsys, "refresh")[0] == 0
    listed = json.loads(run(capsys, "entries", "--json")[1])
    assert sorted(entry["title"] for entry in listed) == ["Item b", "Item d", "Item e"]


def test_keep_days_rejects_negative(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "--keep-days", "-1", "feeds")
    assert status == 2
    assert "--keep-days" in err


def test_reader_start_skips_subcommand_modules() -> None:
    code = (
        "import sys, reader.cli; "
        "args = reader.cli.parse_args(['--db', 'x.sqlite3', '--keep-days', '7']); "
        "print(args.keep_days, getattr(args, 'handler', None), "
        "[m for m in ('reader.cli_commands', 'httpx', 'feedparser') "
        "if m in sys.modules])"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "7 None []"


def test_help_still_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["-h"])
    out = capsys.readouterr().out
    assert "search" in out
    assert "vacuum" in out
    assert "--keep-days DAYS" in out


def test_search_no_match_message(
    lantern: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "search", "zzzznotfound")
    assert status == 0
    assert out == ""
    assert err == "No entries match 'zzzznotfound'\n"

    status, out, err = run(capsys, "search", "zzzznotfound", "--json")
    assert status == 0
    assert json.loads(out) == []


def test_search_unknown_field_rejected(
    lantern: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "search", "foo:bar")
    assert status == 2
    assert out == ""
    assert "invalid search field 'foo' in 'foo:bar'" in err
    assert "valid fields: title:, author:" in err
    for words in ("http://lantern", "std::vector", "12:30", '"foo:bar"'):
        assert run(capsys, "search", words)[0] == 0, words


def test_search_leading_excluded_word(
    lantern: None, capsys: pytest.CaptureFixture[str]
) -> None:
    def ids(out: str) -> set[int]:
        return {entry["id"] for entry in json.loads(out)}

    everything = ids(run(capsys, "search", "lantern", "--json")[1])
    status, out, err = run(capsys, "search", "-parsing", "lantern", "--json")
    assert status == 0, err
    without = ids(out)
    assert everything == {1, 2, 3, 4}
    assert without == {2, 3, 4}

    status, out, _ = run(capsys, "search", "--limit", "1", "lantern", "-parsing")
    assert status == 0
    assert len(out.splitlines()) == 1
    assert "Parsing" not in out
    status, out, _ = run(capsys, "search", "--json", "--", "-parsing", "lantern")
    assert status == 0
    assert ids(out) == without
