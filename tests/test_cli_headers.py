"""Plain-text listings get a header row on a terminal and none in a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

LANTERN = Path(__file__).parent / "fixtures" / "tui" / "lantern.xml"

HEADERS = {
    ("feeds",): "  ID  UNREAD/TOTAL TITLE  <URL>  [STATUS]",
    ("entries",): "    ID  DATE        N*  TITLE",
    ("search", "lantern"): "    ID  DATE        N*  TITLE  (FEED)",
    ("folders",): "UNREAD/TOTAL FOLDER (FEEDS)",
}


def tidings(cache: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "reader", "--db", str(cache), *args]


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    path = tmp_path / "cache.sqlite3"
    for args in (("add", str(LANTERN)), ("move", "1", "Tech")):
        subprocess.run(tidings(path, *args), check=True, capture_output=True)
    return path


def run_in_terminal(command: list[str]) -> list[str]:
    """Run ``command`` with stdout on a pseudo-terminal; return its lines."""
    main_fd, terminal_fd = pty.openpty()
    environment = os.environ | {"COLUMNS": "200", "TERM": "dumb"}
    process = subprocess.Popen(
        command, stdout=terminal_fd, stderr=subprocess.PIPE, env=environment
    )
    os.close(terminal_fd)
    output = b""
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # EIO: the child closed the terminal.
            break
        if not chunk:
            break
        output += chunk
    os.close(main_fd)
    assert process.wait(timeout=60) == 0
    return output.decode().replace("\r\n", "\n").splitlines()


@pytest.mark.parametrize("args", list(HEADERS))
def test_header_on_terminal(cache: Path, args: tuple[str, ...]) -> None:
    lines = run_in_terminal(tidings(cache, *args))
    assert lines[0] == HEADERS[args]
    assert len(lines) > 1
    assert lines[1].split()[0][0].isdigit()


@pytest.mark.parametrize("args", list(HEADERS))
def test_no_header_in_pipe(cache: Path, args: tuple[str, ...]) -> None:
    result = subprocess.run(
        tidings(cache, *args), capture_output=True, text=True, check=True
    )
    lines = result.stdout.splitlines()
    assert lines
    assert HEADERS[args] not in lines
    assert all(line.split()[0][0].isdigit() for line in lines)
