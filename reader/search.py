"""Full-text search over entries with SQLite FTS5, and saved searches.

The index ``entries_fts`` contains each entry's title, author and body
text with the HTML stripped, and its rowid is the entry id. Triggers queue changed
entries and delete removed ones (see the schema), and ``index_pending``
indexes the queue.

Query syntax, as typed by the user:

- ``word`` matches words starting with it (``pars`` finds "parser"); a
  one-letter word matches only itself, because a one-letter prefix matches
  most of the index and makes every search slow;
- ``"two words"`` matches the exact phrase;
- ``title:word`` and ``author:word`` look in one field only;
- ``-word`` drops entries that contain it.

Every term must match. Results rank by relevance (BM25, a title match
weighs most), then by date, newest first. A query that matches more than
``RANKED_MAX`` entries is ranked among the ``RANKED_MAX`` stored last, so
that a search for a common word returns within tens of milliseconds. The
total still counts every match.
"""

from __future__ import annotations

import html
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reader.models import TidingsError, UsageError
from reader.rows import ROW_COLUMNS, EntryRow, row_from_tuple

SEARCH_FIELDS = ("title", "author")
"""Fields a term may be limited to with ``field:term``."""

INDEX_BATCH = 500
"""Queued entries indexed per query, so memory stays flat on a large queue."""

SEARCH_TEXT_VERSION = "1"
"""Version of ``search_text``. Change it whenever that function changes, so
that caches indexed by the old one rebuild their index."""

RANKED_MAX = 5_000
"""Matches that BM25 scores at most; see the module docstring."""

# Script and style bodies are code, not prose, and comments are not shown.
_HIDDEN = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"<[^>]*>")
_TERM = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"?|(\S+))')


class SavedSearchExistsError(TidingsError, ValueError):
    """A saved search with this name already exists."""


class SavedSearchNotFoundError(TidingsError, LookupError):
    """No saved search has the requested name."""


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A named full-text query, listed as a virtual feed."""

    id: int
    name: str
    query: str
    """The query as the user typed it."""


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The best matches of a query and how many entries match in all."""

    query: str
    rows: tuple[EntryRow, ...]
    """Matches ranked by relevance, then date; at most the requested limit."""
    total: int


def search_text(fragment: str) -> str:
    """Return the words of an HTML fragment for the index.

    Tags, comments, scripts and styles go, and entities are decoded. A
    regular expression is enough here, because the tokenizer only needs the
    words, and it is much faster than an HTML parser on a refresh.
    """
    text = _TAG.sub(" ", _HIDDEN.sub(" ", fragment))
    return html.unescape(text)


def match_expression(query: str) -> str | None:
    """Translate a user's query into an FTS5 MATCH expression.

    Returns None when the query has no term to look for. Each term is
    quoted, so FTS5 operators and punctuation in the query match literally.
    """
    positive: list[str] = []
    negative: list[str] = []
    for match in _TERM.finditer(query):
        minus, field, phrase, word = match.groups()
        if field is not None and field.lower() not in SEARCH_FIELDS:
            # "http://x" or "std::vector": not a field, so the whole is a word.
            field, word = None, match.group(0).removeprefix(minus)
            phrase = None
        text = phrase if phrase is not None else word
        if not text or not text.strip():
            continue
        term = '"' + text.replace('"', '""') + '"'
        if phrase is None and len(text) > 1:
            term += "*"
        if field is not None:
            term = f"{field.lower()} : {term}"
        (negative if minus else positive).append(term)
    if not positive:
        return None
    expression = " AND ".join(positive)
    for term in negative:
        expression += f" NOT {term}"
    return expression


def index_pending(db: sqlite3.Connection) -> int:
    """Bring the index up to date with the queues the schema's triggers
    fill; return how many entries were indexed.

    Runs in the caller's transaction, if any.
    """
    _rebuild_if_outdated(db)
    _remove_stale(db)
    indexed = 0
    while True:
        rows = db.execute(
            "SELECT e.id, e.title, e.author, e.content "
            "FROM entries_fts_pending p JOIN entries e ON e.id = p.entry_id "
            "LIMIT ?",
            (INDEX_BATCH,),
        ).fetchall()
        if not rows:
            # Queued ids whose entry is gone (deleted with triggers off).
            db.execute("DELETE FROM entries_fts_pending")
            return indexed
        db.executemany(
            "INSERT INTO entries_fts (rowid, title, author, text) VALUES (?, ?, ?, ?)",
            [_indexed_values(row) for row in rows],
        )
        db.executemany(
            "DELETE FROM entries_fts_pending WHERE entry_id = ?",
            [(row[0],) for row in rows],
        )
        indexed += len(rows)


def _remove_stale(db: sqlite3.Connection) -> None:
    # Changed and deleted entries leave the index before anything is added,
    # because a new entry may reuse the id of a deleted one.
    while True:
        rows = db.execute(
            "SELECT entry_id, title, author, content FROM entries_fts_stale LIMIT ?",
            (INDEX_BATCH,),
        ).fetchall()
        if not rows:
            return
        db.executemany(
            "INSERT INTO entries_fts (entries_fts, rowid, title, author, text) "
            "VALUES ('delete', ?, ?, ?, ?)",
            [_indexed_values(row) for row in rows],
        )
        db.executemany(
            "DELETE FROM entries_fts_stale WHERE entry_id = ?",
            [(row[0],) for row in rows],
        )


def _indexed_values(row: tuple[Any, ...]) -> tuple[int, str, str, str]:
    # The index is contentless: removing an entry needs exactly the values
    # it was added with, so both paths build them here.
    entry_id, title, author, content = row
    return entry_id, title, author or "", search_text(content)


def _rebuild_if_outdated(db: sqlite3.Connection) -> None:
    row = db.execute(
        "SELECT value FROM meta WHERE key = 'search_text_version'"
    ).fetchone()
    if row is not None and row[0] == SEARCH_TEXT_VERSION:
        return
    # Entries indexed by another version of search_text cannot be removed
    # one by one, so the index starts again.
    db.execute("INSERT INTO entries_fts (entries_fts) VALUES ('delete-all')")
    db.execute("DELETE FROM entries_fts_stale")
    db.execute("INSERT OR IGNORE INTO entries_fts_pending SELECT id FROM entries")
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('search_text_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (SEARCH_TEXT_VERSION,),
    )


class SearchQueries:
    """Full-text search and saved searches, a mixin of ``Store``."""

    _db: sqlite3.Connection

    def update_search_index(self) -> int:
        """Index entries changed outside a refresh; return how many."""
        if self._index_is_current():
            return 0
        self._db.execute("BEGIN IMMEDIATE")
        try:
            count = index_pending(self._db)
        except BaseException:
            self._db.rollback()
            raise
        self._db.commit()
        return count

    def _index_is_current(self) -> bool:
        queued = self._db.execute(
            "SELECT EXISTS (SELECT 1 FROM entries_fts_pending) "
            "OR EXISTS (SELECT 1 FROM entries_fts_stale)"
        ).fetchone()[0]
        version = self._db.execute(
            "SELECT value FROM meta WHERE key = 'search_text_version'"
        ).fetchone()
        return not queued and version is not None and version[0] == SEARCH_TEXT_VERSION

    def search(self, query: str, *, limit: int = 50) -> SearchResults:
        """Return the ``limit`` best matches of ``query`` across all feeds.

        Raises UsageError when the query has no term to look for.
        """
        expression = _require_expression(query)
        self.update_search_index()
        # The newest RANKED_MAX + 1 matches, read in rowid order without
        # scoring, tell whether the query must be ranked on a subset.
        newest = self._db.execute(
            "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? "
            "ORDER BY rowid DESC LIMIT ?",
            (expression, RANKED_MAX + 1),
        ).fetchall()
        total = len(newest)
        lowest = 0
        if total > RANKED_MAX:
            lowest = newest[RANKED_MAX - 1][0]
            (total,) = self._db.execute(
                "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?",
                (expression,),
            ).fetchone()
        rows = self._db.execute(_RANKED, (expression, lowest, limit)).fetchall()
        return SearchResults(
            query=query,
            rows=tuple(row_from_tuple(row) for row in rows),
            total=int(total),
        )

    def list_saved_searches(self) -> list[SavedSearch]:
        """Return the saved searches ordered by name."""
        rows = self._db.execute(
            "SELECT id, name, query FROM saved_searches ORDER BY lower(name), id"
        ).fetchall()
        return [SavedSearch(*row) for row in rows]

    def save_search(self, name: str, query: str) -> SavedSearch:
        """Save ``query`` under ``name``.

        Raises UsageError for an empty name or a query with no term, and
        SavedSearchExistsError when the name is taken.
        """
        name = name.strip()
        if not name:
            raise UsageError("invalid saved search name: it is empty")
        _require_expression(query)
        try:
            cursor = self._db.execute(
                "INSERT INTO saved_searches (name, query, created_at) VALUES (?, ?, ?)",
                (name, query, datetime.now(UTC).isoformat()),
            )
        except sqlite3.IntegrityError:
            raise SavedSearchExistsError(
                f"a saved search named {name!r} already exists; delete it first "
                "with 'tidings searches --delete NAME'"
            ) from None
        assert cursor.lastrowid is not None
        return SavedSearch(cursor.lastrowid, name, query)

    def delete_saved_search(self, name: str) -> None:
        """Delete the saved search called ``name``."""
        cursor = self._db.execute("DELETE FROM saved_searches WHERE name = ?", (name,))
        if cursor.rowcount == 0:
            raise SavedSearchNotFoundError(
                f"saved search {name!r} not found; list them with 'tidings searches'"
            )


def _require_expression(query: str) -> str:
    expression = match_expression(query)
    if expression is None:
        raise UsageError(f"invalid search {query!r}: it has no word to look for")
    return expression


# The inner query ranks in the index alone; only the best rows are joined to
# entries, whose wide rows are slow to read in bulk. Ties in relevance at the
# limit are cut in the index's order, not by date.
_RANKED = f"""
SELECT {ROW_COLUMNS}
FROM (
    SELECT rowid AS id, rank FROM entries_fts
    WHERE entries_fts MATCH ? AND rowid >= ? ORDER BY rank LIMIT ?
) AS hits
JOIN entries e ON e.id = hits.id
ORDER BY hits.rank, e.sort_date DESC, e.id DESC
"""
