"""The ``backup`` and ``export`` subcommands: copies and dumps of the cache."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from reader.backup import backup_cache
from reader.export import write_json_export
from reader.models import StoreError, UsageError
from reader.store import Store

# backup


def configure_backup(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``tidings backup``."""
    parser.add_argument(
        "path",
        type=Path,
        metavar="PATH",
        help="backup file to write, or a directory to write a dated file in",
    )


def run_backup(store: Store, args: argparse.Namespace) -> int:
    """Copy the cache to PATH with SQLite's backup API and report the copy."""
    result = backup_cache(store.path, args.path)
    size = result.size / (1024 * 1024)
    print(
        f"Backed up {result.feeds} feeds and {result.entries} entries "
        f"({result.read} read, {result.starred} starred) to {result.path} "
        f"({size:.1f} MiB)"
    )
    return 0


# export


def configure_export(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``tidings export``."""
    formats = parser.add_mutually_exclusive_group(required=True)
    formats.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const="json",
        help="every feed, entry, read and starred flag as one JSON document",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write to FILE instead of standard output",
    )


def run_export(store: Store, args: argparse.Namespace) -> int:
    """Write the dump in the chosen format to stdout or to --output."""
    if args.format != "json":
        raise UsageError(f"export format {args.format!r} is not supported")
    if args.output is None:
        write_json_export(store, sys.stdout)
        return 0
    output: Path = args.output
    if not output.parent.is_dir():
        raise UsageError(f"cannot write {output}: directory {output.parent} is missing")
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as file:
            counts = write_json_export(store, file)
        os.replace(temporary, output)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise StoreError(f"cannot write export {output}: {error}") from error
    print(f"Exported {counts.feeds} feeds and {counts.entries} entries to {output}")
    return 0
