"""The ``tidings`` command: the TUI and scriptable subcommands.

Exit status: 0 on success, 1 when a refresh had failures, 2 on invalid
input (unknown id, unreadable file, invalid URL), in which case the cache is
left unchanged, and 2 when the cache cannot be opened, read or written
(damaged, locked, disk full), in which case the failed write was rolled
back.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from reader.models import TidingsError, UsageError
from reader.paths import DB_ENV, default_db_path
from reader.retention import DEFAULT_RETENTION
from reader.store import Store
from reader.store_errors import read_error_message

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2


def add_common_options(parser: argparse.ArgumentParser, default: object) -> None:
    """Add --db, --verbose and --keep-days, accepted before and after the
    subcommand.

    Subcommands add them with ``argparse.SUPPRESS`` as the default, so a
    value given before the subcommand is not overwritten by the default.
    """
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        default=default,
        help=f"SQLite cache file (default: ${DB_ENV}, else {default_db_path()})",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="log what tidings does to stderr",
    )
    parser.add_argument(
        "--keep-days",
        type=int,
        default=default,
        metavar="DAYS",
        help="on refresh, delete read entries older than DAYS days that the feed "
        "no longer lists, except starred ones; 0 keeps every entry (default: "
        f"cache.retention_days from the config, else {DEFAULT_RETENTION.days})",
    )


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for ``tidings`` and its subcommands."""
    # The subcommands' modules import HTTP, parsing and more, so they are
    # imported only when a parser for them is needed (see ``main``).
    from reader.cli_commands import COMMANDS
    from reader.cli_search import SEARCH_COMMANDS

    parser = _reader_parser()
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in (*COMMANDS, *SEARCH_COMMANDS):
        command.register(subparsers)
        add_common_options(subparsers.choices[command.name], argparse.SUPPRESS)
    return parser


def _reader_parser(add_help: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tidings",
        description="A keyboard-driven terminal feed reader with an offline "
        "cache. With no subcommand, opens the reader.",
        add_help=add_help,
    )
    parser.add_argument("--version", action=_VersionAction, help="show the version")
    add_common_options(parser, None)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    A line of options only, which opens the reader, is parsed without the
    subcommands, which saves importing their modules at every start.
    """
    # Without -h here, a request for help falls through to the full parser.
    reader_args, rest = _reader_parser(add_help=False).parse_known_args(argv)
    if not rest:
        return reader_args
    arguments = list(sys.argv[1:] if argv is None else argv)
    if rest[0] == "search":
        arguments = _search_words_last(arguments)
    return build_parser().parse_args(arguments)


_SEARCH_FLAGS = frozenset({"-h", "--help", "-v", "--verbose", "--json"})
_SEARCH_OPTIONS = frozenset({"--limit", "--save", "--db", "--keep-days"})
"""Options of ``tidings search`` that take a value."""


def _search_words_last(arguments: list[str]) -> list[str]:
    """Move the query words, in order, after a ``--`` at the end.

    argparse takes any argument that starts with "-" for an option, so
    ``tidings search -draft`` would fail without it. Arguments after an
    explicit ``--`` are words already.
    """
    start = arguments.index("search") + 1
    kept, words = arguments[:start], []
    index = start
    while index < len(arguments):
        argument = arguments[index]
        index += 1
        if argument == "--":
            words.extend(arguments[index:])
            break
        name = argument.split("=", 1)[0]
        if argument in _SEARCH_FLAGS or name in _SEARCH_OPTIONS:
            kept.append(argument)
            if argument in _SEARCH_OPTIONS and index < len(arguments):
                kept.append(arguments[index])
                index += 1
        else:
            words.append(argument)
    return [*kept, "--", *words] if words else kept


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = parse_args(argv)
    _configure_logging(bool(args.verbose))
    db_path: Path = args.db or default_db_path()
    handler: Callable[[Store, argparse.Namespace], int] | None = getattr(
        args, "handler", None
    )
    # The TUI checks the cache too, but after its first frame, because the
    # check reads every page: seconds for a cache of 100,000 entries.
    verify = getattr(args, "verify_cache", False)
    try:
        with Store(db_path, verify=verify, retention=_retention(args)) as store:
            if handler is None:
                return _run_tui(store, keep_retention=args.keep_days is not None)
            return handler(store, args)
    except TidingsError as error:
        print(f"tidings: {error}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.DatabaseError as error:
        # A read found a damaged page that the open did not check.
        print(f"tidings: {read_error_message(db_path, error)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of a pipe (``tidings entries | head``) closed it early.
        # Point stdout at /dev/null so the interpreter's final flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


class _VersionAction(argparse.Action):
    """Print the version and exit; reads it only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("default", argparse.SUPPRESS)
        super().__init__(option_strings, argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from reader import __version__

        print(f"tidings {__version__}")
        parser.exit()


def _retention(args: argparse.Namespace) -> timedelta | None:
    days = DEFAULT_RETENTION.days if args.keep_days is None else args.keep_days
    if days < 0:
        raise UsageError(f"invalid --keep-days {days}; use 0 (keep all) or more")
    return timedelta(days=days) if days else None


def _configure_logging(verbose: bool) -> None:
    # Log records go to stderr only on request: a refresh failure is already
    # reported in the command's own output, and once is enough.
    root = logging.getLogger()
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    elif not root.handlers:
        root.addHandler(logging.NullHandler())


def _run_tui(store: Store, *, keep_retention: bool) -> int:
    # The garbage collector stays off while Textual is imported and the
    # first screen is built, because its full passes over those long-lived
    # objects cost tens of milliseconds. The app turns it back on after the
    # first frame (``TidingsApp.on_mount``).
    gc.disable()
    try:
        # Textual is imported here so that scripted subcommands start fast.
        from reader.cli_tui import launch_tui

        return launch_tui(store, keep_retention=keep_retention)
    finally:
        gc.enable()
