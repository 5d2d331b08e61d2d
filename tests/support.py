"""Test helpers: a static HTTP server on 127.0.0.1 and a tmux session."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class StaticServer:
    """Serve fixed bodies by path from 127.0.0.1 on a free port."""

    def __init__(self, routes: Mapping[str, tuple[bytes, str]]) -> None:
        routes = dict(routes)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                route = routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                body, content_type = route
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        """Return the absolute URL of ``path`` on this server."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def require_tmux() -> str:
    """Return the tmux path, or skip (fail under TIDINGS_REQUIRE_TMUX=1)."""
    path = shutil.which("tmux")
    if path:
        return path
    reason = "tmux not found on PATH; install it (apt-get install tmux)"
    if os.environ.get("TIDINGS_REQUIRE_TMUX") == "1":
        pytest.fail(reason + " (TIDINGS_REQUIRE_TMUX=1 makes this an error)")
    pytest.skip(reason)


class TmuxSession:
    """A detached tmux session on a private server socket running a command."""

    def __init__(
        self,
        argv: list[str],
        env: Mapping[str, str],
        width: int = 120,
        height: int = 36,
    ) -> None:
        self.tmux = require_tmux()
        self.socket = f"tidings-test-{uuid.uuid4().hex[:8]}"
        assignments = [f"{key}={value}" for key, value in env.items()]
        # COLUMNS and LINES from the test runner would override the pane size.
        command = shlex.join(
            ["env", "-u", "COLUMNS", "-u", "LINES", *assignments, *argv]
        )
        # The pane starts on a placeholder and is sized before the program
        # runs, so the program's first size query already sees width x height.
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-s", "main",
            "-x", str(width), "-y", str(height), "sleep 3600",
        )  # fmt: skip
        self._tmux("set-option", "-t", "main", "window-size", "manual")
        self._tmux("resize-window", "-t", "main", "-x", str(width), "-y", str(height))
        # Keep the pane after the program exits, so a crash stays readable.
        self._tmux("set-option", "-t", "main", "remain-on-exit", "on")
        self._command = command

    def run(self) -> None:
        """Start the command in the pane, replacing the placeholder."""
        self._tmux("respawn-pane", "-k", "-t", "main", self._command)

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            [self.tmux, "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    def capture(self, escapes: bool = False) -> str:
        """Return the visible screen, with SGR escapes if ``escapes``."""
        args = ["capture-pane", "-p", "-t", "main"]
        if escapes:
            args.append("-e")
        return self._tmux(*args)

    def pane_value(self, name: str) -> str:
        """Return a tmux format variable of the pane (``pane_pid``,
        ``alternate_on``, ``pane_dead``)."""
        return self._tmux("display-message", "-p", "-t", "main", f"#{{{name}}}").strip()

    def send(self, *keys: str) -> None:
        """Send keys as tmux names them (``Enter``, ``Tab``, ``j``)."""
        self._tmux("send-keys", "-t", "main", *keys)

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        """Wait until ``text`` is on screen and return the screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not on screen after {timeout} s:\n{screen}")

    def pipe_output(self, path: str) -> None:
        """Append every byte the program writes to the pane to ``path``.

        Call it before ``run`` to capture the program's first bytes too.
        """
        self._tmux("pipe-pane", "-o", "-t", "main", f"cat >> {shlex.quote(path)}")

    def kill(self) -> None:
        """End the session and its tmux server."""
        subprocess.run(
            [self.tmux, "-L", self.socket, "kill-server"], capture_output=True
        )
