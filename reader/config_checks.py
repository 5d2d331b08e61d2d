"""The settings ``config.toml`` may hold and the checks on their values."""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reader.config_keys import BINDINGS, clashes, normalize_keys
from reader.sort_order import SORT_ORDERS

READING_THEME = "tidings"
"""Name of the theme tuned for reading that the TUI registers."""

Report = Callable[[tuple[str, ...], str], None]
"""Records a problem: the key path and the message."""


@dataclass(frozen=True, slots=True)
class Option:
    """One setting: the ``Settings`` field it fills and its value's type."""

    field: str
    kind: type
    minimum: int | None = None
    """Smallest valid value of an integer setting."""


OPTIONS: dict[tuple[str, ...], Option] = {
    ("theme",): Option("theme", str),
    ("date_format",): Option("date_format", str),
    ("entry_sort",): Option("entry_sort", str),
    ("browser",): Option("browser", str),
    ("refresh", "concurrency"): Option("refresh_concurrency", int, 1),
    ("refresh", "per_host"): Option("refresh_per_host", int, 1),
    ("refresh", "interval_minutes"): Option("refresh_interval_minutes", int, 0),
    ("cache", "retention_days"): Option("retention_days", int, 0),
}

TABLES = ("refresh", "cache", "keys")
"""Tables of ``config.toml``; ``[keys]`` maps binding ids to keys."""

_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a float",
    bool: "a boolean",
    list: "an array",
    dict: "a table",
}


def type_name(value: Any) -> str:
    """Return the TOML name of a parsed value's type, with an article."""
    for kind, name in _TYPE_NAMES.items():
        if type(value) is kind:
            return name
    return "a date or time"


def suggest(name: str, known: Iterable[str]) -> str:
    """Return "; did you mean X?" for a close known name, else ""."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _is_exactly(value: Any, kind: type) -> bool:
    # True is an int to isinstance(), but not a valid integer setting.
    return type(value) is kind


def check_value(
    option: Option, value: Any, themes: Collection[str] | None
) -> str | None:
    """Return why ``value`` is invalid for ``option``, or None if it is valid."""
    if not _is_exactly(value, option.kind):
        wanted = _TYPE_NAMES[option.kind]
        return f"must be {wanted}, not {type_name(value)} ({value!r})"
    if option.minimum is not None and value < option.minimum:
        return f"must be {option.minimum} or more, not {value}"
    check = _STRING_CHECKS.get(option.field)
    return None if check is None else check(value, themes)


def _check_theme(value: str, themes: Collection[str] | None) -> str | None:
    if not value.strip():
        return "is empty; name a theme such as 'textual-dark'"
    if themes is None or value in themes or value == READING_THEME:
        return None
    names = sorted({*themes, READING_THEME})
    hint = suggest(value, names) or f"; choose one of {', '.join(names)}"
    return f"unknown theme {value!r}{hint}"


def _check_date_format(value: str, themes: Collection[str] | None) -> str | None:
    if "%" not in value:
        return f"{value!r} has no strftime code; use one such as '%Y-%m-%d'"
    try:
        shown = datetime(2026, 1, 2, 3, 4, 5).strftime(value)
    except ValueError as error:
        return f"{value!r} is not a valid strftime pattern ({error})"
    if not shown.isprintable():
        return f"{value!r} formats dates with control characters"
    return None


def _check_browser(value: str, themes: Collection[str] | None) -> str | None:
    if not value:
        return None
    try:
        words = shlex.split(value)
    except ValueError as error:
        return f"cannot split {value!r} into words ({error})"
    if not words:
        return "is blank; leave it empty to use $BROWSER"
    if not any("{url}" in word for word in words):
        return f"{value!r} has no {{url}}; write where the URL goes, e.g. 'w3m {{url}}'"
    return None


def _check_entry_sort(value: str, themes: Collection[str] | None) -> str | None:
    if value in SORT_ORDERS:
        return None
    return f"unknown order {value!r}; use {' or '.join(map(repr, SORT_ORDERS))}"


_STRING_CHECKS: dict[str, Callable[[str, Collection[str] | None], str | None]] = {
    "theme": _check_theme,
    "date_format": _check_date_format,
    "entry_sort": _check_entry_sort,
    "browser": _check_browser,
}


def check_keys(table: Mapping[str, Any], report: Report) -> dict[str, str]:
    """Return the valid remaps of a ``[keys]`` table, normalized to
    Textual's key names, and report the others."""
    keymap: dict[str, str] = {}
    for binding_id, value in table.items():
        key_path = ("keys", binding_id)
        if binding_id not in BINDINGS:
            hint = suggest(binding_id, BINDINGS)
            report(key_path, f"unknown binding id, ignored{hint}")
        elif not isinstance(value, str):
            report(key_path, f"must be a string of keys, not {type_name(value)}")
        else:
            try:
                keymap[binding_id] = normalize_keys(value)
            except ValueError as error:
                default = BINDINGS[binding_id].keys
                report(key_path, f"{error}; using the default, {default!r}")
    _drop_clashes(keymap, report)
    return keymap


def _drop_clashes(keymap: dict[str, str], report: Report) -> None:
    # Dropping a remap brings back its default keys, which can clash with
    # another remap in turn, so this repeats until nothing clashes.
    while found := clashes(keymap):
        key, binding_id, other_id = found[0]
        default = BINDINGS[binding_id].keys
        report(
            ("keys", binding_id),
            f"key {key!r} is also bound to {other_id!r}, and only one of them "
            f"can have it; using the default, {default!r}",
        )
        del keymap[binding_id]


_TERMINAL_ALIASES = {
    "ctrl+m": "Ctrl+M sends the same byte as Enter",
    "ctrl+i": "Ctrl+I sends the same byte as Tab",
    "ctrl+j": "Ctrl+J sends a line feed, which some terminals also send for Enter",
}
"""Keys that a terminal cannot tell apart from Enter or Tab, and why."""


def terminal_key_warnings(keymap: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return (binding id, warning) for each remap to a key that most
    terminals send as Enter or Tab, so the reader may never see it.

    ``keymap`` contains Textual key names, as ``check_keys`` returns them.
    """
    warnings = []
    for binding_id, keys in keymap.items():
        for key in keys.split(","):
            reason = _TERMINAL_ALIASES.get(key)
            if reason is not None:
                warnings.append(
                    (binding_id, f"{reason}, so the key may not reach tidings")
                )
    return warnings
