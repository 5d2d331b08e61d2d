"""Subcommands of ``tidings``: one function to configure, one to run each."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reader.cli_add import configure_add, run_add
from reader.cli_config import CONFIG_COMMANDS
from reader.cli_data import configure_backup, run_backup
from reader.cli_output import (
    ENTRY_HEADER,
    FEED_HEADER,
    entry_header,
    entry_json,
    feed_json,
    format_entry_row,
    format_feed_row,
    plural,
    print_header,
)
from reader.cli_refresh import (
    add_refresh_options,
    limits_from_args,
    refresh_with_progress,
)
from reader.cli_schedule import configure_feed_interval, run_feed_interval
from reader.cli_subscriptions import SUBSCRIPTION_COMMANDS, feed_settings_json
from reader.models import EntryNotFoundError, Feed, UsageError
from reader.store import Store
from reader.textsafe import clean_line

Handler = Callable[[Store, argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, help text, arguments and handler."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Handler
    verify_cache: bool = False
    """Run ``PRAGMA quick_check`` on the cache before the command, for
    commands that write much or copy it."""

    def register(self, subparsers: Any) -> None:
        """Add this command to an argparse subparsers object."""
        parser = subparsers.add_parser(self.name, help=self.help, description=self.help)
        self.configure(parser)
        parser.set_defaults(handler=self.run, verify_cache=self.verify_cache)


def _feed_summary(feed: Feed) -> str:
    return f"{clean_line(feed.title)} ({plural(feed.total, 'entry', 'entries')})"


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# remove


def _configure_remove(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("feed_ids", type=int, nargs="+", metavar="FEED_ID")


def _run_remove(store: Store, args: argparse.Namespace) -> int:
    feeds = [store.get_feed(feed_id) for feed_id in args.feed_ids]
    for feed in feeds:
        store.remove_feed(feed.id)
        print(f"Removed feed {feed.id}: {_feed_summary(feed)}")
    return 0


# refresh


def _configure_refresh(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "feed_ids",
        type=int,
        nargs="*",
        metavar="FEED_ID",
        help="feeds to refresh (default: every feed that is due)",
    )
    add_refresh_options(parser)


def _run_refresh(store: Store, args: argparse.Namespace) -> int:
    for feed_id in args.feed_ids:
        store.get_feed(feed_id)
    limits = limits_from_args(args)
    feed_ids = args.feed_ids or None
    return refresh_with_progress(store, feed_ids, force=args.force, **limits)


# feeds


def _configure_feeds(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="output JSON")


def _run_feeds(store: Store, args: argparse.Namespace) -> int:
    feeds = store.list_feeds()
    if args.json:
        settings = store.feed_settings()
        _print_json(
            [feed_json(feed) | feed_settings_json(settings[feed.id]) for feed in feeds]
        )
    elif not feeds and sys.stdout.isatty():
        print("No feeds yet; subscribe with: tidings add URL", file=sys.stderr)
    elif feeds:
        print_header(FEED_HEADER)
        for feed in feeds:
            print(format_feed_row(feed))
    return 0


# entries


def _configure_entries(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--feed", type=int, metavar="FEED_ID", help="only this feed")
    parser.add_argument("--unread", action="store_true", help="only unread entries")
    parser.add_argument("--starred", action="store_true", help="only starred entries")
    parser.add_argument(
        "--limit", type=int, metavar="N", help="at most N entries, newest first"
    )
    parser.add_argument("--json", action="store_true", help="output JSON")


def _run_entries(store: Store, args: argparse.Namespace) -> int:
    if args.feed is not None:
        store.get_feed(args.feed)
    if args.limit is not None and args.limit < 0:
        raise UsageError(f"invalid --limit {args.limit}; use 0 or more")
    entries = store.list_entries(
        args.feed,
        unread_only=args.unread,
        starred_only=args.starred,
        limit=args.limit,
    )
    if args.json:
        _print_json([entry_json(entry) for entry in entries])
    elif entries:
        print_header(ENTRY_HEADER)
        for entry in entries:
            print(format_entry_row(entry))
    return 0


# show


def _configure_show(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("entry_id", type=int, metavar="ENTRY_ID")
    parser.add_argument(
        "--format",
        choices=("markdown", "text"),
        default="markdown",
        help="Markdown source (default) or rendered plain text",
    )
    parser.add_argument(
        "--header",
        action="store_true",
        help="print title, feed, author, date and link before the body",
    )


def _run_show(store: Store, args: argparse.Namespace) -> int:
    # Imported here: the HTML converter would slow every command's start.
    from reader.articles import entry_markdown
    from reader.convert import markdown_to_text

    entry = store.get_entry(args.entry_id)
    body = entry_markdown(store, entry)
    if args.format == "text":
        width = shutil.get_terminal_size((80, 24)).columns
        body = markdown_to_text(body, width=width)
    if args.header:
        sys.stdout.write(entry_header(entry) + "\n")
    sys.stdout.write(body.rstrip("\n") + "\n")
    return 0


# mark


def _configure_mark(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("entry_ids", type=int, nargs="+", metavar="ENTRY_ID")
    state = parser.add_mutually_exclusive_group(required=True)
    for flag in ("read", "unread", "starred", "unstarred"):
        state.add_argument(f"--{flag}", dest="state", action="store_const", const=flag)


def _run_mark(store: Store, args: argparse.Namespace) -> int:
    missing = store.missing_entries(args.entry_ids)
    if missing:
        ids = ", ".join(str(entry_id) for entry_id in missing)
        raise EntryNotFoundError(
            f"entry {ids} not found, nothing marked; list entries with "
            "'tidings entries'"
        )
    if args.state in ("read", "unread"):
        store.set_read(args.entry_ids, args.state == "read")
    else:
        store.set_starred(args.entry_ids, args.state == "starred")
    return 0


COMMANDS: tuple[Command, ...] = (
    Command("add", "subscribe to a feed and fetch it", configure_add, run_add),
    Command(
        "remove",
        "unsubscribe and delete cached entries",
        _configure_remove,
        _run_remove,
    ),
    Command(
        "refresh",
        "fetch feeds and store new entries",
        _configure_refresh,
        _run_refresh,
        verify_cache=True,
    ),
    Command("feeds", "list subscribed feeds", _configure_feeds, _run_feeds),
    Command(
        "entries", "list cached entries, newest first", _configure_entries, _run_entries
    ),
    Command("show", "print an entry's body", _configure_show, _run_show),
    Command(
        "mark",
        "mark entries read, unread, starred or unstarred",
        _configure_mark,
        _run_mark,
    ),
    Command(
        "backup",
        "copy the cache to a file while tidings may be running",
        configure_backup,
        run_backup,
        verify_cache=True,
    ),
    Command(
        "feed-interval",
        "show or set how often a feed is refreshed",
        configure_feed_interval,
        run_feed_interval,
    ),
    *(Command(*spec) for spec in (*SUBSCRIPTION_COMMANDS, *CONFIG_COMMANDS)),
)
