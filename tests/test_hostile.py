"""Feeds written to attack the reader: each ends in a bounded error, in
bounded time and memory, and the other feeds of a refresh still work.

Every server is the test's own on 127.0.0.1. Memory of a fetch is measured
with tracemalloc in this process. Parsing and converting run in a child
interpreter that reports its own peak RSS growth, because tracemalloc slows
feedparser's many small allocations several-fold.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from reader.convert import html_to_markdown
from reader.convert_limits import MAX_INDENT_DEPTH, MAX_INLINE_DEPTH, limit_nesting
from reader.fetch import fetch_feed, make_client
from reader.models import FetchError
from reader.store import Store
from reader.update import refresh_feeds_sync
from tests.hostile_server import (
    HostileServer,
    billion_laughs,
    deep_html,
    deep_xml,
    external_entity,
    external_parameter_entity,
    gzip_bomb,
)

SECRET = "tidings-secret-4b1d0c9e"
LIMIT = 1024 * 1024
TOTAL_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local file of our own that no feed may make tidings read."""
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(f"{SECRET}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(secret: Path) -> Iterator[HostileServer]:
    hostile = HostileServer(secret)
    yield hostile
    hostile.stop()


async def fetch_measured(url: str) -> tuple[BaseException | None, float, int]:
    """Fetch ``url`` with a 1 MiB limit and a 2 s total timeout; return the
    error, the seconds taken and the peak bytes traced."""
    async with make_client(concurrency=2, timeout=10.0) as client:
        tracemalloc.start()
        started = time.monotonic()
        error: BaseException | None = None
        try:
            await fetch_feed(client, url, max_bytes=LIMIT, total_timeout=TOTAL_TIMEOUT)
        except FetchError as raised:
            error = raised
        finally:
            seconds = time.monotonic() - started
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    return error, seconds, peak


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/huge-declared", "response is larger than the 1 MiB limit"),
        ("/huge-undeclared", "response is larger than the 1 MiB limit"),
        ("/endless-chunked", "response is larger than the 1 MiB limit"),
        ("/gzip-bomb", "response is larger than the 1 MiB limit"),
        ("/slow-drip", "timed out after 2 s"),
        ("/redirect-loop", "too many redirects"),
        ("/ping", "too many redirects"),
        ("/redirect-to-file", "unsupported URL"),
    ],
)
def test_hostile_fetch_bounded(server: HostileServer, path: str, expected: str) -> None:
    url = server.url(path)

    error, seconds, peak = asyncio.run(fetch_measured(url))

    assert isinstance(error, FetchError)
    assert expected in str(error)
    assert str(error).startswith(url)
    assert SECRET not in str(error)
    assert seconds < TOTAL_TIMEOUT + 3
    # The body limit, the joined copy and httpx's buffers.
    assert peak < 4 * LIMIT, f"peak {peak} bytes"


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", lambda data: zlib.compress(data, wbits=16 + zlib.MAX_WBITS)),
        ("x-gzip", lambda data: zlib.compress(data, wbits=16 + zlib.MAX_WBITS)),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),
    ],
    ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw"],
)
async def test_encoded_body_decoded(
    httpserver: HTTPServer, encoding: str, encode: object
) -> None:
    body = b"<rss>" + b"<item>x</item>" * 5000 + b"</rss>"
    encoded = encode(body)  # type: ignore[operator]
    httpserver.expect_request("/feed").respond_with_data(
        encoded, headers={"Content-Encoding": encoding}
    )
    async with make_client() as client:
        result = await fetch_feed(client, httpserver.url_for("/feed"))
    assert result.content == body


# A child interpreter runs one job on one input file and prints JSON: the
# outcome, the seconds taken and how far its peak RSS grew, in KiB.
CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from reader.convert import html_to_markdown, markdown_to_text
    from reader.models import ParseError
    from reader.parse import parse_feed

    job, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    if job == "parse":
        try:
            feed = parse_feed(data, "https://hostile.test/feed")
            texts = [feed.title, feed.link or ""]
            for entry in feed.entries:
                texts += [entry.title, entry.content, entry.summary, entry.link or ""]
            outcome = {"ok": texts}
        except ParseError as error:
            outcome = {"error": str(error)}
    else:
        markdown = html_to_markdown(data.decode(), "https://hostile.test/")
        text = markdown_to_text(markdown)
        outcome = {"markdown": len(markdown), "text": len(text), "sample": text[:200]}
    outcome["seconds"] = time.monotonic() - started
    outcome["growth_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps(outcome))
    """
)


def run_child(job: str, path: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, job, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    outcome: dict[str, object] = json.loads(result.stdout)
    return outcome


@pytest.mark.parametrize(
    "name",
    ["billion-laughs", "external-entity", "external-parameter-entity", "deep-xml"],
)
def test_hostile_document_parse_bounded(
    tmp_path: Path, secret: Path, name: str
) -> None:
    documents = {
        "billion-laughs": billion_laughs,
        "external-entity": partial(external_entity, secret),
        "external-parameter-entity": partial(external_parameter_entity, secret),
        "deep-xml": deep_xml,
    }
    path = tmp_path / "feed.xml"
    path.write_bytes(documents[name]())

    outcome = run_child("parse", path)

    texts = outcome.get("ok", [outcome.get("error", "")])
    assert isinstance(texts, list)
    assert all(SECRET not in text for text in texts)
    assert max(len(text) for text in texts) < 10_000
    assert float(str(outcome["seconds"])) < 30
    assert int(str(outcome["growth_kib"])) < 200 * 1024


def test_gzip_body_without_header_bounded(tmp_path: Path) -> None:
    # A gzip bomb sent as the plain body: the parser may reject it or
    # decompress it, but only within the body limit.
    path = tmp_path / "feed.xml"
    path.write_bytes(gzip_bomb(megabytes=1024))

    outcome = run_child("parse", path)

    assert "error" in outcome
    assert float(str(outcome["seconds"])) < 30
    assert int(str(outcome["growth_kib"])) < 200 * 1024


NESTED = {
    "ul": ("<ul><li>", "</li></ul>"),
    "ol": ("<ol><li>", "</li></ol>"),
    "blockquote": ("<blockquote><p>", "</p></blockquote>"),
    "dl": ("<dl><dd>", "</dd></dl>"),
    "div": ("<div>", "</div>"),
    "table": ("<table><tr><td>", "</td></tr></table>"),
    "inline": ("<b><i><a href='/x'>", "</a></i></b>"),
    "pre": ("<pre><code>", "</code></pre>"),
    "unclosed": ("<ul><li><blockquote><p>", ""),
}


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_deep_html_convert_bounded(tmp_path: Path, kind: str) -> None:
    opening, closing = NESTED[kind]
    depth = 5_000 if kind == "table" else 50_000
    lines = "<br>".join(f"line {n}" for n in range(200))
    path = tmp_path / "article.html"
    path.write_text(opening * depth + lines + closing * depth, encoding="utf-8")

    outcome = run_child("convert", path)

    assert float(str(outcome["seconds"])) < 60
    assert int(str(outcome["growth_kib"])) < 300 * 1024
    assert int(str(outcome["markdown"])) < 20 * 1024 * 1024
    sample = str(outcome["sample"])
    assert not any(ord(c) < 32 and c not in "\n\t" for c in sample)


def test_deep_html_in_feed_parse_bounded(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(deep_html())

    outcome = run_child("parse", path)

    assert "ok" in outcome
    assert float(str(outcome["seconds"])) < 30
    assert int(str(outcome["growth_kib"])) < 200 * 1024


HOSTILE_PATHS = [
    "/billion-laughs",
    "/external-entity",
    "/external-parameter-entity",
    "/deep-xml",
    "/deep-html",
    "/huge-declared",
    "/huge-undeclared",
    "/endless-chunked",
    "/slow-drip",
    "/gzip-bomb",
    "/gzip-bomb-undeclared",
    "/redirect-loop",
    "/ping",
    "/redirect-to-file",
]


def test_refresh_survives_every_attack(
    server: HostileServer,
    secret: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    local_leak = tmp_path / "leak.xml"
    local_leak.write_bytes(external_entity(secret))
    db = tmp_path / "cache.sqlite3"
    with Store(db) as store:
        good = [store.add_feed(server.url(f"/ok/{n}")).id for n in range(3)]
        hostile = {store.add_feed(server.url(path)).id: path for path in HOSTILE_PATHS}
        hostile[store.add_feed(str(local_leak)).id] = "local external entity"
        started = time.monotonic()

        # A short total timeout ends the slow-drip response quickly.
        summary = refresh_feeds_sync(
            store, max_bytes=LIMIT, total_timeout=TOTAL_TIMEOUT
        )

        seconds = time.monotonic() - started
        results = {result.feed_id: result for result in summary.results}
        for feed_id in good:
            assert results[feed_id].error is None
            assert results[feed_id].new == 15
        failed = {hostile[r.feed_id] for r in summary.failed}
        for path in ("/huge-declared", "/huge-undeclared", "/endless-chunked"):
            assert path in failed
        for path in ("/slow-drip", "/gzip-bomb", "/redirect-loop", "/ping"):
            assert path in failed
        assert "/redirect-to-file" in failed
        assert "/gzip-bomb-undeclared" in failed
        assert all(
            store.get_feed(i).last_error for i in hostile if hostile[i] in failed
        )

    assert seconds < 60
    connection = sqlite3.connect(db)
    stored = connection.execute(
        "SELECT group_concat(title || content || summary, '') FROM entries"
    ).fetchone()[0]
    errors = connection.execute(
        "SELECT group_concat(coalesce(last_error, '') || coalesce(title, ''), '') "
        "FROM feeds"
    ).fetchone()[0]
    longest = connection.execute("SELECT max(length(title)) FROM entries").fetchone()[0]
    connection.close()
    assert SECRET not in stored
    assert SECRET not in errors
    assert longest < 1000


def test_redirect_to_file_never_reads_it(server: HostileServer) -> None:
    async def fetch() -> None:
        async with httpx.AsyncClient() as plain:
            await fetch_feed(plain, server.url("/redirect-to-file"))

    with pytest.raises(FetchError) as raised:
        asyncio.run(fetch())
    assert SECRET not in str(raised.value)


def test_limit_nesting_keeps_ordinary_html() -> None:
    html = (
        "<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li></ul>"
        "<blockquote><p><b>bold <i>it <a href='/x'>link</a></i></b></p></blockquote>"
    )
    assert limit_nesting(html) == html


def test_limit_nesting_flattens_deep_html() -> None:
    html = "<ul><li>" * 100 + "bottom" + "</li></ul>" * 100
    flat = limit_nesting(html)
    assert flat.count("<ul>") == MAX_INDENT_DEPTH
    assert flat.count("</ul>") == MAX_INDENT_DEPTH
    assert "bottom" in flat
    markdown = html_to_markdown(html)
    assert "bottom" in markdown
    # Linear in the input: the indentation stops growing at the limit.
    assert len(markdown) < 4 * len(html)
    inline = "<b><a href='/x'>" * 50 + "deep" + "</a></b>" * 50
    assert limit_nesting(inline).count("<b>") == MAX_INLINE_DEPTH // 2
    assert "deep" in html_to_markdown(inline)
