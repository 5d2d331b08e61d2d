"""Time a terminal program's first screen in tmux, and its peak memory.

The program runs in a detached tmux pane of a fixed size on a private tmux
server. The clock starts just before the pane starts the program and stops
at the first ``capture-pane`` whose text satisfies a test. Captures are
taken every few milliseconds, so the figure is late by up to one capture
(about 5 ms). ``/usr/bin/time`` wraps the program to report its peak RSS.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

WIDTH, HEIGHT = 120, 36
POLL = 0.003


@dataclass(frozen=True)
class FirstScreen:
    """One start of a program in tmux."""

    ms: float
    peak_rss_mb: float | None
    screen: str


class Pane:
    """A tmux server with one pane of WIDTH x HEIGHT."""

    def __init__(self) -> None:
        self.socket = f"tidings-bench-{uuid.uuid4().hex[:8]}"
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "main")
        self.tmux("set-option", "-t", "main", "window-size", "manual")
        self.tmux("resize-window", "-t", "main", "-x", str(WIDTH), "-y", str(HEIGHT))
        self.tmux("set-option", "-t", "main", "remain-on-exit", "on")

    def tmux(self, *args: str) -> str:
        """Run a tmux command on this server and return its output."""
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    def start(self, command: str) -> None:
        """Replace whatever runs in the pane with ``command``."""
        self.tmux("respawn-pane", "-k", "-t", "main", command)

    def capture(self) -> str:
        """Return the visible text of the pane."""
        return self.tmux("capture-pane", "-p", "-t", "main")

    def dead(self) -> bool:
        """Return whether the program in the pane has exited."""
        return self.tmux("display-message", "-p", "-t", "main", "#{pane_dead}") == "1\n"

    def kill(self) -> None:
        """Stop the tmux server."""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def first_screen(
    argv: list[str],
    env: Mapping[str, str],
    ready: Callable[[str], bool],
    timeout: float = 300.0,
) -> FirstScreen:
    """Start ``argv`` in a pane and time it until ``ready(screen)``; then
    press q and read the peak RSS once the program has exited."""
    pane = Pane()
    with tempfile.TemporaryDirectory() as folder:
        rss_file = Path(folder) / "rss"
        assignments = [f"{key}={value}" for key, value in env.items()]
        command = shlex.join(
            [
                *("env", "-u", "COLUMNS", "-u", "LINES", *assignments),
                *("/usr/bin/time", "-f", "%M", "-o", str(rss_file), *argv),
            ]
        )
        try:
            started = time.monotonic()
            pane.start(command)
            screen = ""
            while time.monotonic() - started < timeout:
                screen = pane.capture()
                if ready(screen):
                    break
                time.sleep(POLL)
            else:
                raise RuntimeError(f"{argv[0]}: not ready in {timeout} s:\n{screen}")
            elapsed = (time.monotonic() - started) * 1000
            pane.tmux("send-keys", "-t", "main", "q")
            deadline = time.monotonic() + 30
            while not pane.dead() and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            pane.kill()
        rss = _read_rss_mb(rss_file)
    return FirstScreen(elapsed, rss, screen)


def _read_rss_mb(path: Path) -> float | None:
    if not path.exists():
        return None
    lines = [line for line in path.read_text().splitlines() if line.strip().isdigit()]
    return int(lines[-1]) / 1024 if lines else None


def terminal_env(home: Path) -> dict[str, str]:
    """Return the environment of a program under test: a 256-colour
    terminal, UTF-8, and XDG directories under ``home``."""
    return {
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "HOME": str(home),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
