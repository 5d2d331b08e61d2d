"""Feed discovery on HTML pages, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from reader.discover import FeedCandidate, discover_feeds, find_feed_links
from reader.fetch import make_client
from reader.models import FetchError, ParseError
from reader.parse import looks_like_html
from tests.routes import Route, RouteServer

PAGE_URL = "https://pier.example.org/blog/post.html"
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}
JSON = {"Content-Type": "application/json"}
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def page(head: str) -> bytes:
    """Return an HTML page with ``head`` inside its head element."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>Pier</title>{head}</head><body><p>Hello</p></body></html>"
    ).encode()


def rss(title: str, guid: str = "p-1") -> bytes:
    """Return a small RSS 2.0 document."""
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<item><guid>{guid}</guid><title>Post</title></item></channel></rss>"
    ).encode()


# --- link tags ----------------------------------------------------------------


def test_links_resolved_against_page() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" title="Posts"'
        ' href="feed.xml">'
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
        '<link rel="alternate" type="application/feed+json" title="JSON"'
        ' href="//cdn.example.net/pier.json">'
    ).decode()
    assert find_feed_links(html, PAGE_URL) == [
        FeedCandidate("https://pier.example.org/blog/feed.xml", "Posts", "RSS"),
        FeedCandidate("https://pier.example.org/atom.xml", "", "Atom"),
        FeedCandidate("https://cdn.example.net/pier.json", "JSON", "JSON Feed"),
    ]


def test_links_use_base_href() -> None:
    html = page(
        '<base href="/static/">'
        '<link rel="alternate" type="application/rss+xml" href="rss/main.xml">'
    ).decode()
    (candidate,) = find_feed_links(html, PAGE_URL)
    assert candidate.url == "https://pier.example.org/static/rss/main.xml"


def test_links_filtered_and_deduplicated() -> None:
    html = page(
        '<link rel="stylesheet" type="text/css" href="/style.css">'
        '<link rel="alternate" type="text/html" hreflang="de" href="/de/">'
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        '<link rel="alternate" type="application/rss+xml" href="">'
        '<link rel="Alternate Feed" type="Application/RSS+XML; charset=utf-8"'
        ' title="A &amp; B" href="/feed?a=1&amp;b=2">'
        '<link rel="alternate" type="application/rss+xml" href="/feed?a=1&b=2">'
        '<link rel="alternate" type="application/rdf+xml" href="/index.rdf">'
        '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">'
    ).decode()
    assert find_feed_links(html, PAGE_URL) == [
        FeedCandidate("https://pier.example.org/feed?a=1&b=2", "A & B", "RSS"),
        FeedCandidate("https://pier.example.org/index.rdf", "", "RSS 1.0"),
        FeedCandidate("https://pier.example.org/wp-json/wp/v2/pages/2", "", "JSON"),
    ]


def test_links_in_unclosed_html() -> None:
    html = "<html><head><link rel=alternate type=application/atom+xml href=a.atom"
    html += "><body><p>unclosed"
    (candidate,) = find_feed_links(html, PAGE_URL)
    assert candidate.url == "https://pier.example.org/blog/a.atom"


def test_no_links_found() -> None:
    assert find_feed_links(page("").decode(), PAGE_URL) == []


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (b"<!doctype html><p>x", None, True),
        (b"\xef\xbb\xbf\n<html lang='en'>", None, True),
        (b"<p>fragment</p>", "text/html; charset=utf-8", True),
        (b"<rss version='2.0'/>", "application/rss+xml", False),
        (b'{"version": 1}', "application/json", False),
    ],
)
def test_looks_like_html(
    content: bytes, content_type: str | None, expected: bool
) -> None:
    assert looks_like_html(content, content_type) is expected


# --- discovery over HTTP -------------------------------------------------------


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every request on 127.0.0.1 even where a proxy is configured."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="module")
def module_server() -> Iterator[RouteServer]:
    """Start one server per module; stopping one takes up to half a second."""
    with RouteServer().running() as routes:
        yield routes


@pytest.fixture
def server(module_server: RouteServer) -> RouteServer:
    """Return the module's server with no routes and an empty log."""
    module_server.routes = {}
    module_server.requests.clear()
    return module_server


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(concurrency=4) as http:
        yield http


async def test_feed_url_is_its_own_candidate(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    server.routes["/feed.xml"] = Route(rss("Pier Notes"), RSS)
    url = server.url("/feed.xml")
    assert await discover_feeds(client, url) == [
        FeedCandidate(url, "Pier Notes", "RSS")
    ]


async def test_feed_served_as_html_is_a_feed(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    server.routes["/feed"] = Route(rss("Mislabelled"), HTML)
    url = server.url("/feed")
    (candidate,) = await discover_feeds(client, url)
    assert candidate.url == url
    assert candidate.title == "Mislabelled"


async def test_page_links_after_redirect(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    links = (
        '<link rel="alternate" type="application/rss+xml" title="Posts" href="rss.xml">'
        '<link rel="alternate" type="application/atom+xml" title="Comments"'
        ' href="../comments.atom">'
    )
    server.routes["/start"] = Route(b"", {"Location": "/blog/"}, 301)
    server.routes["/blog/"] = Route(page(links), HTML)
    candidates = await discover_feeds(client, server.url("/start"))
    assert candidates == [
        FeedCandidate(server.url("/blog/rss.xml"), "Posts", "RSS"),
        FeedCandidate(server.url("/comments.atom"), "Comments", "Atom"),
    ]
    assert server.paths() == ["/start", "/blog/"]


async def test_json_links_kept_only_if_feeds(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    links = (
        '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">'
        '<link rel="alternate" type="application/json" href="/feed.json">'
    )
    json_feed = (
        b'{"version": "https://jsonfeed.org/version/1", "title": "Pier JSON",'
        b' "items": []}'
    )
    server.routes["/"] = Route(page(links), HTML)
    server.routes["/wp-json/wp/v2/pages/2"] = Route(b'{"id": 2}', JSON)
    server.routes["/feed.json"] = Route(json_feed, JSON)
    candidates = await discover_feeds(client, server.url("/"))
    assert candidates == [
        FeedCandidate(server.url("/feed.json"), "Pier JSON", "JSON Feed")
    ]


async def test_page_without_links_probes_paths(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    server.routes["/blog/"] = Route(page(""), HTML)
    server.routes["/blog/feed"] = Route(page(""), HTML)
    server.routes["/blog/index.xml"] = Route(rss("Blog"), RSS)
    server.routes["/atom.xml"] = Route(b"", {"Location": "/blog/index.xml"}, 302)
    server.routes["/feed.xml"] = Route(rss("Blog"), RSS)
    server.routes["/feed"] = Route(rss("Site-wide", "s-1"), RSS)

    candidates = await discover_feeds(client, server.url("/blog/"))

    assert candidates == [
        FeedCandidate(server.url("/blog/index.xml"), "Blog", "RSS"),
        FeedCandidate(server.url("/feed"), "Site-wide", "RSS"),
    ]
    probed = set(server.paths())
    for path in ("feed", "rss.xml", "atom.xml", "index.xml", "feed.xml", "feed.json"):
        assert f"/blog/{path}" in probed
        assert f"/{path}" in probed


async def test_page_at_root_probes_root_once(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    server.routes["/"] = Route(page(""), HTML)
    server.routes["/rss.xml"] = Route(rss("Root"), RSS)
    (candidate,) = await discover_feeds(client, server.url("/"))
    assert candidate == FeedCandidate(server.url("/rss.xml"), "Root", "RSS")
    assert server.paths().count("/rss.xml") == 1
    assert len(server.paths()) == 7


async def test_page_without_any_feed_fails(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    server.routes["/about/"] = Route(page(""), HTML)
    url = server.url("/about/")
    with pytest.raises(ParseError) as caught:
        await discover_feeds(client, url)
    message = str(caught.value)
    assert message.startswith(f"{url} is an HTML page that announces no feed")
    assert "/rss.xml" in message
    assert "give the feed's URL" in message


async def test_non_feed_non_page_fails(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    server.routes["/data"] = Route(b"<config><a>1</a></config>", RSS)
    with pytest.raises(ParseError, match="root element <config>"):
        await discover_feeds(client, server.url("/data"))


async def test_missing_page_is_fetch_error(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    url = server.url("/gone/")
    with pytest.raises(FetchError, match="HTTP 404 Not Found"):
        await discover_feeds(client, url)
