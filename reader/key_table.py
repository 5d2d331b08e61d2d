"""The README's key table, built from the binding table of ``config_keys``."""

from __future__ import annotations

import sys
from pathlib import Path

from reader.config_keys import BINDINGS, key_label

SCOPE_NAMES = {
    "app": "anywhere",
    "feeds": "feed list",
    "entries": "entry list",
    "article": "article",
    "help": "help screen",
    "filter": "filter prompt",
    "search": "search screen",
    "confirm": "yes/no question",
    "dialog": "prompt or choice",
}
"""Pane names the README uses for each binding scope."""


def key_table_markdown() -> str:
    """Return a Markdown table of every binding: keys, where, id, action."""
    rows = ["| keys | where | binding id | action |", "| --- | --- | --- | --- |"]
    for binding_id, info in BINDINGS.items():
        keys = ", ".join(f"`{key_label(key)}`" for key in info.keys.split(","))
        keys = keys.replace("`|`", "`\\|`")
        rows.append(
            f"| {keys} | {SCOPE_NAMES[info.scope]} | `{binding_id}` "
            f"| {info.description} |"
        )
    return "\n".join(rows) + "\n"


START_MARKER = "<!-- keys:start -->"
END_MARKER = "<!-- keys:end -->"


def replace_key_table(text: str) -> str:
    """Return ``text`` with the part between the key table markers replaced
    by the current table. Raises ValueError when a marker is missing."""
    start = text.index(START_MARKER) + len(START_MARKER)
    end = text.index(END_MARKER)
    return f"{text[:start]}\n{key_table_markdown()}{text[end:]}"


def main(argv: list[str]) -> int:
    """Rewrite the key table of the Markdown file named by ``argv[1]``."""
    path = Path(argv[1])
    path.write_text(replace_key_table(path.read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
