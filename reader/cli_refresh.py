"""``tidings refresh`` output: a progress bar on a terminal, lines elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from reader.cli_output import plural, strip_url_prefix
from reader.models import FeedRefreshed, RefreshSummary
from reader.store import Store
from reader.textsafe import clean_line


def refresh_with_progress(
    store: Store,
    feed_ids: Sequence[int] | None,
    *,
    concurrency: int = 16,
    quiet: bool = False,
) -> int:
    """Refresh feeds, report progress and failures; return the exit status.

    Returns 1 if any feed failed, else 0. With ``quiet`` nothing is printed,
    so the caller reports the outcome itself.
    """
    # Imported here: HTTP and feed parsing would slow every command's start.
    from reader.update import refresh_feeds_sync

    total = len(feed_ids) if feed_ids is not None else len(store.list_feeds())
    if quiet:
        summary = refresh_feeds_sync(store, feed_ids, concurrency=concurrency)
    elif sys.stdout.isatty():
        summary = _refresh_with_bar(store, feed_ids, concurrency, total)
    else:
        summary = refresh_feeds_sync(
            store, feed_ids, concurrency=concurrency, on_progress=_print_line
        )
    if not quiet:
        _print_summary(summary)
    return 1 if summary.failed else 0


def _refresh_with_bar(
    store: Store, feed_ids: Sequence[int] | None, concurrency: int, total: int
) -> RefreshSummary:
    columns = (
        TextColumn("Refreshing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[errors]} errors"),
    )
    from reader.update import refresh_feeds_sync

    with Progress(*columns, console=Console(), transient=True) as progress:
        task = progress.add_task("refresh", total=total, errors=0)
        errors = 0

        def advance(result: FeedRefreshed, done: int, total: int) -> None:
            nonlocal errors
            errors += result.error is not None
            progress.update(task, completed=done, total=total, errors=errors)

        return refresh_feeds_sync(
            store, feed_ids, concurrency=concurrency, on_progress=advance
        )


def _describe(result: FeedRefreshed) -> str:
    if result.error is not None:
        url = clean_line(result.url)
        return f"error  {url}: {strip_url_prefix(clean_line(result.error), url)}"
    if result.not_modified:
        return f"same   {clean_line(result.url)}"
    return (
        f"ok     {clean_line(result.url)}: {result.new} new, {result.updated} updated"
    )


def _print_line(result: FeedRefreshed, done: int, total: int) -> None:
    print(f"[{done}/{total}] {_describe(result)}", flush=True)


def _print_summary(summary: RefreshSummary) -> None:
    results = summary.results
    new = sum(r.new for r in results)
    failed = summary.failed
    feeds = plural(len(results), "feed", "feeds")
    entries = plural(new, "new entry", "new entries")
    print(f"Refreshed {feeds}: {entries}, {len(failed)} failed.")
    for result in failed:
        print(f"tidings: {_describe(result)}", file=sys.stderr)
