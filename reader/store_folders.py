"""Store methods for organising feeds: folders, user titles, bulk subscribe
and "mark all read" with undo.

``FolderMethods`` is a base class of ``Store``; it uses the connection and
the transaction helper that ``Store`` defines.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reader.models import FeedNotFoundError, TidingsError
from reader.textsafe import clean_line

FOLDER_SEPARATOR = "/"
"""Joins the outline titles of a nested OPML folder into one folder name."""


class FolderNotFoundError(TidingsError, LookupError):
    """No feed is in the requested folder."""


@dataclass(frozen=True, slots=True)
class Folder:
    """A folder with the summed counts of the feeds in it."""

    name: str
    feeds: int
    """Number of feeds in the folder."""
    unread: int
    total: int


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """The user's choices for one feed (folder and title), with its own title."""

    feed_id: int
    folder: str | None
    """Folder name, or None when the feed is in no folder."""
    user_title: str | None
    """Title given by rename; shown over the document's title when set."""
    document_title: str | None = None
    """Title from the feed document (or an import file until the first
    refresh); None before then."""


@dataclass(frozen=True, slots=True)
class NewFeed:
    """A subscription to add in bulk, as read from an import file."""

    url: str
    title: str | None = None
    """Title to show until the first refresh brings the document's title."""
    folder: str | None = None
    user_title: str | None = None


@dataclass(frozen=True, slots=True)
class MarkedRead:
    """Entries one "mark all read" (or its undo) changed."""

    entry_ids: tuple[int, ...] = ()
    feed_ids: tuple[int, ...] = ()
    """Feeds whose unread count changed, in id order."""

    def __len__(self) -> int:
        return len(self.entry_ids)


def normalize_folder(name: str | None) -> str | None:
    """Return a folder name with blank path parts and control characters
    removed, or None for no folder ("" and " / " included)."""
    if name is None:
        return None
    parts = [part.strip() for part in clean_line(name).split(FOLDER_SEPARATOR)]
    joined = FOLDER_SEPARATOR.join(part for part in parts if part)
    return joined or None


def _clean_title(title: str | None) -> str | None:
    cleaned = clean_line(title or "").strip()
    return cleaned or None


def _utc_now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class FolderMethods:
    """Folders, user titles, bulk subscribe and mark-all-read with undo."""

    _db: sqlite3.Connection

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # Store defines it.

    # Folders and titles

    def set_feed_folder(self, feed_id: int, folder: str | None) -> str | None:
        """Move a feed into ``folder`` (None or "" for no folder); return the
        normalized folder name it was stored under."""
        name = normalize_folder(folder)
        self._update_feed(feed_id, "folder", name)
        return name

    def rename_feed(self, feed_id: int, title: str | None) -> str | None:
        """Give a feed a title shown over its document's title; None or ""
        goes back to the document's title. Return the stored title."""
        cleaned = _clean_title(title)
        self._update_feed(feed_id, "user_title", cleaned)
        return cleaned

    def _update_feed(self, feed_id: int, column: str, value: str | None) -> None:
        with self._transaction() as db:
            cursor = db.execute(
                f"UPDATE feeds SET {column} = ? WHERE id = ?", (value, feed_id)
            )
        if cursor.rowcount == 0:
            raise FeedNotFoundError(
                f"feed {feed_id} not found; list feeds with 'tidings feeds'"
            )

    def rename_folder(self, folder: str, new_name: str | None) -> int:
        """Move every feed of ``folder`` to ``new_name`` and return how many
        moved; subfolders move along ("Tech/Python" becomes "New/Python").
        An existing folder of that name is merged with, and None or "" takes
        the feeds out of folders, leaving subfolders at the top. Raises
        FolderNotFoundError when no feed is in ``folder`` or below it."""
        name = self._existing_folder(folder)
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE feeds AS f SET folder = CASE WHEN f.folder = ? THEN ? "
                "ELSE coalesce(? || '/', '') || substr(f.folder, length(?) + 2) "
                f"END WHERE {_IN_FOLDER}",
                (name, *(normalize_folder(new_name),) * 2, name, *(name,) * 3),
            )
        return cursor.rowcount

    def _existing_folder(self, folder: str) -> str:
        name = normalize_folder(folder)
        found = (
            name is not None
            and self._db.execute(
                f"SELECT 1 FROM feeds f WHERE {_IN_FOLDER} LIMIT 1", (name,) * 3
            ).fetchone()
        )
        if not found or name is None:
            raise FolderNotFoundError(
                f"folder {folder!r} not found; list folders with 'tidings folders'"
            )
        return name

    def list_folders(self) -> list[Folder]:
        """Return every folder that has a feed, by name, with summed counts."""
        # Counts come from the per-feed counters the schema's triggers keep.
        rows = self._db.execute(
            "SELECT f.folder, count(f.id), "
            "coalesce(sum(c.unread), 0), coalesce(sum(c.total), 0) "
            "FROM feeds f LEFT JOIN feed_counts c ON c.feed_id = f.id "
            "WHERE f.folder IS NOT NULL GROUP BY f.folder "
            "ORDER BY lower(f.folder), f.folder"
        ).fetchall()
        return [
            Folder(name, feeds, unread, total) for name, feeds, unread, total in rows
        ]

    def feed_settings(self) -> dict[int, FeedSettings]:
        """Return the folder and user title of every feed, by feed id."""
        rows = self._db.execute("SELECT id, folder, user_title, title FROM feeds")
        return {row[0]: FeedSettings(*row) for row in rows}

    def get_feed_settings(self, feed_id: int) -> FeedSettings:
        """Return one feed's folder and user title or raise FeedNotFoundError."""
        row = self._db.execute(
            "SELECT id, folder, user_title, title FROM feeds WHERE id = ?", (feed_id,)
        ).fetchone()
        if row is None:
            raise FeedNotFoundError(
                f"feed {feed_id} not found; list feeds with 'tidings feeds'"
            )
        return FeedSettings(*row)

    # Bulk subscribe

    def add_feeds(self, feeds: Iterable[NewFeed]) -> list[tuple[int, bool]]:
        """Subscribe to many feeds in one transaction, without fetching.

        Returns (feed id, added) per item in order; ``added`` is False when
        the URL was already subscribed, in which case the feed is unchanged.
        """
        results: list[tuple[int, bool]] = []
        added_at = _utc_now_text()
        with self._transaction() as db:
            for feed in feeds:
                results.append(self._insert_new_feed(db, feed, added_at))
        return results

    def _insert_new_feed(
        self, db: sqlite3.Connection, feed: NewFeed, added_at: str
    ) -> tuple[int, bool]:
        cursor = db.execute(
            "INSERT INTO feeds (url, title, folder, user_title, added_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING",
            (
                feed.url,
                _clean_title(feed.title),
                normalize_folder(feed.folder),
                _clean_title(feed.user_title),
                added_at,
            ),
        )
        if cursor.rowcount:
            assert cursor.lastrowid is not None
            return cursor.lastrowid, True
        (existing,) = db.execute(
            "SELECT id FROM feeds WHERE url = ?", (feed.url,)
        ).fetchone()
        return existing, False

    # Mark all read, with undo

    def mark_all_read(
        self, feed_id: int | None = None, *, folder: str | None = None
    ) -> MarkedRead:
        """Mark every unread entry of a feed, of a folder, or (with neither)
        of the whole cache read, and remember them for ``undo_mark_all_read``.

        A mark-all that changes nothing keeps the previous one undoable.
        """
        where, params = self._mark_all_scope(feed_id, folder)
        with self._transaction() as db:
            unread = db.execute(
                f"SELECT e.id FROM entries e JOIN feeds f ON f.id = e.feed_id "
                f"WHERE e.read = 0 AND {where}",
                params,
            ).fetchall()
            if not unread:
                return MarkedRead()
            db.execute("DELETE FROM mark_all_undo")
            db.executemany("INSERT INTO mark_all_undo (entry_id) VALUES (?)", unread)
            db.execute(
                "UPDATE entries SET read = 1, read_at = ? "
                "WHERE id IN (SELECT entry_id FROM mark_all_undo)",
                (_utc_now_text(),),
            )
            return _marked(db, "SELECT entry_id FROM mark_all_undo")

    def _mark_all_scope(
        self, feed_id: int | None, folder: str | None
    ) -> tuple[str, tuple[Any, ...]]:
        if feed_id is not None and folder is not None:
            raise ValueError("mark_all_read takes a feed or a folder, not both")
        if feed_id is not None:
            self.get_feed_settings(feed_id)  # Raises FeedNotFoundError.
            return "e.feed_id = ?", (feed_id,)
        if folder is not None:
            name = self._existing_folder(folder)
            return _IN_FOLDER, (name, name, name)
        return "1", ()

    def last_mark_all_read(self) -> MarkedRead:
        """Return the entries that ``undo_mark_all_read`` would mark unread."""
        return _marked(self._db, _UNDOABLE)

    def undo_mark_all_read(self) -> MarkedRead:
        """Mark unread again the entries the last mark-all changed and that are
        still read; return them. A second undo changes nothing."""
        with self._transaction() as db:
            restored = _marked(db, _UNDOABLE)
            db.executemany(
                "UPDATE entries SET read = 0, read_at = NULL WHERE id = ?",
                [(entry_id,) for entry_id in restored.entry_ids],
            )
            db.execute("DELETE FROM mark_all_undo")
        return restored


_IN_FOLDER = "(f.folder = ? OR substr(f.folder, 1, length(?) + 1) = ? || '/')"
"""Matches the feeds ``f`` of a folder and of its subfolders; each of the
three parameters is the folder name."""

FOLDER_FEEDS = f"SELECT f.id FROM feeds f WHERE {_IN_FOLDER}"
"""Query of the ids of the feeds in a folder and its subfolders; each of
its three parameters is the folder name."""

_UNDOABLE = (
    "SELECT u.entry_id FROM mark_all_undo u JOIN entries e ON e.id = u.entry_id "
    "WHERE e.read = 1"
)


def _marked(db: sqlite3.Connection, entry_query: str) -> MarkedRead:
    entry_ids = tuple(row[0] for row in db.execute(f"{entry_query} ORDER BY 1"))
    feed_rows = db.execute(
        f"SELECT DISTINCT feed_id FROM entries WHERE id IN ({entry_query}) "
        "ORDER BY feed_id"
    )
    return MarkedRead(entry_ids, tuple(row[0] for row in feed_rows))


def iter_folder_parts(folder: str | None) -> Iterator[str]:
    """Yield the path parts of a folder name ("Tech/Python": Tech, Python)."""
    if folder:
        yield from folder.split(FOLDER_SEPARATOR)
