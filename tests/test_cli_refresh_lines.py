"""``tidings refresh`` into a pipe: numbered lines and each error once."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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
    assert out_lines[-1].startswith("Refreshed 2 feeds: 0 new entries, 1 failed")
    assert "skipped 1 not due" in out_lines[-1]
