"""``tidings backup`` and the JSON dump of ``tidings export --json``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from reader.backup import backup_cache
from reader.cli_output import format_size, plural
from reader.export import write_json_export
from reader.models import StoreError, UsageError
from reader.store import Store

# backup


def configure_backup(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``tidings backup``."""
    parser.add_argument(
        "path",
        metavar="PATH",
        help="backup file to write, or a directory (existing, or ending in /) "
        "to create and write a new dated file in",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace PATH when it is an existing backup file",
    )


def run_backup(store: Store, args: argparse.Namespace) -> int:
    """Copy the cache to PATH with SQLite's backup API and report the copy."""
    result = backup_cache(store.path, args.path, overwrite=args.force)
    print(
        f"Backed up {plural(result.feeds, 'feed', 'feeds')} and "
        f"{plural(result.entries, 'entry', 'entries')} "
        f"({result.read} read, {result.starred} starred) to {result.path} "
        f"({format_size(result.size)})"
    )
    return 0


# export


def add_export_formats(parser: argparse.ArgumentParser) -> None:
    """Add ``--opml`` (the default) and ``--json`` to ``tidings export``."""
    formats = parser.add_mutually_exclusive_group()
    formats.add_argument(
        "--opml",
        dest="format",
        action="store_const",
        const="opml",
        default="opml",
        help="subscriptions as OPML 2.0 with folders (the default)",
    )
    formats.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const="json",
        help="every feed, entry, content, read and starred flag as one JSON document",
    )


def run_json_export(store: Store, output: Path | None) -> int:
    """Write the JSON dump to ``output``, or to stdout for None or "-"."""
    if output is None or str(output) == "-":
        write_json_export(store, sys.stdout)
        return 0
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
    print(
        f"Exported {counts.feeds} feeds and {counts.entries} entries to {output}",
        file=sys.stderr,
    )
    return 0
