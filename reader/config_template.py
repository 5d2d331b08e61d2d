"""The commented default ``config.toml`` that ``tidings config init`` writes."""

from __future__ import annotations

import json

from reader.config import Settings
from reader.config_keys import BINDINGS, key_label


def _toml_string(value: str) -> str:
    # A JSON string literal is a valid TOML basic string.
    return json.dumps(value, ensure_ascii=False)


def typed_keys(keys: str) -> str:
    """Return Textual key names as a user types them: "question_mark" is "?".

    A comma key keeps its name "comma", since a "," would read as the
    separator of the list.
    """
    labels = [key if key == "comma" else key_label(key) for key in keys.split(",")]
    return ",".join(labels)


def default_config_text() -> str:
    """Return a config file that sets every default, one comment per setting,
    and lists every binding id commented out with its default keys."""
    defaults = Settings()
    lines = [
        "# tidings configuration. Every value below is the default; change",
        "# what you need and delete the rest. Check this file with:",
        "#   tidings config check",
        "",
        "# Colour theme: any Textual theme (textual-dark, textual-light, nord,",
        '# gruvbox, dracula, tokyo-night, ...) or "tidings", tuned for reading.',
        f"theme = {_toml_string(defaults.theme)}",
        "",
        "# How entry dates are shown in lists, as a strftime pattern.",
        f"date_format = {_toml_string(defaults.date_format)}",
        "",
        '# Order of entry lists at start: "date" (newest first) or "title" (A to Z).',
        "# S switches between them in the reader.",
        f"entry_sort = {_toml_string(defaults.entry_sort)}",
        "",
        "# Command that opens links, with {url} where the URL goes, for example",
        '# "firefox --new-tab {url}". Empty: $BROWSER, else the default browser.',
        f"browser = {_toml_string(defaults.browser)}",
        "",
        "[refresh]",
        "# Feeds fetched at the same time.",
        f"concurrency = {defaults.refresh_concurrency}",
        "# Requests in flight to one host at the same time.",
        f"per_host = {defaults.refresh_per_host}",
        "# Minutes between automatic refreshes while the reader runs; 0 is off.",
        f"interval_minutes = {defaults.refresh_interval_minutes}",
        "",
        "[cache]",
        "# Days a read, unstarred entry that its feed no longer lists stays in",
        "# the cache; 0 keeps every entry. The --keep-days option overrides it.",
        f"retention_days = {defaults.retention_days}",
        "",
        "[keys]",
        "# Remap a key by its binding id. A value lists one or more keys,",
        '# separated by commas: "j,down", "ctrl+n", "?", "f5". Keys a pane binds',
        "# hide the same keys bound for the whole app while that pane is focused.",
    ]
    for binding_id, info in BINDINGS.items():
        setting = f"{_toml_string(binding_id)} = {_toml_string(typed_keys(info.keys))}"
        lines.append(f"# {setting:<48} # {info.scope}: {info.description}")
    return "\n".join(lines) + "\n"
