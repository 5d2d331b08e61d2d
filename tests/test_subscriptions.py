"""Import and export of subscriptions: OPML, newsboat urls, URL lists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.opml import parse_opml
from reader.store import Store
from reader.subscription_list import ImportFileError
from reader.subscriptions import (
    export_opml,
    import_subscriptions,
    parse_subscriptions,
    read_subscription_file,
)
from reader.url_lists import split_line

FILES = Path(__file__).parent / "fixtures" / "subscriptions"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "cache.sqlite3") as opened:
        yield opened


def _state(store: Store) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """Return (url, shown title, folder, user title, document title) per feed,
    the parts of a subscription an OPML round trip must keep."""
    settings = store.feed_settings()
    return sorted(
        (
            feed.url,
            feed.title,
            settings[feed.id].folder,
            settings[feed.id].user_title,
            settings[feed.id].document_title,
        )
        for feed in store.list_feeds()
    )


def _import_file(store: Store, name: str):
    return import_subscriptions(store, read_subscription_file(FILES / name))


# OPML


def test_opml1_titles_folders_and_encoding() -> None:
    listing = read_subscription_file(FILES / "opml1.opml")

    assert listing.format == "OPML"
    rows = [(s.url, s.title, s.folder, s.user_title) for s in listing.subscriptions]
    assert rows == [
        ("http://cafe.example/rss.xml", "Café Notes", None, None),
        ("http://anna.example/atom.xml", "Anna's journal", "Friends", None),
        ("http://bruno.example/feed", "Bruno", "Friends", None),
        ("gopher://old.example/podcast", "Old podcast", None, None),
    ]


def test_opml1_outline_without_feed_skipped() -> None:
    listing = read_subscription_file(FILES / "opml1.opml")

    assert [(s.line, s.text) for s in listing.skipped] == [
        (12, "A note to myself, not a feed")
    ]
    assert "without xmlUrl" in listing.skipped[0].reason


def test_opml2_nested_outlines_become_folder_paths() -> None:
    listing = read_subscription_file(FILES / "nested.opml")
    folders = {s.url: s.folder for s in listing.subscriptions}

    assert folders["https://lantern.example/feed.xml"] == "Programming"
    assert folders["https://snake.example/atom"] == "Programming/Python"
    assert folders["https://blinky.example/feed"] == "Programming/Rust/Embedded"
    assert folders["https://weather.example/feed"] == "Home/Local"
    assert folders["feed://plain.example/rss"] is None


def test_opml2_text_differing_from_title_is_user_title() -> None:
    listing = read_subscription_file(FILES / "nested.opml")
    by_url = {s.url: s for s in listing.subscriptions}

    lantern = by_url["https://lantern.example/feed.xml"]
    assert lantern.title == "Lantern Dev Notes"
    assert lantern.user_title == "Lantern"
    snake = by_url["https://snake.example/atom"]
    assert snake.title == "Snake Oil Weekly"
    assert snake.user_title is None
    assert by_url["https://typing.example/rss"].title == "Typing & You"


def test_opml_lines_reported() -> None:
    listing = read_subscription_file(FILES / "nested.opml")

    assert [s.line for s in listing.subscriptions] == [10, 12, 13, 17, 21, 22]
    assert [s.line for s in listing.skipped] == [23]


def test_opml_import_report(store: Store) -> None:
    report = _import_file(store, "opml1.opml")

    assert [feed.line for feed in report.added] == [7, 9, 10]
    assert report.present == ()
    assert [(s.line, s.text) for s in report.invalid] == [
        (13, "gopher://old.example/podcast")
    ]
    assert "'gopher' is not supported" in report.invalid[0].reason
    assert len(store.list_feeds()) == 3


def test_opml_feed_scheme_becomes_http(store: Store) -> None:
    _import_file(store, "nested.opml")

    assert store.find_feed("http://plain.example/rss") is not None


def test_opml_reimport_reports_present(store: Store) -> None:
    _import_file(store, "nested.opml")
    first = _state(store)

    report = _import_file(store, "nested.opml")

    assert report.added == ()
    assert len(report.present) == 6
    assert _state(store) == first


def test_opml_present_feed_left_unchanged(store: Store) -> None:
    feed = store.add_feed("https://snake.example/atom")
    store.set_feed_folder(feed.id, "Mine")

    report = _import_file(store, "nested.opml")

    assert [(p.feed_id, p.line) for p in report.present] == [(feed.id, 12)]
    assert store.get_feed_settings(feed.id).folder == "Mine"


def test_opml_round_trip_identical(store: Store, tmp_path: Path) -> None:
    _import_file(store, "nested.opml")
    lantern = store.find_feed("https://lantern.example/feed.xml")
    assert lantern is not None
    store.rename_feed(lantern.id, "My lantern")
    exported = export_opml(store)

    with Store(tmp_path / "second.sqlite3") as second:
        report = import_subscriptions(second, parse_subscriptions(exported))
        assert report.invalid == ()
        assert report.skipped == ()
        assert _state(second) == _state(store)
        assert export_opml(second, created=_NOON) == export_opml(store, created=_NOON)


_NOON = datetime(2026, 11, 2, 12, tzinfo=UTC)


def test_opml_round_trip_local_file(store: Store, tmp_path: Path) -> None:
    feed_file = tmp_path / "my feed.xml"
    feed_file.write_text("<rss/>")
    feed = store.add_feed(str(feed_file))
    store.set_feed_folder(feed.id, "Local")

    exported = export_opml(store)

    assert feed_file.as_uri().encode() in exported
    with Store(tmp_path / "second.sqlite3") as second:
        import_subscriptions(second, parse_subscriptions(exported))
        assert _state(second) == _state(store)


def test_opml_export_shape(store: Store) -> None:
    _import_file(store, "nested.opml")

    exported = export_opml(store, created=_NOON).decode()

    assert exported.startswith("<?xml version='1.0' encoding='utf-8'?>\n<opml")
    assert '<opml version="2.0">' in exported
    assert "<dateCreated>Mon, 02 Nov 2026 12:00:00 +0000</dateCreated>" in exported
    assert '<outline text="Python" title="Python">' in exported
    assert (
        '<outline type="rss" text="Lantern" title="Lantern Dev Notes" '
        'xmlUrl="https://lantern.example/feed.xml" />'
    ) in exported


def test_opml_export_escapes_and_strips_controls(store: Store) -> None:
    feed = store.add_feed("https://odd.example/feed?a=1&b=2")
    store.rename_feed(feed.id, 'Quotes " <tags> & bell\x07')

    exported = export_opml(store)
    listing = parse_subscriptions(exported)

    assert b"&amp;b=2" in exported
    assert listing.subscriptions[0].url == "https://odd.example/feed?a=1&b=2"
    assert listing.subscriptions[0].user_title == 'Quotes " <tags> & bell'


# OPML safety


def test_opml_entity_expansion_rejected() -> None:
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<opml version="2.0"><body><outline text="&lol3;" xmlUrl="https://x.example/"/></body></opml>
"""
    with pytest.raises(ImportFileError, match="declares XML entities"):
        parse_opml(laughs)


def test_opml_external_entity_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    document = f"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>
<opml version="2.0"><body>
<outline text="&leak;" xmlUrl="https://x.example/"/>
</body></opml>
""".encode()

    with pytest.raises(ImportFileError, match="declares XML entities") as raised:
        parse_opml(document)
    assert "TOP-SECRET-VALUE" not in str(raised.value)


def test_opml_external_dtd_not_loaded(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "FROM-THE-DTD">')
    document = f"""<?xml version="1.0"?>
<!DOCTYPE opml SYSTEM "{dtd.as_uri()}">
<opml version="2.0"><body>
<outline text="&leak;" xmlUrl="https://x.example/"/>
</body></opml>
""".encode()

    listing = parse_opml(document)

    assert [s.url for s in listing.subscriptions] == ["https://x.example/"]
    assert "FROM-THE-DTD" not in repr(listing)


def test_opml_malformed_names_line() -> None:
    document = b'<opml version="2.0">\n<body>\n<outline text="a">\n</body></opml>'

    with pytest.raises(ImportFileError, match="mismatched tag at line 4"):
        parse_opml(document)


def test_opml_other_root_rejected() -> None:
    with pytest.raises(ImportFileError, match="the root is <rss>"):
        parse_subscriptions(b'<?xml version="1.0"?><rss version="2.0"></rss>')


# newsboat urls and URL lists


def test_urls_file_tags_titles_and_skips() -> None:
    listing = read_subscription_file(FILES / "urls")

    assert listing.format == "newsboat urls"
    rows = [(s.line, s.url, s.folder, s.user_title) for s in listing.subscriptions]
    assert rows[:5] == [
        (2, "https://lantern.example/feed.xml", "programming", "Lantern (mine)"),
        (3, "https://snake.example/atom", "python", "Snake Oil"),
        (4, "https://weather.example/feed", None, None),
        (5, "https://hidden.example/feed", "home", None),
        (6, "https://fragment.example/feed#main", "with space tag", None),
    ]
    reasons = {s.line: s.reason for s in listing.skipped}
    assert set(reasons) == {8, 9, 10}
    assert "query" in reasons[8]
    assert "exec:" in reasons[9]
    assert "filter:" in reasons[10]


def test_urls_file_import_report(store: Store) -> None:
    report = _import_file(store, "urls")

    assert [f.line for f in report.added] == [2, 3, 4, 5, 6]
    assert [(f.line, f.url) for f in report.present] == [
        (11, "https://lantern.example/feed.xml")
    ]
    assert [s.line for s in report.skipped] == [8, 9, 10]
    invalid = {s.line: s.reason for s in report.invalid}
    assert set(invalid) == {12, 13}
    assert "'ftp' is not supported" in invalid[12]
    assert invalid[13] == "a double quote is not closed"


def test_urls_file_duplicate_keeps_first(store: Store) -> None:
    _import_file(store, "urls")
    lantern = store.find_feed("https://lantern.example/feed.xml")

    assert lantern is not None
    assert lantern.title == "Lantern (mine)"
    assert store.get_feed_settings(lantern.id).folder == "programming"


def test_urls_file_round_trip_through_opml(store: Store, tmp_path: Path) -> None:
    _import_file(store, "urls")
    exported = export_opml(store)

    with Store(tmp_path / "second.sqlite3") as second:
        report = import_subscriptions(second, parse_subscriptions(exported))
        assert len(report.added) == 5
        assert _state(second) == _state(store)
    assert ("https://snake.example/atom", "Snake Oil", "python", "Snake Oil", None) in (
        _state(store)
    )


def test_url_list_plain(store: Store) -> None:
    listing = read_subscription_file(FILES / "list.txt")
    report = import_subscriptions(store, listing)

    assert listing.format == "URL list"
    assert [f.url for f in report.added] == [
        "https://one.example/feed.xml",
        "https://two.example/atom",
        "https://three.example/rss",
        "https://example.org/bare-host.xml",
    ]
    assert [s.line for s in report.invalid] == [7]
    assert "not-a-url" in report.invalid[0].reason


def test_split_line_quotes_and_comments() -> None:
    assert split_line('https://a/ "two words" plain # a comment') == [
        "https://a/",
        "two words",
        "plain",
    ]
    assert split_line(r'"query:Q:title =~ \"x\""') == ['query:Q:title =~ "x"']
    assert split_line("https://a/#frag tag") == ["https://a/#frag", "tag"]


def test_file_with_bom_and_crlf() -> None:
    listing = parse_subscriptions(
        b"\xef\xbb\xbfhttps://a.example/\r\n# c\r\nhttps://b.example/\r\n"
    )

    assert [s.url for s in listing.subscriptions] == [
        "https://a.example/",
        "https://b.example/",
    ]


def test_binary_and_non_utf8_rejected(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="NUL bytes"):
        parse_subscriptions(b"https://a.example/\x00\x01")
    with pytest.raises(ImportFileError, match="not UTF-8"):
        parse_subscriptions(b"https://a.example/caf\xe9")
    with pytest.raises(ImportFileError, match="cannot read"):
        read_subscription_file(tmp_path / "missing.opml")


def test_import_thousand_feeds_one_transaction(store: Store) -> None:
    lines = [
        f"https://host{n % 50}.example/feed/{n}.xml tag{n % 7}" for n in range(1000)
    ]
    listing = parse_subscriptions("\n".join(lines).encode())

    report = import_subscriptions(store, listing)

    assert len(report.added) == 1000
    assert len(store.list_feeds()) == 1000
    assert sum(folder.feeds for folder in store.list_folders()) == 1000
