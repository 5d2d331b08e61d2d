"""Feeds declared as UTF-8 whose bytes are in a legacy single-byte charset.

The declared charset fails to decode, so a detector picks the charset. A
UTF-8 document with a few stray windows-1252 bytes keeps the cheaper repair
that reads only those bytes as windows-1252.
"""

# The fixtures are Russian text, whose letters ruff flags as confusable.
# ruff: noqa: RUF001

from __future__ import annotations

from pathlib import Path

import pytest

from reader.cli import main
from reader.parse import parse_feed
from reader.store import Store
from tests.support import StaticServer

FEED_URL = "http://127.0.0.1:8080/news/feed.xml"
CHANNEL_TITLE = "Новости проекта: Тихий час"
ITEMS = (
    (
        "Вышла версия 2.4 с исправлениями",
        "Мы исправили ошибки в обработке кодировок и ускорили обновление лент. "
        "Спасибо всем, кто присылал отчёты об ошибках.",
    ),
    (
        "Ещё одна новость о ёжиках в саду",
        "Ёжик живёт под старой яблоней и выходит по вечерам, когда становится "
        "тихо и прохладно.",
    ),
    (
        "Планы на осень",
        "Осенью мы добавим поиск по всем статьям и экспорт подписок в формат OPML.",
    ),
)


def cyrillic_feed(declaration: str) -> str:
    """Return an RSS document in Russian with ``declaration`` at its top."""
    items = "".join(
        f"<item><guid>news-{number}</guid><title>{title}</title>"
        f"<description>{body}</description></item>"
        for number, (title, body) in enumerate(ITEMS, start=1)
    )
    return (
        f"{declaration}<rss version='2.0'><channel><title>{CHANNEL_TITLE}</title>"
        f"<link>https://news.example.org/</link>{items}</channel></rss>"
    )


@pytest.mark.parametrize("codec", ["koi8-r", "iso-8859-5", "windows-1251"])
def test_declared_utf8_legacy_cyrillic(codec: str) -> None:
    body = cyrillic_feed('<?xml version="1.0" encoding="UTF-8"?>').encode(codec)
    feed = parse_feed(body, FEED_URL)
    assert feed.title == CHANNEL_TITLE
    assert [entry.title for entry in feed.entries] == [t for t, _ in ITEMS]
    assert ITEMS[1][1] in feed.entries[1].content
    assert any(f"detected as {codec}" in warning for warning in feed.warnings)


def test_header_utf8_koi8r_body() -> None:
    body = cyrillic_feed("").encode("koi8-r")
    content_type = "application/rss+xml; charset=utf-8"
    feed = parse_feed(body, FEED_URL, content_type=content_type)
    assert feed.title == CHANNEL_TITLE
    assert feed.entries[2].title == ITEMS[2][0]


def test_stray_cp1252_bytes_keep_repair_path() -> None:
    # Real UTF-8, Cyrillic included, with two pasted windows-1252 quotes.
    text = cyrillic_feed('<?xml version="1.0" encoding="utf-8"?>')
    quoted = b"\x93" + "Тихий час".encode() + b"\x94"
    body = text.encode("utf-8").replace("Тихий час".encode(), quoted, 1)
    feed = parse_feed(body, FEED_URL)
    assert feed.title == "Новости проекта: “Тихий час”"
    assert feed.entries[0].title == ITEMS[0][0]
    assert any("2 bytes are not UTF-8" in warning for warning in feed.warnings)
    assert not any("detected as" in warning for warning in feed.warnings)


def test_iso_8859_5_feed_added_over_http(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    declaration = '<?xml version="1.0" encoding="utf-8"?>'
    body = cyrillic_feed(declaration).encode("iso-8859-5")
    content_type = "application/rss+xml; charset=UTF-8"
    server = StaticServer({"/news/feed.xml": (body, content_type)})
    try:
        assert main(["add", server.url("/news/feed.xml")]) == 0
    finally:
        server.stop()
    assert f"Added feed 1: {CHANNEL_TITLE} (3 entries)" in capsys.readouterr().out
    store = Store(db_path)
    try:
        titles = sorted(entry.title for entry in store.list_entries(limit=10))
    finally:
        store.close()
    assert titles == sorted(title for title, _ in ITEMS)
