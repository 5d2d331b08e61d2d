"""The link policy: only http, https and plain mailto URLs reach a browser,
whatever a feed puts in its links."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.links import is_openable
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.welcome import WELCOME_META_KEY

OPENABLE = [
    "http://example.org/",
    "https://example.org/post?id=3#top",
    "HTTPS://Example.org/upper-case-scheme",
    "https://[2001:db8::1]:8443/ipv6",
    "https://例え.jp/unicode-host",
    "mailto:ada@example.org",
    "mailto:ada@example.org?subject=Hello&body=Hi%20there",
    "mailto:?to=ada@example.org&cc=bob@example.org",
    "https://example.org/a b",
]

REJECTED = [
    "",
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "file://localhost/home/user/.ssh/id_rsa",
    "/etc/passwd",
    "~/.bashrc",
    "../../etc/passwd",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://example.org/file",
    "ssh://example.org",
    "smb://host/share",
    "vscode://file/etc/passwd",
    "x-terminal-emulator:sh",
    "about:blank",
    "http://",
    "https:///no-host",
    "http:example.org",
    "https://example.org:99999/bad-port",
    "https://example.org/\x1b]52;c;cHduZWQ=\x07",
    "https://example.org/a\nb",
    " https://example.org/",
    "https://example.org/\u2028",
    "https://example.org/a\u3000b",
    "https://example.org/\u202eexe.pdf",
    "\thttps://example.org/",
    "https://example.org/\x00",
    "-https://example.org/",
    "mailto:",
    "mailto:ada@example.org?attach=/home/user/.ssh/id_rsa",
    "mailto:ada@example.org?subject=x&ATTACHMENT=/etc/passwd",
    "mailto:ada@example.org?X-Evil=1",
]


@pytest.mark.parametrize("url", OPENABLE)
def test_openable_links(url: str) -> None:
    assert is_openable(url) is True


@pytest.mark.parametrize("url", REJECTED)
def test_rejected_links(url: str) -> None:
    assert is_openable(url) is False


async def test_tui_opens_only_openable_links(db_path: Path) -> None:
    opened: list[str] = []

    def record(url: str) -> bool:
        opened.append(url)
        return True

    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        app = TidingsApp(store, open_in_browser=record)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            for url in REJECTED + OPENABLE:
                app.open_link(url)
                await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
    assert opened == OPENABLE
