"""Config: defaults, the default file, remapped keys and every kind of error."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from textual.binding import Binding

from reader.cli import main as cli_main
from reader.config import (
    CONFIG_ENV,
    ConfigProblem,
    LoadedConfig,
    Settings,
    config_path,
    load_config,
    parse_config,
)
from reader.config_keys import BINDINGS, character_key, normalize_keys
from reader.config_template import default_config_text
from reader.retention import DEFAULT_RETENTION
from reader.tui.app import TidingsApp
from reader.tui.article import ArticleView
from reader.tui.dialogs import ChoiceScreen, ConfirmScreen, TextPrompt
from reader.tui.entry_list import EntryList
from reader.tui.feed_list import FeedList
from reader.tui.filter_bar import FilterBar
from reader.tui.help import HelpScreen
from reader.tui.search_screen import SearchScreen

THEMES = {"textual-dark", "textual-light", "nord"}
CONFIG = Path("/home/ada/.config/tidings/config.toml")


def parse(text: str, themes: set[str] | None = THEMES) -> LoadedConfig:
    return parse_config(text, CONFIG, themes=themes)


def only_problem(text: str) -> ConfigProblem:
    problems = parse(text).problems
    assert len(problems) == 1, problems
    return problems[0]


# Defaults and the default file


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")

    assert config.settings == Settings()
    assert config.problems == ()
    assert not config.exists


def test_defaults() -> None:
    settings = Settings()

    assert settings.theme == "textual-dark"
    assert settings.date_format == "%Y-%m-%d"
    assert settings.browser == ""
    assert settings.refresh_concurrency == 32
    assert settings.refresh_per_host == 4
    assert settings.refresh_interval_minutes == 0
    assert settings.retention_days == DEFAULT_RETENTION.days == 90
    assert settings.entry_sort == "date"
    assert dict(settings.keys) == {}


def test_default_file_parses_to_defaults() -> None:
    config = parse(default_config_text())

    assert config.problems == ()
    assert config.settings == Settings()


def test_default_file_keys_uncommented_are_valid() -> None:
    text = re.sub(r'^# ("[a-z_.]+" = )', r"\1", default_config_text(), flags=re.M)

    config = parse(text)

    assert config.problems == ()
    assert dict(config.settings.keys) == {
        binding_id: info.keys for binding_id, info in BINDINGS.items()
    }


def test_default_file_comments_every_setting() -> None:
    lines = default_config_text().splitlines()

    for number, line in enumerate(lines):
        if re.match(r"^[a-z_]+ = ", line):
            assert lines[number - 1].startswith("# "), line
    assert sum(1 for line in lines if re.match(r"^[a-z_]+ = ", line)) == 8


def test_config_path_under_config_home(db_path: Path) -> None:
    assert config_path() == db_path.parent / "config" / "tidings" / "config.toml"


def test_config_path_env_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "elsewhere.toml"))

    assert config_path() == tmp_path / "elsewhere.toml"


def test_settings_read() -> None:
    config = parse(
        'theme = "nord"\n'
        'date_format = "%d %b %Y"\n'
        'entry_sort = "title"\n'
        'browser = "firefox --new-tab {url}"\n'
        "[refresh]\nconcurrency = 4\nper_host = 1\ninterval_minutes = 30\n"
        "[cache]\nretention_days = 30\n"
    )

    assert config.problems == ()
    assert config.settings == Settings(
        theme="nord",
        date_format="%d %b %Y",
        entry_sort="title",
        browser="firefox --new-tab {url}",
        refresh_concurrency=4,
        refresh_per_host=1,
        refresh_interval_minutes=30,
        retention_days=30,
    )


def test_unknown_entry_sort_keeps_date() -> None:
    problem = only_problem('entry_sort = "newest"\n')

    assert problem.line == 1
    assert problem.key == "entry_sort"
    assert "unknown order 'newest'; use 'date' or 'title'" in problem.message
    assert parse('entry_sort = "newest"\n').settings.entry_sort == "date"


def test_reading_theme_always_accepted() -> None:
    assert parse('theme = "tidings"').settings.theme == "tidings"


# Keys


def test_remapped_keys_normalized() -> None:
    config = parse(
        "[keys]\n"
        '"entry.toggle_read" = "x"\n'
        '"app.help" = "?, f1"\n'
        '"entry.next_unread" = "ctrl+n,F5"\n'
    )

    assert config.problems == ()
    assert dict(config.settings.keys) == {
        "entry.toggle_read": "x",
        "app.help": "question_mark,f1",
        "entry.next_unread": "ctrl+n,f5",
    }


def test_character_key_names() -> None:
    assert character_key("?") == "question_mark"
    assert character_key("/") == "slash"
    assert character_key("-") == "minus"
    assert character_key("G") == "G"
    assert normalize_keys("ctrl++") == "ctrl+plus"


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("", "a key is empty"),
        ("a,,b", "a key is empty"),
        ("pgdown", "unknown key 'pgdown'"),
        ("cmd+x", "unknown modifier 'cmd'"),
        ("ctrl+", "no key after its modifiers"),
    ],
)
def test_invalid_key_strings(keys: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalize_keys(keys)


def test_swapped_keys_do_not_clash() -> None:
    config = parse('[keys]\n"entry.toggle_read" = "s"\n"entry.toggle_starred" = "m"\n')

    assert config.problems == ()
    assert dict(config.settings.keys) == {
        "entry.toggle_read": "s",
        "entry.toggle_starred": "m",
    }


def test_same_key_in_other_panes_allowed() -> None:
    config = parse('[keys]\n"feed.select" = "x"\n"article.page_down" = "x"\n')

    assert config.problems == ()


# Broken files: each kind of error


def test_bad_toml_names_file_and_line() -> None:
    problem = only_problem('theme = "nord"\n\n[refresh\nconcurrency = 4\n')

    assert problem.line == 3
    assert problem.column == 9
    assert str(problem).startswith(f"{CONFIG}:3:9: invalid TOML: ")
    assert str(problem).endswith("using every default")


def test_bad_toml_gives_all_defaults() -> None:
    config = parse('theme = "nord"\ndate_format = \n')

    assert config.settings == Settings()
    assert config.problems[0].line == 2


def test_unknown_key_with_suggestion() -> None:
    problem = only_problem("[refresh]\nconcurency = 4\n")

    assert str(problem) == (
        f"{CONFIG}:2: refresh.concurency: unknown setting, ignored; "
        "did you mean 'concurrency'?"
    )


def test_unknown_table() -> None:
    problem = only_problem('theme = "nord"\n[colours]\nbackground = "black"\n')

    assert problem.line == 2
    assert problem.key == "colours"
    assert "unknown setting" in problem.message


def test_wrong_type() -> None:
    problem = only_problem('[refresh]\nconcurrency = "8"\n')

    assert str(problem) == (
        f"{CONFIG}:2: refresh.concurrency: must be an integer, not a string "
        "('8'); using the default, 32"
    )


def test_boolean_is_not_integer() -> None:
    problem = only_problem("[cache]\nretention_days = true\n")

    assert "must be an integer, not a boolean" in problem.message


def test_table_expected() -> None:
    problem = only_problem("refresh = 4\n")

    assert (
        str(problem) == f"{CONFIG}:1: refresh: must be a table ([refresh]); ignoring it"
    )


def test_unknown_binding_id() -> None:
    problem = only_problem('[keys]\n"entry.toggle_raed" = "x"\n')

    assert problem.line == 2
    assert problem.key == 'keys."entry.toggle_raed"'
    assert problem.message == (
        "unknown binding id, ignored; did you mean 'entry.toggle_read'?"
    )


def test_invalid_key_name() -> None:
    problem = only_problem('[keys]\n"app.quit" = "ctrl+qq"\n')

    assert str(problem) == (
        f"{CONFIG}:2: keys.\"app.quit\": unknown key 'qq' in 'ctrl+qq'; "
        "using the default, 'q'"
    )


def test_key_value_wrong_type() -> None:
    problem = only_problem('[keys]\n"app.quit" = ["q"]\n')

    assert problem.message == "must be a string of keys, not an array"


def test_clashing_key_falls_back() -> None:
    config = parse('[keys]\n"entry.toggle_read" = "j"\n"app.quit" = "x"\n')

    (problem,) = config.problems
    assert problem.line == 2
    assert problem.message == (
        "key 'j' is also bound to 'feed.cursor_down', and only one of them can "
        "have it; using the default, 'm'"
    )
    assert dict(config.settings.keys) == {"app.quit": "x"}


def test_clash_after_fallback_reported() -> None:
    # toggle_read falls back to "m", which the second remap took.
    config = parse('[keys]\n"entry.toggle_read" = "s"\n"entry.open_link" = "m"\n')

    assert [p.key for p in config.problems] == [
        'keys."entry.toggle_read"',
        'keys."entry.open_link"',
    ]
    assert dict(config.settings.keys) == {}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[refresh]\nper_host = 0", "must be 1 or more, not 0; using the default, 4"),
        (
            "[refresh]\ninterval_minutes = -5",
            "must be 0 or more, not -5; using the default, 0",
        ),
        ('theme = "solarised"', "unknown theme 'solarised'; choose one of nord,"),
        ('theme = "nordd"', "unknown theme 'nordd'; did you mean 'nord'?"),
        ('theme = " "', "is empty"),
        ('date_format = "YYYY-MM-DD"', "has no strftime code"),
        ('date_format = "%Y\\n%m"', "control characters"),
        ('browser = "firefox"', "has no {url}"),
        ('browser = "firefox \'{url}"', "cannot split"),
        ('browser = "  "', "is blank"),
    ],
)
def test_invalid_values(line: str, message: str) -> None:
    problem = only_problem(line + "\n")

    assert message in problem.message
    assert problem.line == line.count("\n") + 1


def test_valid_parts_kept_beside_invalid() -> None:
    config = parse(
        'theme = "nord"\n[refresh]\nconcurrency = -1\nper_host = 2\n'
        '[keys]\n"app.quit" = "x"\n"nope" = "y"\n'
    )

    assert [p.line for p in config.problems] == [3, 7]
    assert config.settings.theme == "nord"
    assert config.settings.refresh_concurrency == 32
    assert config.settings.refresh_per_host == 2
    assert dict(config.settings.keys) == {"app.quit": "x"}


def test_any_theme_without_theme_list() -> None:
    assert parse('theme = "anything"', themes=None).problems == ()


def test_unreadable_files(tmp_path: Path) -> None:
    directory = tmp_path / "config.toml"
    directory.mkdir()
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'theme = "caf\xe9"\n')

    for path in (directory, latin1):
        config = load_config(path)
        (problem,) = config.problems
        assert str(problem).startswith(f"{path}: cannot read the file")
        assert config.settings == Settings()


def test_dotted_keys_found() -> None:
    problem = only_problem("refresh.per_host = 0\n")

    assert problem.line == 1
    assert problem.key == "refresh.per_host"


# The TUI's bindings and the welcome feed


def _tui_bindings() -> dict[str, tuple[str, str]]:
    sections = {
        "app": TidingsApp.BINDINGS,
        "feeds": FeedList.BINDINGS,
        "entries": EntryList.BINDINGS,
        "article": ArticleView.BINDINGS,
        "help": HelpScreen.BINDINGS,
        "filter": FilterBar.BINDINGS,
        "search": SearchScreen.BINDINGS,
        "confirm": ConfirmScreen.BINDINGS,
        "dialog": TextPrompt.BINDINGS,
    }
    found = {}
    for scope, bindings in sections.items():
        for binding in bindings:
            assert isinstance(binding, Binding)
            assert binding.id is not None, binding
            found[binding.id] = (scope, normalize_keys(binding.key))
    return found


def test_binding_table_matches_tui() -> None:
    table = {bid: (info.scope, info.keys) for bid, info in BINDINGS.items()}

    # A failure here means a binding was added or changed in reader/tui/;
    # mirror it in reader/config_keys.py so the config can remap it.
    assert table == _tui_bindings()
    assert ChoiceScreen.BINDINGS == TextPrompt.BINDINGS


def test_welcome_config_snippet_valid() -> None:
    text = (Path(__file__).parents[1] / "reader" / "data" / "welcome.xml").read_text()
    match = re.search(
        r'<pre><code class="language-toml">(.*?)</code></pre>', text, re.S
    )
    assert match is not None
    snippet = match.group(1).replace("&lt;", "<").replace("&gt;", ">")
    snippet = snippet.replace("&amp;", "&")

    config = parse(snippet)

    assert config.problems == ()
    assert tomllib.loads(snippet)["keys"]
    assert config.settings != Settings()


def test_config_modules_do_not_import_textual() -> None:
    modules = "reader.config, reader.config_template, reader.opml, reader.subscriptions"
    code = (
        f"import {modules}, reader.browser, reader.cli_tui, sys; "
        "print(sorted(m for m in sys.modules if m.startswith('textual')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert output.strip() == "[]"


# Retention from the config, applied by refreshes


def rss_items(*items: tuple[str, datetime]) -> bytes:
    """Return an RSS document with one item per (guid, date)."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>Item {guid}</title>"
        f"<pubDate>{format_datetime(date, usegmt=True)}</pubDate></item>"
        for guid, date in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Aging</title>'
        f"{body}</channel></rss>"
    ).encode()


EVERY_ITEM = ["Item a", "Item b", "Item c", "Item d"]


def listed_titles(capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert cli_main(["entries", "--json"]) == 0
    return sorted(entry["title"] for entry in json.loads(capsys.readouterr().out))


@pytest.mark.parametrize(
    ("config", "options", "kept"),
    [
        ("[cache]\nretention_days = 30\n", [], ["Item c", "Item d"]),
        ("[cache]\nretention_days = 0\n", [], EVERY_ITEM),
        ("", [], ["Item b", "Item c", "Item d"]),
        ("[cache]\nretention_days = 30\n", ["--keep-days", "0"], EVERY_ITEM),
        ("[cache]\nretention_days = 0\n", ["--keep-days", "100"], EVERY_ITEM[1:]),
        ("[cache]\nretention_days = -3\n", [], ["Item b", "Item c", "Item d"]),
    ],
)  # fmt: skip
def test_refresh_prunes_by_config_retention(
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config: str,
    options: list[str],
    kept: list[str],
) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(config)
    monkeypatch.setenv(CONFIG_ENV, str(config_file))
    now = datetime.now(UTC)
    feed = tmp_path / "aging.xml"
    ages = {"a": 200, "b": 60, "c": 10}
    feed.write_bytes(
        rss_items(*((g, now - timedelta(days=d)) for g, d in ages.items()))
    )
    assert cli_main(["add", str(feed)]) == 0
    capsys.readouterr()
    assert cli_main(["entries", "--json"]) == 0
    ids = [str(entry["id"]) for entry in json.loads(capsys.readouterr().out)]
    assert cli_main(["mark", *ids, "--read"]) == 0
    # The feed stops listing a, b and c, so only their age keeps them.
    feed.write_bytes(rss_items(("d", now)))

    assert cli_main([*options, "refresh"]) == 0

    err = capsys.readouterr().err
    assert listed_titles(capsys) == kept
    if "-3" in config:
        assert "cache.retention_days: must be 0 or more" in err


def test_refresh_defaults_match_update() -> None:
    from reader import update

    settings = Settings()
    assert settings.refresh_concurrency == update.DEFAULT_CONCURRENCY == 32
    assert settings.refresh_per_host == update.PER_HOST_LIMIT == 4
