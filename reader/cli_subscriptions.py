"""Subcommands that organise subscriptions: import, export, rename, move,
folders and mark-all.

``cli_commands`` registers ``SUBSCRIPTION_COMMANDS`` beside its own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from reader.cli_data import add_export_formats, run_json_export
from reader.cli_output import FOLDER_HEADER, plural, print_header
from reader.cli_refresh import refresh_with_progress
from reader.models import UsageError
from reader.store import Store
from reader.store_folders import FeedSettings, MarkedRead
from reader.subscription_list import Skipped
from reader.subscriptions import (
    ImportedFeed,
    ImportReport,
    export_opml,
    import_subscriptions,
    read_subscription_file,
)
from reader.textsafe import clean_line

EXIT_INVALID_LINES = 1


class CommandSpec(NamedTuple):
    """Name, help text, argument set-up and handler of one subcommand."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Store, argparse.Namespace], int]


def feed_settings_json(settings: FeedSettings) -> dict[str, Any]:
    """Return the keys ``tidings feeds --json`` adds for a feed's settings."""
    return {"folder": settings.folder, "user_title": settings.user_title}


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# import


def _configure_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="OPML file, newsboat urls file, or a list of URLs (one a line)",
    )
    parser.add_argument(
        "--refresh", action="store_true", help="fetch the added feeds afterwards"
    )
    parser.add_argument("--json", action="store_true", help="output the report as JSON")


def _run_import(store: Store, args: argparse.Namespace) -> int:
    report = import_subscriptions(store, read_subscription_file(args.file))
    if args.json:
        _print_json(_report_json(report))
    else:
        _print_report(args.file, report)
    status = EXIT_INVALID_LINES if report.invalid else 0
    if args.refresh and report.added:
        added_ids = [feed.feed_id for feed in report.added]
        status = max(status, refresh_with_progress(store, added_ids, quiet=args.json))
    return status


def _print_report(path: Path, report: ImportReport) -> None:
    counts = ", ".join(
        [
            f"{len(report.added)} added",
            f"{len(report.present)} already present",
            f"{len(report.skipped)} skipped",
            f"{len(report.invalid)} invalid",
        ]
    )
    print(f"Imported {clean_line(str(path))} ({report.format}): {counts}")
    for _, text in sorted(_report_lines(report)):
        print(text)
    subscribed = [f for f in report.present if f.feed_id not in _first_lines(report)]
    if subscribed:
        print(
            "Feeds already subscribed keep their folder and title; the file's "
            "were not applied (change them with tidings move and tidings rename)."
        )


def _first_lines(report: ImportReport) -> dict[int, int]:
    """Return the file line that added each feed, by feed id."""
    return {feed.feed_id: feed.line for feed in report.added}


def _report_lines(report: ImportReport) -> list[tuple[int, str]]:
    """Return every line of the file that was not simply added, with its
    number, for printing in line order."""
    lines = [
        (s.line, f"  line {s.line}: skipped {s.text}: {s.reason}")
        for s in report.skipped
    ]
    lines += [
        (s.line, f"  line {s.line}: invalid {s.text}: {s.reason}")
        for s in report.invalid
    ]
    first_lines = _first_lines(report)
    for feed in report.present:
        url = clean_line(feed.url)
        first = first_lines.get(feed.feed_id)
        if first is None:
            text = f"already subscribed as feed {feed.feed_id}: {url}"
        else:
            text = f"duplicate of line {first}: {url}"
        lines.append((feed.line, f"  line {feed.line}: {text}"))
    return lines


def _report_json(report: ImportReport) -> dict[str, Any]:
    def feeds(items: tuple[ImportedFeed, ...]) -> list[dict[str, Any]]:
        return [{"line": f.line, "id": f.feed_id, "url": f.url} for f in items]

    def lines(items: tuple[Skipped, ...]) -> list[dict[str, Any]]:
        return [{"line": s.line, "text": s.text, "reason": s.reason} for s in items]

    return {
        "format": report.format,
        "added": feeds(report.added),
        "present": feeds(report.present),
        "skipped": lines(report.skipped),
        "invalid": lines(report.invalid),
    }


# export


def _configure_export(parser: argparse.ArgumentParser) -> None:
    add_export_formats(parser)
    parser.add_argument(
        "file",
        type=Path,
        nargs="?",
        metavar="FILE",
        help="file to write (default: standard output)",
    )


def _run_export(store: Store, args: argparse.Namespace) -> int:
    if args.format == "json":
        return run_json_export(store, args.file)
    document = export_opml(store)
    if args.file is None or str(args.file) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(document)
        sys.stdout.buffer.flush()
        return 0
    write_atomically(args.file, document)
    count = plural(len(store.list_feeds()), "feed", "feeds")
    print(f"Exported {count} to {clean_line(str(args.file))}", file=sys.stderr)
    return 0


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same
    directory, so a failed write leaves any previous file whole."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None


# rename and move


def _configure_rename(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("feed_id", type=int, metavar="FEED_ID")
    parser.add_argument(
        "title", metavar="TITLE", help='title to show; "" restores the feed\'s own'
    )


def _run_rename(store: Store, args: argparse.Namespace) -> int:
    title = store.rename_feed(args.feed_id, args.title)
    feed = store.get_feed(args.feed_id)
    action = "Renamed" if title else "Restored the title of"
    print(f"{action} feed {feed.id}: {clean_line(feed.title)}")
    return 0


def _configure_move(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("feed_ids", type=int, nargs="+", metavar="FEED_ID")
    parser.add_argument(
        "folder",
        metavar="FOLDER",
        help='folder name ("Tech/Python" nests); "" takes the feeds out of folders',
    )


def _run_move(store: Store, args: argparse.Namespace) -> int:
    for feed_id in args.feed_ids:
        store.get_feed(feed_id)
    for feed_id in args.feed_ids:
        folder = store.set_feed_folder(feed_id, args.folder)
        where = f"folder {clean_line(folder)}" if folder else "no folder"
        print(f"Moved feed {feed_id} to {where}")
    return 0


# folders


def _configure_folders(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="output JSON")


def _run_folders(store: Store, args: argparse.Namespace) -> int:
    folders = store.list_folders()
    if args.json:
        _print_json(
            [
                {"name": f.name, "feeds": f.feeds, "unread": f.unread, "total": f.total}
                for f in folders
            ]
        )
        return 0
    if folders:
        print_header(FOLDER_HEADER)
    for folder in folders:
        counts = f"{folder.unread:>5}/{folder.total:<5}"
        feeds = plural(folder.feeds, "feed", "feeds")
        print(f"{counts}  {clean_line(folder.name)} ({feeds})")
    return 0


# mark-all


def _configure_mark_all(parser: argparse.ArgumentParser) -> None:
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--feed", type=int, metavar="FEED_ID", help="one feed")
    scope.add_argument("--folder", metavar="FOLDER", help="every feed of a folder")
    scope.add_argument(
        "--all", action="store_true", dest="every_feed", help="every feed"
    )
    scope.add_argument(
        "--undo", action="store_true", help="mark unread what the last mark-all read"
    )


def _run_mark_all(store: Store, args: argparse.Namespace) -> int:
    if args.undo:
        restored = store.undo_mark_all_read()
        if not restored.entry_ids:
            print("Nothing to undo")
            return 0
        print(f"Marked {_entries(restored)} unread again")
        return 0
    marked = store.mark_all_read(args.feed, folder=args.folder)
    if not marked:
        print("No unread entries to mark")
        return 0
    print(f"Marked {_entries(marked)} read; undo with: tidings mark-all --undo")
    return 0


def _entries(marked: MarkedRead) -> str:
    entries = plural(len(marked.entry_ids), "entry", "entries")
    return f"{entries} in {plural(len(marked.feed_ids), 'feed', 'feeds')}"


SUBSCRIPTION_COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "import",
        "subscribe to the feeds of an OPML, newsboat urls or URL list file",
        _configure_import,
        _run_import,
    ),
    CommandSpec(
        "export",
        "write subscriptions as OPML 2.0, or the whole cache as JSON",
        _configure_export,
        _run_export,
    ),
    CommandSpec(
        "rename", "set the title shown for a feed", _configure_rename, _run_rename
    ),
    CommandSpec("move", "move feeds to a folder", _configure_move, _run_move),
    CommandSpec(
        "folders", "list folders with unread counts", _configure_folders, _run_folders
    ),
    CommandSpec(
        "mark-all",
        "mark every entry of a feed, a folder or the cache read, or undo that",
        _configure_mark_all,
        _run_mark_all,
    ),
)
