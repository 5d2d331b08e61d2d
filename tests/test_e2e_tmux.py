"""End to end in a real terminal: the real feed over HTTP, read in tmux.

tidings fills its cache from a local HTTP server, then runs under tmux; the
screen must show the feed, its entries and a highlighted code block. After
the server is gone, a fresh start must show the same from the cache.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pygments.lexers import get_lexer_by_name
from pygments.token import Token

from reader.convert import html_to_markdown
from reader.parse import parse_feed
from tests.support import StaticServer, TmuxSession, require_tmux

pytestmark = pytest.mark.e2e

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SGR_OR_CHAR = re.compile(r"\x1b\[[0-9;]*m|.", re.DOTALL)
FOREGROUND = re.compile(r"38;[25](?:;[0-9]+)+")


def _first_code_line(html: str, base_url: str) -> str:
    """Return the first line of the entry's first code block that Pygments
    splits into two or more kinds of token, so it must show two colours."""
    tokens = MarkdownIt("commonmark").parse(html_to_markdown(html, base_url))
    fence = next(token for token in tokens if token.type == "fence" and token.info)
    lexer = get_lexer_by_name(fence.info.split()[0])
    for line in fence.content.splitlines():
        kinds = {
            kind
            for kind, value in lexer.get_tokens(line)
            if value.strip() and kind not in Token.Text
        }
        if len(kinds) >= 2 and len(line) < 60:
            return line.strip()
    raise AssertionError("no code line with two kinds of token")


def _tidings(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _start(db: Path, tmp_path: Path) -> TmuxSession:
    env = {
        "TIDINGS_DB": str(db),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    session = TmuxSession([sys.executable, "-m", "reader"], env, 120, 36)
    session.run()
    return session


def _scroll_to(session: TmuxSession, text: str, max_presses: int = 200) -> int:
    """Press j in the article until ``text`` is on screen; return its row."""
    for _ in range(max_presses):
        rows = session.capture().splitlines()
        for number, row in enumerate(rows):
            if text in row:
                return number
        session.send("j")
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never scrolled into view")


def _colors_of(session: TmuxSession, text: str) -> set[str]:
    """Return the foreground colours of the visible characters of ``text``.

    The row is found in the same capture that gives the colours, because a
    key still in flight may scroll the screen between two captures.
    """
    for escaped in session.capture(escapes=True).splitlines():
        tokens = SGR_OR_CHAR.findall(escaped)
        plain = "".join(token for token in tokens if not token.startswith("\x1b"))
        if text in plain:
            break
    else:
        raise AssertionError(f"{text!r} not on screen")
    start = plain.index(text)
    end = start + len(text)
    colors: set[str] = set()
    current = "default"
    column = 0
    for token in tokens:
        if token.startswith("\x1b"):
            color = FOREGROUND.search(token)
            current = color.group(0) if color else current
            continue
        if start <= column < end and not token.isspace():
            colors.add(current)
        column += 1
    return colors


def test_seed_read_in_tmux(seed_feed_path: Path, tmp_path: Path) -> None:
    require_tmux()
    body = seed_feed_path.read_bytes()
    server = StaticServer({"/feed.xml": (body, "application/atom+xml")})
    db = tmp_path / "cache.sqlite3"
    url = server.url("/feed.xml")
    parsed = parse_feed(body, url)
    newest = max(parsed.entries, key=lambda entry: entry.published or EPOCH)
    code_line = _first_code_line(newest.content, newest.link or url)

    try:
        added = _tidings(db, "add", url)
        assert added.returncode == 0, added.stderr
    finally:
        server.stop()

    session = _start(db, tmp_path)
    try:
        screen = session.wait_for(parsed.title)
        for entry in parsed.entries[:5]:
            assert entry.title[:40] in screen, entry.title

        session.send("Enter")
        session.wait_for(newest.link or newest.title)
        session.send("Tab")
        _scroll_to(session, code_line)
        assert len(_colors_of(session, code_line)) >= 2
    finally:
        session.kill()

    # The server is stopped: a fresh start reads everything from the cache.
    session = _start(db, tmp_path)
    try:
        screen = session.wait_for(parsed.title)
        assert newest.title[:40] in screen
        session.send("Enter")
        session.wait_for(newest.link or newest.title)
        session.send("Tab")
        _scroll_to(session, code_line)
        assert len(_colors_of(session, code_line)) >= 2
        listed = _tidings(db, "feeds")
        assert "error" not in listed.stdout
    finally:
        session.kill()
