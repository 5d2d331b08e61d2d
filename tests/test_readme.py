"""The README's key table and config reference match the code."""

from __future__ import annotations

import re
from pathlib import Path

from reader.config import Settings, parse_config
from reader.config_checks import OPTIONS
from reader.key_table import END_MARKER, START_MARKER, key_table_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_key_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index(START_MARKER) + len(START_MARKER)
    table = text[start : text.index(END_MARKER)]

    # On failure run: .venv/bin/python -m reader.key_table README.md
    assert table == "\n" + key_table_markdown()


def test_config_reference_lists_every_setting() -> None:
    text = README.read_text(encoding="utf-8")
    defaults = Settings()
    for key_path, option in OPTIONS.items():
        name = ".".join(key_path)
        default = getattr(defaults, option.field)
        shown = f'"{default}"' if isinstance(default, str) else str(default)
        row = f"| `{name}` | `{shown}` |"
        assert row in text, name


def test_config_example_is_valid() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"```toml\n(.*?)```", text, re.S)
    assert match is not None
    config = parse_config(match.group(1), Path("config.toml"))
    assert config.problems == ()
    assert config.settings.theme == "tidings"
    assert config.settings.keys["feed.mark_all_read"] == "ctrl+a"
