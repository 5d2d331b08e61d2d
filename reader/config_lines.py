"""Find the line of a key in TOML text, for messages about a config file.

tomllib reports positions only for syntax errors, so the line of a key
with an invalid value comes from a light scan of table headers and
``key =`` lines. Keys inside multi-line strings or inline tables are not
found; the message then names the key without a line.
"""

from __future__ import annotations

import re
import tomllib

_BARE_OR_QUOTED = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_TABLE_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY_LINE = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_BARE_OR_QUOTED)
_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def split_key(dotted: str) -> tuple[str, ...]:
    """Split a dotted TOML key into its parts, unquoting quoted parts."""
    parts = []
    for match in _PART.finditer(dotted):
        part = match.group(0)
        if part[0] in "\"'":
            part = tomllib.loads(f"k = {part}")["k"]
        parts.append(part)
    return tuple(parts)


def format_key(key_path: tuple[str, ...]) -> str:
    """Join key parts into a dotted key, quoting parts that need it."""
    return ".".join(
        part if _BARE_KEY.fullmatch(part) else f'"{part}"' for part in key_path
    )


def find_line(text: str, key_path: tuple[str, ...]) -> int | None:
    """Return the 1-based line that defines ``key_path``, or None."""
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_HEADER.match(line)
        if header:
            table = split_key(header.group(1))
            if table == key_path:
                return number
            continue
        key = _KEY_LINE.match(line)
        if key and table + split_key(key.group(1)) == key_path:
            return number
    return None


def syntax_error_position(
    error: tomllib.TOMLDecodeError,
) -> tuple[int | None, int | None, str]:
    """Return the 1-based line and column of a TOML syntax error and its
    message without the position, which Python 3.11 gives only inside the
    message text."""
    message = str(error)
    match = _POSITION.search(message)
    if match:
        reason = message[: match.start()].strip()
        return int(match.group(1)), int(match.group(2)), reason
    return None, None, message
