"""CLI: import, export, rename, move, folders, mark-all and config."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from reader.cli import main
from reader.config import config_path
from reader.config_keys import BINDINGS, normalize_keys
from reader.config_template import default_config_text
from reader.models import FetchResult
from reader.parse import parse_feed
from reader.store import Store
from tests.support import StaticServer

FILES = Path(__file__).parent / "fixtures" / "subscriptions"
LANTERN = Path(__file__).parent / "fixtures" / "tui" / "lantern.xml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def feeds_json(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    status, out, _ = run(capsys, "feeds", "--json")
    assert status == 0
    return json.loads(out)


@pytest.fixture
def lantern(db_path: Path) -> int:
    """Subscribe to the Lantern fixture with its entries stored."""
    with Store(db_path) as store:
        content = LANTERN.read_bytes()
        feed = store.add_feed(str(LANTERN))
        parsed = parse_feed(content, str(LANTERN))
        store.save_parsed(feed.id, FetchResult(str(LANTERN), content), parsed)
        return feed.id


# import and export


def test_import_urls_file_report(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "import", str(FILES / "urls"))

    assert status == 1
    lines = out.splitlines()
    assert lines[0] == (
        f"Imported {FILES / 'urls'} (newsboat urls): 5 added, 1 already present, "
        "3 skipped, 2 invalid"
    )
    assert lines[1].startswith('  line 8: skipped "query:Unread Python:')
    assert lines[2].startswith("  line 9: skipped exec:~/bin/make-feed.sh")
    assert (
        lines[4] == "  line 11: duplicate of line 2: https://lantern.example/feed.xml"
    )
    assert lines[5].startswith("  line 12: invalid ftp://files.example/feed.xml: ")
    assert lines[6] == (
        '  line 13: invalid https://broken.example/feed "never closed: '
        "a double quote is not closed"
    )
    assert len(feeds_json(capsys)) == 5


def test_import_reports_subscribed_feeds(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first.txt"
    first.write_text("https://weather.example/feed\n", encoding="utf-8")
    assert run(capsys, "import", str(first))[0] == 0
    second = tmp_path / "second"
    second.write_text(
        "ftp://files.example/feed.xml\n"
        'https://weather.example/feed "news" "~Weather (mine)"\n'
        "https://tide.example/feed\n"
        "exec:~/bin/make-feed.sh\n",
        encoding="utf-8",
    )

    status, out, _ = run(capsys, "import", str(second))

    lines = out.splitlines()
    assert status == 1
    assert lines[1].startswith("  line 1: invalid ftp://files.example/feed.xml: ")
    assert lines[2] == (
        "  line 2: already subscribed as feed 1: https://weather.example/feed"
    )
    assert lines[3].startswith("  line 4: skipped exec:~/bin/make-feed.sh")
    assert lines[4].startswith("Feeds already subscribed keep their folder and title")
    feeds = {feed["url"]: feed for feed in feeds_json(capsys)}
    assert sorted(feeds) == [
        "https://tide.example/feed",
        "https://weather.example/feed",
    ]
    assert feeds["https://weather.example/feed"]["id"] == 1
    assert feeds["https://weather.example/feed"]["title"] != "Weather (mine)"
    assert feeds["https://weather.example/feed"]["folder"] is None


def test_import_opml_json(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "import", "--json", str(FILES / "nested.opml"))

    assert status == 0
    report = json.loads(out)
    assert report["format"] == "OPML"
    assert [feed["line"] for feed in report["added"]] == [10, 12, 13, 17, 21, 22]
    assert report["added"][0] == {
        "line": 10,
        "id": 1,
        "url": "https://lantern.example/feed.xml",
    }
    assert report["skipped"][0]["line"] == 23
    assert report["invalid"] == []


def test_import_bad_file(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = db_path.parent / "bad.opml"
    bad.write_text("<opml><body><outline></body></opml>")

    status, _, err = run(capsys, "import", str(bad))

    assert status == 2
    assert (
        err
        == f"tidings: {bad}: not a well-formed OPML file: mismatched tag at line 1\n"
    )


def test_import_missing_file(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "import", "/nonexistent/subs.opml")

    assert status == 2
    assert "cannot read /nonexistent/subs.opml: No such file or directory" in err


def test_import_refresh_fetches_added(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = StaticServer(
        {"/lantern.xml": (LANTERN.read_bytes(), "application/rss+xml")}
    )
    subscriptions = db_path.parent / "subs.txt"
    missing = server.url("/missing.xml")
    subscriptions.write_text(f"{server.url('/lantern.xml')}\n{missing}\n")
    try:
        status, out, _ = run(capsys, "import", "--refresh", str(subscriptions))
    finally:
        server.stop()

    assert status == 1
    assert out.splitlines()[0].endswith(
        "2 added, 0 already present, 0 skipped, 0 invalid"
    )
    feeds = {feed["url"]: feed for feed in feeds_json(capsys)}
    assert feeds[server.url("/lantern.xml")]["title"] == "Lantern Dev Notes"
    assert feeds[server.url("/lantern.xml")]["total"] > 0
    assert "404" in feeds[missing]["last_error"]


def test_feeds_json_folder_and_user_title(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "import", str(FILES / "nested.opml"))

    feeds = {feed["url"]: feed for feed in feeds_json(capsys)}

    lantern = feeds["https://lantern.example/feed.xml"]
    assert lantern["title"] == "Lantern"
    assert lantern["user_title"] == "Lantern"
    assert lantern["folder"] == "Programming"
    snake = feeds["https://snake.example/atom"]
    assert snake["user_title"] is None
    assert snake["folder"] == "Programming/Python"


def test_export_stdout_and_round_trip(
    db_path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "import", str(FILES / "urls"))
    before = feeds_json(capsys)

    status, out, _ = run(capsys, "export")
    assert status == 0
    assert out.startswith(
        "<?xml version='1.0' encoding='utf-8'?>\n<opml version=\"2.0\">"
    )
    exported = tmp_path / "subs.opml"
    exported.write_text(out)

    status, _, _ = run(
        capsys, "--db", str(tmp_path / "other.sqlite3"), "import", str(exported)
    )
    assert status == 0
    status, out, _ = run(
        capsys, "--db", str(tmp_path / "other.sqlite3"), "feeds", "--json"
    )
    after = json.loads(out)
    keys = ("url", "title", "folder", "user_title")
    assert [[f[k] for k in keys] for f in after] == [
        [f[k] for k in keys] for f in before
    ]


def test_export_to_file(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "import", str(FILES / "list.txt"))
    target = db_path.parent / "out.opml"

    status, out, err = run(capsys, "export", str(target))

    assert status == 0
    assert out == ""
    assert err == f"Exported 4 feeds to {target}\n"
    assert target.read_bytes().count(b"xmlUrl=") == 4


def test_export_unwritable(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "export", "/nonexistent/dir/out.opml")

    assert status == 2
    assert "cannot write /nonexistent/dir/out.opml" in err


# rename, move, folders


def test_rename_and_restore(lantern: int, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "rename", str(lantern), "My lantern")
    assert status == 0
    assert out == f"Renamed feed {lantern}: My lantern\n"
    assert feeds_json(capsys)[0]["title"] == "My lantern"

    status, out, _ = run(capsys, "rename", str(lantern), "")
    assert out == f"Restored the title of feed {lantern}: Lantern Dev Notes\n"
    assert feeds_json(capsys)[0]["user_title"] is None


def test_rename_unknown_feed(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "rename", "42", "x")

    assert status == 2
    assert err == "tidings: feed 42 not found; list feeds with 'tidings feeds'\n"


def test_move_and_folders(lantern: int, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "move", str(lantern), " Dev / Notes ")
    assert status == 0
    assert out == f"Moved feed {lantern} to folder Dev/Notes\n"

    status, out, _ = run(capsys, "folders", "--json")
    (folder,) = json.loads(out)
    assert folder["name"] == "Dev/Notes"
    assert folder["feeds"] == 1
    assert folder["unread"] == folder["total"]
    assert folder["total"] > 0

    status, out, _ = run(capsys, "folders")
    assert out.strip().endswith("Dev/Notes (1 feed)")

    status, out, _ = run(capsys, "move", str(lantern), "")
    assert out == f"Moved feed {lantern} to no folder\n"
    assert feeds_json(capsys)[0]["folder"] is None


def test_move_checks_every_id_first(
    lantern: int, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "move", str(lantern), "99", "Tech")

    assert status == 2
    assert "feed 99 not found" in err
    assert feeds_json(capsys)[0]["folder"] is None


# mark-all


def test_mark_all_and_undo(lantern: int, capsys: pytest.CaptureFixture[str]) -> None:
    total = feeds_json(capsys)[0]["total"]

    status, out, _ = run(capsys, "mark-all", "--feed", str(lantern))
    assert status == 0
    assert out == (
        f"Marked {total} entries in 1 feed read; undo with: tidings mark-all --undo\n"
    )
    assert feeds_json(capsys)[0]["unread"] == 0

    status, out, _ = run(capsys, "mark-all", "--all")
    assert out == "No unread entries to mark\n"

    status, out, _ = run(capsys, "mark-all", "--undo")
    assert out == f"Marked {total} entries in 1 feed unread again\n"
    assert feeds_json(capsys)[0]["unread"] == total

    status, out, _ = run(capsys, "mark-all", "--undo")
    assert status == 0
    assert out == "Nothing to undo\n"
    assert feeds_json(capsys)[0]["unread"] == total


def test_mark_all_folder_unknown(
    lantern: int, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "mark-all", "--folder", "Nope")

    assert status == 2
    assert err == (
        "tidings: folder 'Nope' not found; list folders with 'tidings folders'\n"
    )


def test_mark_all_needs_scope(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["mark-all"])

    assert exit_info.value.code == 2
    assert "one of the arguments --feed --folder --all --undo is required" in (
        capsys.readouterr().err
    )


# config


def test_config_path(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "config", "path")

    assert status == 0
    assert out == f"{config_path()}\n"
    assert out.startswith(str(db_path.parent / "config"))


def test_config_init_and_refuse(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "config", "init")
    assert status == 0
    assert out == f"Wrote {config_path()}\n"
    assert config_path().read_text() == default_config_text()
    tomllib.loads(config_path().read_text())

    config_path().write_text('theme = "nord"\n')
    status, _, err = run(capsys, "config", "init")
    assert status == 2
    assert "already exists; pass --force to replace it" in err
    assert config_path().read_text() == 'theme = "nord"\n'

    status, _, _ = run(capsys, "config", "init", "--force")
    assert status == 0
    assert config_path().read_text() == default_config_text()


def test_config_check(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "config", "check")
    assert status == 0
    assert out == f"{config_path()} does not exist; every setting has its default\n"

    run(capsys, "config", "init")
    status, out, _ = run(capsys, "config", "check")
    assert status == 0
    assert out == f"{config_path()}: no problems\n"

    config_path().write_text('theme = "no-such-theme"\n[keys]\n"app.qiut" = "x"\n')
    status, out, err = run(capsys, "config", "check")
    assert status == 1
    lines = out.splitlines()
    assert lines[0].startswith(
        f"{config_path()}:1: theme: unknown theme 'no-such-theme'"
    )
    assert lines[1] == (
        f'{config_path()}:3: keys."app.qiut": unknown binding id, ignored; '
        "did you mean 'app.quit'?"
    )
    assert err == "2 problems; those settings keep their defaults\n"


def test_config_init_writes_typed_keys(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "config", "init")[0] == 0
    text = config_path().read_text()

    assert '# "app.help" = "?" ' in text
    assert "question_mark" not in text
    for binding_id, info in BINDINGS.items():
        line = next(x for x in text.splitlines() if x.startswith(f'# "{binding_id}"'))
        written = tomllib.loads(line.removeprefix("# ").split("  #")[0])
        assert normalize_keys(written[binding_id]) == info.keys, binding_id
    # Every commented binding, uncommented as written, passes the check.
    bindings = tuple(f'# "{binding_id}" =' for binding_id in BINDINGS)
    uncommented = "\n".join(
        line.removeprefix("# ").split("  #")[0] if line.startswith(bindings) else line
        for line in text.splitlines()
    )
    config_path().write_text(uncommented + "\n")
    status, out, _ = run(capsys, "config", "check")
    assert status == 0, out
    assert out == f"{config_path()}: no problems\n"


def test_config_check_terminal_keys(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(
        '[keys]\n"app.search" = "ctrl+j"\n"app.help" = "ctrl+i,f1"\n'
    )

    status, out, err = run(capsys, "config", "check")

    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == (
        f'{config_path()}: keys."app.search": warning: Ctrl+J sends a line feed, '
        "which some terminals also send for Enter, so the key may not reach tidings"
    )
    assert lines[1].startswith(
        f'{config_path()}: keys."app.help": warning: Ctrl+I sends the same byte as Tab'
    )
    assert lines[2] == f"{config_path()}: no problems"


def test_config_check_hints_and_position(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text('them = "nord"\n[refresh]\nconcurency = 4\n')

    status, out, _ = run(capsys, "config", "check")

    assert status == 1
    assert out.splitlines() == [
        f"{config_path()}:1: them: unknown setting, ignored; did you mean 'theme'?",
        f"{config_path()}:3: refresh.concurency: unknown setting, ignored; "
        "did you mean 'concurrency'?",
    ]

    config_path().write_text('theme = "nord"\ndate_format = \n')
    status, out, _ = run(capsys, "config", "check")
    assert status == 1
    assert out.startswith(f"{config_path()}:2:15: invalid TOML: ")
