"""A feed full of terminal escape sequences, read in a real terminal.

tidings runs under tmux with every byte it writes to the terminal piped to
a file. Every entry is opened and its article scrolled to the end. None of
the sequences the feed injects may appear in those bytes, and the titles
must still read as text.
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import TmuxSession, require_tmux

pytestmark = pytest.mark.e2e

ESC = "\x1b"
BEL = "\x07"

# (title, body HTML) of each entry, newest first. The bytes are our own.
ENTRIES = [
    (
        f"Quarterly results{ESC}]0;PWNED{BEL} done {ESC}[31mRED{ESC}[0m",
        f"<p>Where is the cursor{ESC}[6n? Clear{ESC}[2J the screen.</p>"
        f"<p>Copy {ESC}]52;c;cm0gLXJmIH4={BEL} this.</p>",
    ),
    (
        "Safe headline line\x08\x08\x08\x08XXXX tail",
        "<p>Record\x1eseparator and unit\x1fseparator, bell\x07 and C1 \x9b31m.</p>"
        f"<pre><code>printf '{ESC}[1mbold{ESC}[0m'\r\nline two</code></pre>",
    ),
    (
        "Invoice \u202efdp.exe and \u202dexe.pdf, \u202bunterminated",
        "<p>שלום עולם and مرحبا بالعالم, \u2067never closed isolate.</p>"
        '<p><a href="https://reading.test/a">a link</a> and '
        f'<a href="https://evil.example.net/{ESC}]8;;x{BEL}">an odd one</a>.</p>',
    ),
    (
        "[link=https://evil.example.net/login]Your bank[/link] :smile: [bold]x",
        f"<p>[bold red]ALERT[/bold red] and [/] and \\[escaped] {ESC}]8;;"
        f"https://evil.example.net/{ESC}\\click{ESC}]8;;{ESC}\\</p>",
    ),
]

INJECTED = [
    b"\x1b]0;PWNED",
    b"\x1b[31mRED",
    b"\x1b[6n",
    b"\x1b[2J the",
    b"\x1b]52;",
    b"\x08\x08\x08\x08XXXX",
    b"\x1e",
    b"\x1f",
    b"\x9b31m",
    "\u202e".encode(),
    "\u202d".encode(),
    "\u202b".encode(),
    "\u2067".encode(),
]
EVIL_HYPERLINK = re.compile(rb"\x1b\]8;[^\x07\x1b]*;https?://evil[.]example[.]net")


def hostile_feed() -> bytes:
    """Return an RSS document with ``ENTRIES``, control bytes left raw."""
    items = []
    for number, (title, body) in enumerate(ENTRIES):
        day = 10 - number
        items.append(
            f"<item><title>{title}</title><guid isPermaLink='false'>h{number}</guid>"
            f"<link>https://reading.test/hostile/{number}</link>"
            f"<author>a@b.test (Author {ESC}]0;PWNED{BEL})</author>"
            f"<pubDate>Sun, {day:02d} Mar 2024 12:00:00 GMT</pubDate>"
            f"<description><![CDATA[{body}]]></description></item>"
        )
    channel = (
        f"<title>Hostile {ESC}]0;PWNED{BEL} Feed</title>"
        "<link>https://reading.test/</link><description>x</description>"
    )
    document = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        + channel
        + "".join(items)
        + "</channel></rss>"
    )
    return document.encode("utf-8")


def wait_for_bytes(path: Path, expected: bytes, timeout: float = 20.0) -> None:
    """Wait until the file at ``path`` contains ``expected``: tmux writes
    the piped output a little after it draws the screen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if expected in path.read_bytes():
            return
        time.sleep(0.1)
    raise AssertionError(f"{expected!r} not written to {path} in {timeout} s")


def test_injected_sequences_never_reach_terminal(tmp_path: Path) -> None:
    require_tmux()
    feed_path = tmp_path / "hostile.xml"
    feed_path.write_bytes(hostile_feed())
    db = tmp_path / "cache.sqlite3"
    added = subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(db), "add", str(feed_path)],
        capture_output=True,
        timeout=120,
    )
    assert added.returncode == 0, added.stderr
    assert b"4 entries" in added.stdout
    for injected in INJECTED:
        assert injected not in added.stdout

    output = tmp_path / "tty.bin"
    env = {
        "TIDINGS_DB": str(db),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    session = TmuxSession([sys.executable, "-m", "reader"], env, 120, 40)
    try:
        session.pipe_output(str(output))
        session.run()
        session.wait_for("Hostile Feed")
        # Every title shows as text, with its escape sequences gone.
        session.wait_for("Quarterly results done RED")
        session.wait_for("Safe headline lineXXXX tail")
        session.wait_for("Invoice fdp.exe and exe.pdf, unterminated")
        session.wait_for("[link=https://evil.example.net/login]Your bank[/link]")
        for number in range(len(ENTRIES)):
            session.send("Enter")
            session.wait_for(f"https://reading.test/hostile/{number}")
            session.send("Tab", "G")
            time.sleep(0.3)
            session.send("BTab", "j")
        session.wait_for(":smile: [bold]x")
        session.wait_for("[bold red]ALERT[/bold red] and [/] and \\[escaped] click")
        before_copy = output.stat().st_size
        session.send("y")
        session.wait_for("Copied https://reading.test/hostile/3")
        copied = b"\x1b]52;c;" + base64.b64encode(b"https://reading.test/hostile/3")
        wait_for_bytes(output, copied)
        session.send("q")
        time.sleep(1)
    finally:
        session.kill()

    written = output.read_bytes()
    assert len(written) > 10_000, "the pipe caught too little of the session"
    watched = written[:before_copy]
    for injected in INJECTED:
        assert injected not in watched, injected
    assert EVIL_HYPERLINK.search(watched) is None
    assert copied + b"\x07" in written[before_copy:]
