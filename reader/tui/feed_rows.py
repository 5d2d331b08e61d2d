"""Rows of the feed list: virtual feeds, saved searches, folders and feeds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reader.listing import EntryScope
from reader.models import Feed
from reader.store import Store
from reader.tui.folder_tree import folder_rows
from reader.tui.formatting import counted, display_line, feed_error, feed_title


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One row of the feed list and the entries it lists."""

    key: str
    """Stable across reloads: "all", "unread", "starred", "search:ID",
    "folder:NAME" or "feed:ID"."""
    label: str
    """Display text of a virtual feed, already cleaned; empty for a feed."""
    icon: str
    scope: EntryScope
    count: int
    """Shown at the right: unread entries, or starred ones for Starred;
    zero shows nothing."""
    feed: Feed | None = None
    """The subscribed feed, or None for a virtual feed or a folder."""
    folder: str | None = None
    """A folder row's full name ("Tech/Python"); None for other rows."""
    depth: int = 0
    """Folders above the row, each indenting it by two columns."""

    @property
    def is_virtual(self) -> bool:
        """Whether the row is All, Unread, Starred or a saved search."""
        return self.feed is None and self.folder is None

    @property
    def title(self) -> str:
        """Display text: the label, or the feed's cleaned title.

        A feed's title is cleaned when it is drawn or filtered, not for all
        rows up front, which costs milliseconds with a thousand feeds.
        """
        return self.label if self.feed is None else feed_title(self.feed)

    @property
    def error(self) -> str | None:
        """The feed's last refresh error for display, if any."""
        return None if self.feed is None else feed_error(self.feed)

    @property
    def height(self) -> int:
        """Lines the row takes: a second one shows the error."""
        return 2 if self.error else 1


def virtual_rows(store: Store) -> list[FeedRow]:
    """Return All, Unread and Starred with their counts, then the saved
    searches, which show no count because counting them means searching."""
    totals = store.entry_totals()
    rows = [
        FeedRow("all", "All", "≡ ", EntryScope(), totals.unread),
        FeedRow("unread", "Unread", "● ", EntryScope(unread_only=True), totals.unread),
        FeedRow(
            "starred", "Starred", "★ ", EntryScope(starred_only=True), totals.starred
        ),
    ]
    for saved in store.list_saved_searches():
        rows.append(
            FeedRow(
                f"search:{saved.id}",
                display_line(saved.name),
                "⌕ ",
                EntryScope(search=saved.query),
                0,
            )
        )
    return rows


def feed_row(feed: Feed, depth: int = 0) -> FeedRow:
    """Return the row of a subscribed feed inside ``depth`` folders."""
    return FeedRow(
        f"feed:{feed.id}",
        "",
        "",
        EntryScope(feed_id=feed.id),
        feed.unread,
        feed,
        depth=depth,
    )


def tree_rows(
    feeds: list[Feed], folders: Mapping[int, str | None], collapsed: set[str]
) -> list[FeedRow]:
    """Return the folder and feed rows of ``feeds``, folders first."""
    rows = []
    for node in folder_rows(feeds, folders, collapsed):
        if node.feed is not None:
            rows.append(feed_row(node.feed, node.depth))
            continue
        assert node.folder is not None
        rows.append(
            FeedRow(
                f"folder:{node.folder}",
                display_line(node.name),
                "▸ " if node.collapsed else "▾ ",
                EntryScope(folder=node.folder),
                node.unread,
                folder=node.folder,
                depth=node.depth,
            )
        )
    return rows


def row_status(row: FeedRow, listed: int) -> str:
    """Describe a virtual feed or a folder that lists ``listed`` entries."""
    if row.key == "all":
        return f"All feeds: {row.count} unread of {listed}"
    if row.folder is not None:
        return f"Folder {row.title}: {row.count} unread of {listed}"
    if row.key in ("unread", "starred"):
        return f"{row.title}: {counted(listed, 'entry', 'entries')}"
    matching = counted(listed, "matching entry", "matching entries")
    return f"Saved search {row.title}: {matching}"
