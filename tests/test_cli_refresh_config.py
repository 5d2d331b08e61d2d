"""``tidings refresh`` takes its limits from the command line, then the
config file, then the defaults, against a real server on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reader.config import Settings
from reader.store import Store
from tests.feedgen import feed_document

FEEDS = 6
DELAY = 0.4
"""Seconds each response is held, so concurrent requests overlap."""


class CountingServer:
    """Serve feed ``/n.xml`` slowly and record the most requests in flight."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server.lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    time.sleep(DELAY)
                    number = int(self.path.strip("/").removesuffix(".xml"))
                    body = feed_document(number, 0)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, number: int) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/{number}.xml"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server() -> Iterator[CountingServer]:
    counting = CountingServer()
    yield counting
    counting.stop()


@pytest.fixture
def cache(tmp_path: Path, server: CountingServer) -> Path:
    path = tmp_path / "cache.sqlite3"
    with Store(path) as store:
        for number in range(FEEDS):
            store.add_feed(server.url(number))
    return path


def refresh(
    cache: Path, tmp_path: Path, config: str | None, *options: str
) -> subprocess.CompletedProcess[str]:
    config_file = tmp_path / "config.toml"
    if config is None:
        config_file.unlink(missing_ok=True)
    else:
        config_file.write_text(config, encoding="utf-8")
    environment = {
        "TIDINGS_CONFIG": str(config_file),
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    command = [sys.executable, "-m", "reader", "--db", str(cache), "-v"]
    return subprocess.run(
        [*command, "refresh", "--force", *options],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


def test_config_limits_apply(
    cache: Path, tmp_path: Path, server: CountingServer
) -> None:
    config = "[refresh]\nconcurrency = 3\nper_host = 2\n"

    result = refresh(cache, tmp_path, config)

    assert result.returncode == 0, result.stderr
    assert "concurrency=3" in result.stderr
    assert server.max_in_flight == 2


def test_command_line_overrides_config(
    cache: Path, tmp_path: Path, server: CountingServer
) -> None:
    config = "[refresh]\nconcurrency = 3\nper_host = 2\n"

    result = refresh(cache, tmp_path, config, "--concurrency", "5", "--per-host", "3")

    assert result.returncode == 0, result.stderr
    assert "concurrency=5" in result.stderr
    assert server.max_in_flight == 3


def test_defaults_without_config(
    cache: Path, tmp_path: Path, server: CountingServer
) -> None:
    defaults = Settings()

    result = refresh(cache, tmp_path, None)

    assert result.returncode == 0, result.stderr
    assert f"concurrency={defaults.refresh_concurrency}" in result.stderr
    assert server.max_in_flight == defaults.refresh_per_host


def test_invalid_config_limit_reported(
    cache: Path, tmp_path: Path, server: CountingServer
) -> None:
    result = refresh(cache, tmp_path, "[refresh]\nconcurrency = 0\n")

    assert result.returncode == 0, result.stderr
    assert "refresh.concurrency" in result.stderr
    assert f"concurrency={Settings().refresh_concurrency}" in result.stderr
