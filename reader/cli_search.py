"""Subcommands for full-text search, saved searches and compaction."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Any

from reader.cli_commands import Command
from reader.cli_output import (
    ENTRY_HEADER,
    entry_json,
    format_entry_row,
    format_size,
    print_header,
)
from reader.models import UsageError
from reader.search import SearchResults
from reader.store import Store
from reader.textsafe import clean_line

DEFAULT_LIMIT = 50


def print_json(value: Any) -> None:
    """Write ``value`` to stdout as indented JSON."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _configure_search(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "words",
        nargs="+",
        metavar="QUERY",
        help='words (matched as prefixes), "a phrase", title:word, author:name '
        "or -word (to exclude a word); every term must match",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"at most N entries, best first (default: {DEFAULT_LIMIT})",
    )
    parser.add_argument(
        "--save", metavar="NAME", help="also save the query as a virtual feed"
    )
    parser.add_argument("--json", action="store_true", help="output JSON")


def _run_search(store: Store, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError(f"invalid --limit {args.limit}; use 1 or more")
    query = " ".join(args.words)
    _reject_unknown_fields(query)
    # JSON is one document, so it waits for the count. Text rows are printed
    # first, because counting a query found in most entries can take longer
    # than ranking it.
    found = store.search(query, limit=args.limit, count=args.json)
    if args.save is not None:
        store.save_search(args.save, query)
    _print_rows(store, found, as_json=args.json)
    if found.total is None:
        found = _count_after_rows(store, found, args.limit)
    assert found.total is not None
    if len(found.rows) < found.total:
        print(
            f"tidings: showing {len(found.rows)} of {found.total} matching entries; "
            "raise --limit to see more",
            file=sys.stderr,
        )
    if not found.rows:
        print(f"No entries match {query!r}", file=sys.stderr)
    if found.rows and not found.scored:
        print(f"tidings: {TITLE_THEN_DATE_NOTE}", file=sys.stderr)
    return 0


def _reject_unknown_fields(query: str) -> None:
    from reader.search_query import SEARCH_FIELDS, unknown_fields

    unknown = unknown_fields(query)
    if unknown:
        valid = ", ".join(f"{name}:" for name in SEARCH_FIELDS)
        raise UsageError(
            f"invalid search field {unknown[0]!r} in {query!r}; valid fields: "
            f"{valid} (or put the term in quotes to search for it as a word)"
        )


TITLE_THEN_DATE_NOTE = (
    "every word is in half the entries or more, so results are not ranked by "
    "relevance: title and author matches come first, then the rest, newest first"
)
"""Message on stderr when BM25 did not order the results."""


def _print_rows(store: Store, found: SearchResults, *, as_json: bool) -> None:
    entries = [store.get_entry(row.id) for row in found.rows]
    if as_json:
        print_json(
            [entry_json(entry) | {"feed_title": entry.feed_title} for entry in entries]
        )
    elif entries:
        print_header(f"{ENTRY_HEADER}  (FEED)")
        for entry in entries:
            print(f"{format_entry_row(entry)}  ({clean_line(entry.feed_title)})")
    sys.stdout.flush()


def _count_after_rows(store: Store, found: SearchResults, limit: int) -> SearchResults:
    counted = store.count_matches(found.query)
    if counted.common:
        return replace(found, total=counted.total)
    # The newest entries made the query look common, but the count shows
    # that it is not (see MatchCount.common), so the rows above were in the
    # wrong order.
    # NOTE: the text output then lists the matches twice; JSON never does.
    print(
        f"tidings: {counted.total} of {counted.indexed} entries match, fewer than "
        "half, so here they are again ranked by relevance",
        file=sys.stderr,
    )
    ranked = store.search(found.query, limit=limit)
    _print_rows(store, ranked, as_json=False)
    return ranked


def _configure_searches(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--delete", metavar="NAME", help="delete this saved search")
    parser.add_argument("--json", action="store_true", help="output JSON")


def _run_searches(store: Store, args: argparse.Namespace) -> int:
    if args.delete is not None:
        store.delete_saved_search(args.delete)
        return 0
    saved = store.list_saved_searches()
    if args.json:
        print_json([{"id": s.id, "name": s.name, "query": s.query} for s in saved])
    else:
        for search in saved:
            print(f"{clean_line(search.name)}\t{clean_line(search.query)}")
    return 0


def _configure_vacuum(parser: argparse.ArgumentParser) -> None:
    del parser


def _run_vacuum(store: Store, args: argparse.Namespace) -> int:
    report = store.vacuum()
    print(
        f"Compacted {store.path}: {format_size(report.before)} -> "
        f"{format_size(report.after)}"
    )
    return 0


SEARCH_COMMANDS: tuple[Command, ...] = (
    Command(
        "search",
        "full-text search of titles, authors and bodies, best match first",
        _configure_search,
        _run_search,
    ),
    Command(
        "searches",
        "list saved searches, or delete one",
        _configure_searches,
        _run_searches,
    ),
    Command(
        "vacuum",
        "compact the cache file and its search index",
        _configure_vacuum,
        _run_vacuum,
        verify_cache=True,
    ),
)
