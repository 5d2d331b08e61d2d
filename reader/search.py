"""Full-text search over entries with SQLite FTS5, and saved searches.

The index ``entries_fts`` contains each entry's title, author and body
text with the HTML stripped, and its rowid is the entry id. Triggers queue changed
entries and delete removed ones (see the schema), and ``index_pending``
indexes the queue.

``reader.search_query`` describes the query syntax, and
``reader.search_rank`` how every match is ranked: by relevance (BM25, a
title match weighs most), then by date, newest first.
"""

from __future__ import annotations

import html
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from reader.models import TidingsError, UsageError
from reader.rows import EntryRow

if TYPE_CHECKING:
    from reader.search_count import MatchCount

# match_expression is re-exported: lists and the search screen import it here.
from reader.search_query import match_expression as match_expression
from reader.search_query import parse_query

INDEX_BATCH = 500
"""Queued entries indexed per query, so memory stays flat on a large queue."""

SEARCH_TEXT_VERSION = "1"
"""Version of ``search_text``. Change it whenever that function changes, so
that caches indexed by the old one rebuild their index."""

# Script and style bodies are code, not prose, and comments are not shown.
_HIDDEN = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"<[^>]*>")
# Entities that decode to a character the tokenizer treats as a separator,
# so a space in their place yields the same tokens. Each is a whole match of
# html.unescape wherever it occurs, because no entity name contains "&", so
# replacing them first leaves the decoding of every other entity unchanged.
_SEPARATOR_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|nbsp|#39);")


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
    total: int | None
    """How many entries match; None when the search was asked not to count
    them and did not need to (see ``SearchQueries.search``)."""
    scored: bool
    """Whether BM25 ordered the rows. False when every term is in half of
    the entries or more: then the matches with every term in the title or
    author come first, then the others, each group newest first."""


def search_text(fragment: str) -> str:
    """Return the words of an HTML fragment for the index.

    Tags, comments, scripts and styles go, and entities are decoded. A
    regular expression is enough here, because the tokenizer only needs the
    words, and it is much faster than an HTML parser on a refresh. The most
    common entities become spaces in one pass, and ``html.unescape``, which
    calls Python once per entity, runs only when others remain.
    """
    text = _TAG.sub(" ", _HIDDEN.sub(" ", fragment))
    text = _SEPARATOR_ENTITY.sub(" ", text)
    return html.unescape(text) if "&" in text else text


def index_pending(
    db: sqlite3.Connection, known_texts: dict[str, str] | None = None
) -> int:
    """Bring the index up to date with the queues the schema's triggers
    fill; return how many entries were indexed.

    ``known_texts`` maps bodies to their ``search_text``, computed before
    the transaction, and the texts used are removed from it. Runs in the
    caller's transaction, if any.
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
            [_indexed_values(row, known_texts) for row in rows],
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


def _indexed_values(
    row: tuple[Any, ...], known_texts: dict[str, str] | None = None
) -> tuple[int, str, str, str]:
    # The index is contentless: removing an entry needs exactly the values
    # it was added with, so both paths build them here. A known text is
    # search_text of the same body, so it is that value too.
    entry_id, title, author, content = row
    text = None if known_texts is None else known_texts.pop(content, None)
    return entry_id, title, author or "", search_text(content) if text is None else text


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

    def search(
        self, query: str, *, limit: int = 50, count: bool = True
    ) -> SearchResults:
        """Return the ``limit`` best matches of ``query`` across all feeds.

        With ``count`` False, a query whose every term looks common in the
        newest entries is ranked title matches first, then newest, and
        neither counted nor checked: ``total`` is None. The caller then
        calls ``count_matches``, and searches again with the count when
        ``MatchCount.common`` is False. Raises UsageError when the query
        has no term to look for.
        """
        # Imported here: the TUI imports this module at start-up, and ranking
        # is needed only once the user searches.
        from reader.search_rank import rank_matches

        parsed = parse_query(query)
        if parsed is None:
            raise _no_terms(query)
        self.update_search_index()
        ranked = rank_matches(self._db, parsed, limit, count=count)
        return SearchResults(query, ranked.rows, ranked.total, ranked.scored)

    def count_matches(self, query: str) -> MatchCount:
        """Count the entries that match ``query`` (see ``search``)."""
        from reader.search_count import count_matches

        self.update_search_index()
        return count_matches(self._db, query)

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
        if match_expression(query) is None:
            raise _no_terms(query)
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


def _no_terms(query: str) -> UsageError:
    return UsageError(
        f"invalid search {query!r}: it has no word to look for; "
        "add one, as in 'release -draft'"
    )
