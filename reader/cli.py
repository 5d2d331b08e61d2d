"""The ``tidings`` command: the TUI and scriptable subcommands.

Exit status: 0 on success, 1 when a refresh had failures, 2 on invalid
input (unknown id, unreadable file, invalid URL), in which case the cache is
left unchanged, and 2 when the cache cannot be opened, read or written
(damaged, locked, disk full), in which case the failed write was rolled
back.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from reader import __version__
from reader.cli_commands import COMMANDS
from reader.models import TidingsError
from reader.paths import DB_ENV, default_db_path
from reader.store import Store
from reader.store_errors import read_error_message

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2


def add_common_options(parser: argparse.ArgumentParser, default: object) -> None:
    """Add --db and --verbose, accepted before and after the subcommand.

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


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for ``tidings`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="tidings",
        description="A keyboard-driven terminal feed reader with an offline "
        "cache. With no subcommand, opens the reader.",
    )
    parser.add_argument("--version", action="version", version=f"tidings {__version__}")
    add_common_options(parser, None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
        add_common_options(subparsers.choices[command.name], argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(bool(args.verbose))
    db_path: Path = args.db or default_db_path()
    handler: Callable[[Store, argparse.Namespace], int] | None = getattr(
        args, "handler", None
    )
    # The TUI runs for long and writes marks, so it checks the cache first.
    verify = getattr(args, "verify_cache", True)
    try:
        with Store(db_path, verify=verify) as store:
            if handler is None:
                return _run_tui(store)
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


def _configure_logging(verbose: bool) -> None:
    # Log records go to stderr only on request: a refresh failure is already
    # reported in the command's own output, and once is enough.
    root = logging.getLogger()
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    elif not root.handlers:
        root.addHandler(logging.NullHandler())


def _run_tui(store: Store) -> int:
    # Textual is imported here so that scripted subcommands start fast.
    from reader.cli_tui import launch_tui

    return launch_tui(store)
