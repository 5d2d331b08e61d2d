"""Grouping feeds into folder rows for the feed list."""

from __future__ import annotations

from reader.models import Feed
from reader.tui.folder_tree import folder_contains, folder_rows


def _feed(feed_id: int, title: str, unread: int) -> Feed:
    return Feed(id=feed_id, url=f"https://{feed_id}.test/", title=title, unread=unread)


FEEDS = [
    _feed(1, "Alpha", 3),
    _feed(2, "Beta", 0),
    _feed(3, "Gamma", 5),
    _feed(4, "Delta", 2),
]
FOLDERS = {1: "tech/python", 2: "Tech", 3: None, 4: "news"}


def _describe(rows: list) -> list[tuple[int, str, int]]:
    return [
        (row.depth, row.folder or row.feed.title, row.unread)  # type: ignore[union-attr]
        for row in rows
    ]


def test_folders_first_then_loose_feeds() -> None:
    rows = folder_rows(FEEDS, FOLDERS)

    assert _describe(rows) == [
        (0, "news", 2),
        (1, "Delta", 2),
        (0, "Tech", 0),
        (1, "Beta", 0),
        (0, "tech", 3),
        (1, "tech/python", 3),
        (2, "Alpha", 3),
        (0, "Gamma", 5),
    ]


def test_nested_unread_is_summed() -> None:
    folders = {1: "Tech/Python", 2: "Tech", 3: None, 4: "News"}

    rows = folder_rows(FEEDS, folders)

    tech = next(row for row in rows if row.folder == "Tech")
    assert tech.unread == 3
    python = next(row for row in rows if row.folder == "Tech/Python")
    assert python.name == "Python"
    assert python.depth == 1


def test_collapsed_folder_hides_contents() -> None:
    folders = {1: "Tech/Python", 2: "Tech", 3: None, 4: "News"}

    rows = folder_rows(FEEDS, folders, {"Tech"})

    assert _describe(rows) == [
        (0, "News", 2),
        (1, "Delta", 2),
        (0, "Tech", 3),
        (0, "Gamma", 5),
    ]
    assert rows[2].collapsed


def test_folder_contains_subfolders() -> None:
    assert folder_contains("Tech", "Tech")
    assert folder_contains("Tech", "Tech/Python")
    assert not folder_contains("Tech", "Technology")
    assert not folder_contains("Tech", None)
