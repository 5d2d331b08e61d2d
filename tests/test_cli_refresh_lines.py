"""``tidings refresh`` into a pipe: numbered lines and each error once."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.cli_output import strip_url_prefix
from reader.cli_refresh import _print_summary
from reader.models import FeedRefreshed, RefreshSummary
from reader.store import Store
from tests.routes import Route, RouteServer


def rss(title: str) -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<item><guid>{title}-1</guid><title>One</title></item>"
        "</channel></rss>"
    ).encode()


def refresh(cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(cache), "refresh"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refresh_lines_skip_and_errors(tmp_path: Path) -> None:
    server = RouteServer()
    # Feed 1 sends max-age=600, so the second refresh skips it. Feed 3
    # always fails with 404.
    fresh = {"Content-Type": "application/rss+xml", "Cache-Control": "max-age=600"}
    server.routes["/calm.xml"] = Route(rss("Calm"), fresh)
    server.routes["/busy.xml"] = Route(
        rss("Busy"), {"Content-Type": "application/rss+xml"}
    )
    cache = tmp_path / "cache.sqlite3"
    with server.running():
        with Store(cache) as store:
            for path in ("/calm.xml", "/busy.xml", "/gone.xml"):
                store.add_feed(server.url(path))
        assert refresh(cache).returncode == 1
        result = refresh(cache)

    assert result.returncode == 1
    out_lines = result.stdout.splitlines()
    err_lines = result.stderr.splitlines()
    numbered = [
        line for line in out_lines + err_lines if re.match(r"\[\d+/\d+\] ", line)
    ]
    assert sorted(line[:5] for line in numbered) == ["[1/2]", "[2/2]"]
    busy = [line for line in out_lines if server.url("/busy.xml") in line]
    assert len(busy) == 1
    assert re.match(r"\[[12]/2\] (ok|same) ", busy[0]), busy
    gone = server.url("/gone.xml")
    assert [line for line in out_lines if gone in line] == []
    assert len([line for line in err_lines if gone in line]) == 1
    summary = r"Refreshed 2 feeds: 1 (updated|unchanged), 1 failed · 0 new entries"
    assert re.match(summary, out_lines[-1]), out_lines[-1]
    assert "skipped 1 not due" in out_lines[-1]


def test_summary_counts_changed_entries(capsys: pytest.CaptureFixture[str]) -> None:
    summary = RefreshSummary(
        results=(
            FeedRefreshed(1, "http://127.0.0.1/a.xml", new=3, updated=2),
            FeedRefreshed(2, "http://127.0.0.1/b.xml", not_modified=True),
            FeedRefreshed(3, "http://127.0.0.1/c.xml", error="HTTP 404 Not Found"),
        )
    )
    _print_summary(summary, list_failures=False)
    out = capsys.readouterr().out
    expected = "Refreshed 3 feeds: 1 updated, 1 unchanged, 1 failed"
    assert out == f"{expected} · 3 new entries, 2 changed.\n"


@pytest.mark.parametrize(
    ("stop", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)]
)
def test_stopped_refresh_reports_progress(
    tmp_path: Path, stop: signal.Signals, status: int
) -> None:
    server = RouteServer()
    server.routes["/calm.xml"] = Route(rss("calm"), {"Content-Type": "text/xml"})
    # A listening socket that never accepts: its fetch waits for the signal.
    with socket.socket() as silent, server.running():
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        cache = tmp_path / "cache.sqlite3"
        with Store(cache) as store:
            store.add_feed(server.url("/calm.xml"))
            store.add_feed(f"http://127.0.0.1:{silent.getsockname()[1]}/slow.xml")
        command = [sys.executable, "-m", "reader", "--db", str(cache), "refresh"]
        # A session of its own, so the signal goes to the whole process
        # group, as Ctrl+C in a terminal does.
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        time.sleep(3)
        os.killpg(process.pid, stop)
        out, err = process.communicate(timeout=30)

    assert process.returncode == status
    assert "refresh interrupted after 1 of 2 feeds, whose results are stored" in err
    assert "Traceback" not in err
    assert "leaked semaphore" not in err
    assert "Refreshed" not in out
    with Store(cache) as store:
        assert store.count_entries() == 1


@pytest.mark.parametrize(
    ("message", "url", "shown"),
    [
        ("http://h/f.xml: HTTP 404 Not Found", "http://h/f.xml", "HTTP 404 Not Found"),
        (
            "http://h/f.xml is an HTML page, not a feed.",
            "http://h/f.xml",
            "the response is an HTML page, not a feed.",
        ),
        (
            "/tmp/f.xml has an empty body, not a feed",
            "/tmp/f.xml",
            "the file has an empty body, not a feed",
        ),
        ("connection refused", "http://h/f.xml", "connection refused"),
    ],
)
def test_error_line_names_url_once(message: str, url: str, shown: str) -> None:
    assert strip_url_prefix(message, url) == shown
