"""The user's settings, read from ``config.toml`` in the user config dir.

``load_config`` never fails on a bad file: every problem becomes a
``ConfigProblem`` naming the file, line and key, and the setting it
concerns keeps its default, so the reader still starts.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from reader.config_checks import (
    OPTIONS,
    READING_THEME,
    TABLES,
    check_keys,
    check_value,
    suggest,
)
from reader.config_lines import find_line, format_key, syntax_error_position
from reader.paths import config_dir
from reader.sort_order import SortOrder

CONFIG_ENV = "TIDINGS_CONFIG"

__all__ = [
    "CONFIG_ENV",
    "READING_THEME",
    "ConfigProblem",
    "LoadedConfig",
    "Settings",
    "config_path",
    "load_config",
    "parse_config",
]


@dataclass(frozen=True)
class Settings:
    """Every setting tidings reads from ``config.toml``, with its default.

    ``reader.cli_tui`` hands them to the TUI, which applies the theme,
    browser, keys, date format, entry order, refresh limits and
    auto-refresh interval. ``tidings refresh`` and the TUI's refreshes apply
    the retention unless ``--keep-days`` overrides it.
    """

    theme: str = "textual-dark"
    """Colour theme: a Textual theme name, or "tidings" for the reading theme."""
    date_format: str = "%Y-%m-%d"
    """strftime pattern for entry dates in lists."""
    entry_sort: SortOrder = "date"
    """Order of entry lists at start: "date" (newest first) or "title"
    (A to Z, ignoring ASCII case); ``S`` switches it in the reader."""
    browser: str = ""
    """Command that opens a link, with ``{url}`` where the URL goes; empty
    uses $BROWSER, else the system's default browser."""
    refresh_concurrency: int = 32
    """Feeds fetched at the same time during a refresh."""
    refresh_per_host: int = 4
    """Requests in flight to one host at the same time."""
    refresh_interval_minutes: int = 0
    """Minutes between automatic refreshes while the reader runs; 0 is off."""
    retention_days: int = 90
    """Days a read, unstarred entry that its feed no longer lists stays in
    the cache; 0 keeps every entry. Equals ``reader.retention``'s default."""
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Remapped keys by binding id, in Textual's key names ("ctrl+j,down")."""

    @property
    def retention(self) -> timedelta | None:
        """``retention_days`` as the store takes it: None keeps every entry."""
        return timedelta(days=self.retention_days) if self.retention_days else None


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One invalid part of a config file; its setting keeps the default."""

    path: Path
    line: int | None
    """1-based line of the problem, when it could be found."""
    key: str | None
    """Dotted key the problem concerns, such as ``refresh.concurrency``."""
    message: str
    column: int | None = None
    """1-based column of a TOML syntax error; None for other problems."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        if self.line and self.column:
            where += f":{self.column}"
        return (
            f"{where}: {self.key}: {self.message}"
            if self.key
            else (f"{where}: {self.message}")
        )


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    """Settings read from a file, with the problems found in it."""

    path: Path
    settings: Settings
    problems: tuple[ConfigProblem, ...] = ()
    exists: bool = True
    """False when there was no file, so every setting is a default."""


def config_path() -> Path:
    """Return the config file path: ``TIDINGS_CONFIG`` if set, else
    ``config.toml`` in the user config dir."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return config_dir() / "config.toml"


def load_config(
    path: Path | None = None, *, themes: Collection[str] | None = None
) -> LoadedConfig:
    """Read settings from ``path`` (default: ``config_path()``).

    ``themes`` lists the theme names the caller can show; without it any
    theme name is accepted. A missing file gives the defaults.
    """
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadedConfig(path, Settings(), exists=False)
    except (OSError, UnicodeDecodeError) as error:
        reason = f"cannot read the file ({error}); using every default"
        return LoadedConfig(
            path, Settings(), (ConfigProblem(path, None, None, reason),)
        )
    return parse_config(text, path, themes=themes)


def parse_config(
    text: str, path: Path, *, themes: Collection[str] | None = None
) -> LoadedConfig:
    """Build settings from the TOML ``text`` of the file at ``path``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, column, reason = syntax_error_position(error)
        problem = ConfigProblem(
            path, line, None, f"invalid TOML: {reason}; using every default", column
        )
        return LoadedConfig(path, Settings(), (problem,))
    reader = _Reader(path, text, themes)
    settings = reader.read(data)
    problems = sorted(reader.problems, key=lambda p: p.line or len(text))
    return LoadedConfig(path, settings, tuple(problems))


class _Reader:
    """Collects valid values and problems while walking the parsed TOML."""

    def __init__(self, path: Path, text: str, themes: Collection[str] | None) -> None:
        self.path = path
        self.text = text
        self.themes = themes
        self.problems: list[ConfigProblem] = []

    def report(self, key_path: tuple[str, ...], message: str) -> None:
        line = find_line(self.text, key_path)
        problem = ConfigProblem(self.path, line, format_key(key_path), message)
        self.problems.append(problem)

    def read(self, data: Mapping[str, Any]) -> Settings:
        values: dict[str, Any] = {}
        for name, value in data.items():
            if (name,) in OPTIONS:
                self._read_option((name,), value, values)
            elif name in TABLES:
                self._read_table(name, value, values)
            else:
                self._unknown((name,), [*(p[0] for p in OPTIONS), *TABLES])
        return replace(Settings(), **values)

    def _read_table(self, name: str, table: Any, values: dict[str, Any]) -> None:
        if not isinstance(table, dict):
            self.report((name,), f"must be a table ([{name}]); ignoring it")
            return
        if name == "keys":
            keymap = check_keys(table, self.report)
            values["keys"] = MappingProxyType(keymap)
            return
        known = [path[1] for path in OPTIONS if path[0] == name]
        for key, value in table.items():
            if (name, key) in OPTIONS:
                self._read_option((name, key), value, values)
            else:
                self._unknown((name, key), known)

    def _read_option(
        self, key_path: tuple[str, ...], value: Any, values: dict[str, Any]
    ) -> None:
        option = OPTIONS[key_path]
        error = check_value(option, value, self.themes)
        if error is None:
            values[option.field] = value
            return
        default = getattr(Settings(), option.field)
        self.report(key_path, f"{error}; using the default, {default!r}")

    def _unknown(self, key_path: tuple[str, ...], known: list[str]) -> None:
        hint = suggest(key_path[-1], known)
        self.report(key_path, f"unknown setting, ignored{hint}")
