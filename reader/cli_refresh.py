"""``tidings refresh``: its options, and a progress bar or lines as it runs."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from reader.cli_output import plural, strip_url_prefix
from reader.config import Settings
from reader.models import FeedRefreshed, RefreshSummary, UsageError
from reader.store import Store
from reader.textsafe import clean_line
from reader.update import RefreshLimits, refresh_feeds_sync

_DEFAULTS = RefreshLimits()
_SETTINGS = Settings()


class KeepRetention:
    """The type of ``KEEP_RETENTION``."""


KEEP_RETENTION = KeepRetention()
"""Tells ``refresh_with_progress`` to keep the store's retention as it is."""


def add_refresh_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--force`` and the politeness limits to ``parser``."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="also refresh feeds that are not due, backing off after failures, "
        "or gone (HTTP 410)",
    )
    limits = parser.add_argument_group("limits")
    # None means "not given": the config's value, else its default, applies.
    limits.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="feeds fetched at once (default: refresh.concurrency in "
        f"config.toml, else {_SETTINGS.refresh_concurrency})",
    )
    limits.add_argument(
        "--per-host",
        type=int,
        metavar="N",
        help="feeds fetched at once from one host and port (default: "
        f"refresh.per_host in config.toml, else {_SETTINGS.refresh_per_host})",
    )
    limits.add_argument(
        "--max-size",
        type=float,
        default=_DEFAULTS.max_bytes / 2**20,
        metavar="MIB",
        help="largest feed accepted, in MiB "
        f"(default: {_DEFAULTS.max_bytes / 2**20:g})",
    )
    limits.add_argument(
        "--connect-timeout",
        type=float,
        default=_DEFAULTS.connect_timeout,
        metavar="SECONDS",
        help=f"time to connect to a server (default: {_DEFAULTS.connect_timeout:g})",
    )
    limits.add_argument(
        "--timeout",
        type=float,
        default=_DEFAULTS.total_timeout,
        metavar="SECONDS",
        help="time for one whole fetch, redirects included "
        f"(default: {_DEFAULTS.total_timeout:g})",
    )
    limits.add_argument(
        "--max-redirects",
        type=int,
        default=_DEFAULTS.max_redirects,
        metavar="N",
        help=f"redirects followed per fetch (default: {_DEFAULTS.max_redirects})",
    )


def limits_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Return the options of ``refresh_with_progress``: the ``refresh_feeds``
    limits, and the config's retention unless ``--keep-days`` was given.

    An option given on the command line wins over ``[refresh]`` in the
    config, which wins over the default. Raises UsageError for a value that
    would stop every fetch.
    """
    settings = configured_settings()
    if args.concurrency is None:
        args.concurrency = settings.refresh_concurrency
    if args.per_host is None:
        args.per_host = settings.refresh_per_host
    checks = (
        ("--concurrency", args.concurrency, args.concurrency >= 1, "1 or more"),
        ("--per-host", args.per_host, args.per_host >= 1, "1 or more"),
        ("--max-size", args.max_size, args.max_size > 0, "a positive size"),
        (
            "--connect-timeout",
            args.connect_timeout,
            args.connect_timeout > 0,
            "a positive time",
        ),
        ("--timeout", args.timeout, args.timeout > 0, "a positive time"),
        ("--max-redirects", args.max_redirects, args.max_redirects >= 0, "0 or more"),
    )
    for option, value, valid, expected in checks:
        if not valid:
            raise UsageError(f"invalid {option} {value:g}; use {expected}")
    options: dict[str, Any] = {}
    if getattr(args, "keep_days", None) is None:
        options["retention"] = settings.retention
    return options | {
        "concurrency": args.concurrency,
        "per_host": args.per_host,
        "max_bytes": max(1, round(args.max_size * 2**20)),
        "connect_timeout": args.connect_timeout,
        # The read timeout cannot outlast the whole fetch.
        "read_timeout": min(_DEFAULTS.read_timeout, args.timeout),
        "total_timeout": args.timeout,
        "max_redirects": args.max_redirects,
    }


def configured_settings() -> Settings:
    """Return the settings of the config file that a refresh uses.

    Problems with ``[cache]`` or ``[refresh]`` settings, or with the whole
    file, are printed to stderr; those settings then keep their defaults.
    """
    from reader.config import load_config

    config = load_config()
    for problem in config.problems:
        key = problem.key
        if key is None or key.startswith(("cache.", "refresh.")):
            print(f"tidings: {problem}", file=sys.stderr)
    return config.settings


def refresh_with_progress(
    store: Store,
    feed_ids: Sequence[int] | None,
    *,
    force: bool = False,
    quiet: bool = False,
    retention: timedelta | KeepRetention | None = KEEP_RETENTION,
    **limits: Any,
) -> int:
    """Refresh feeds, report progress and failures; return the exit status.

    Returns 1 if any feed failed, else 0; a skipped feed is no failure.
    With ``quiet`` nothing is printed, so the caller reports the outcome
    itself. A ``retention`` replaces the store's for this refresh and
    later ones (None keeps every entry). ``limits`` go to ``refresh_feeds``.
    """
    if not isinstance(retention, KeepRetention):
        store.retention = retention
    # The command line handles no keys while it waits for the refresh, so
    # its parser processes keep the default priority.
    options: dict[str, Any] = {"force": force, "worker_niceness": 0, **limits}
    count = _Count()
    try:
        with _terminate_as_interrupt():
            summary = _refresh(store, feed_ids, options, quiet, count)
    except (KeyboardInterrupt, SystemExit):
        if not quiet:
            print(count.interrupted(), file=sys.stderr)
        raise
    if not quiet:
        # The progress lines already listed each failure once, on stderr.
        _print_summary(summary, list_failures=sys.stdout.isatty())
    if feed_ids is not None:
        for result in summary.skipped:
            message = f"tidings: feed {result.feed_id} skipped: {result.skipped}"
            print(message, file=sys.stderr)
    return 1 if summary.failed else 0


class _Count:
    """The feeds a refresh finished so far, for the message when it stops."""

    def __init__(self) -> None:
        self.done = 0
        self.total: int | None = None

    def __call__(self, result: FeedRefreshed, done: int, total: int) -> None:
        self.done, self.total = done, total

    def interrupted(self) -> str:
        """Return the message for a refresh stopped by Ctrl+C or SIGTERM."""
        if self.total is None:
            return (
                "tidings: refresh interrupted before any feed finished. "
                "Run 'tidings refresh' again."
            )
        return (
            f"tidings: refresh interrupted after {self.done} of {self.total} "
            "feeds, whose results are stored. "
            "Run 'tidings refresh' again for the rest."
        )


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    # SIGTERM would end the process at once, leaving the worker processes'
    # semaphores to the resource tracker, which warns about them. Raising
    # SystemExit runs the same clean-up as Ctrl+C, and exits with 143.
    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _refresh(
    store: Store,
    feed_ids: Sequence[int] | None,
    options: dict[str, Any],
    quiet: bool,
    count: _Count,
) -> RefreshSummary:
    if quiet:
        return refresh_feeds_sync(store, feed_ids, **options)
    if sys.stdout.isatty():
        return _refresh_with_bar(store, feed_ids, options, count)
    lines = _ProgressLines()

    def progress(result: FeedRefreshed, done: int, total: int) -> None:
        count(result, done, total)
        lines(result, done, total)

    return refresh_feeds_sync(store, feed_ids, on_progress=progress, **options)


def _refresh_with_bar(
    store: Store,
    feed_ids: Sequence[int] | None,
    options: dict[str, Any],
    count: _Count,
) -> RefreshSummary:
    columns = (
        TextColumn("Refreshing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[errors]} errors"),
    )
    from reader.update import refresh_feeds_sync

    with Progress(*columns, console=Console(), transient=True) as progress:
        total = len(set(feed_ids)) if feed_ids else len(store.list_feeds())
        task = progress.add_task("refresh", total=total, errors=0)
        errors = 0

        def advance(result: FeedRefreshed, done: int, total: int) -> None:
            nonlocal errors
            count(result, done, total)
            errors += result.error is not None
            progress.update(task, completed=done, total=total, errors=errors)

        return refresh_feeds_sync(store, feed_ids, on_progress=advance, **options)


def _describe(result: FeedRefreshed) -> str:
    if result.error is not None:
        url = clean_line(result.url)
        return f"error  {url}: {strip_url_prefix(clean_line(result.error), url)}"
    if result.skipped is not None:
        return f"skip   {clean_line(result.url)}: {result.skipped}"
    if result.not_modified:
        return f"same   {clean_line(result.url)}"
    return (
        f"ok     {clean_line(result.url)}: {result.new} new, {result.updated} updated"
    )


class _ProgressLines:
    """Print one numbered line per fetched feed: errors on stderr, the rest
    on stdout.

    One line per skipped feed would drown the rest when a scheduled refresh
    finds few feeds due, so skipped feeds get no line and no number, and
    the summary counts them. A feed skipped during the run (its host asked
    to wait) lowers the total from then on.
    """

    def __init__(self) -> None:
        self.skipped = 0

    def __call__(self, result: FeedRefreshed, done: int, total: int) -> None:
        if result.skipped is not None:
            self.skipped += 1
            return
        line = f"[{done - self.skipped}/{total - self.skipped}] {_describe(result)}"
        stream = sys.stdout if result.error is None else sys.stderr
        print(line, file=stream, flush=True)


def _print_summary(summary: RefreshSummary, *, list_failures: bool) -> None:
    skipped = len(summary.skipped)
    fetched = [r for r in summary.results if r.skipped is None]
    failed = summary.failed
    unchanged = sum(r.not_modified and r.error is None for r in fetched)
    outcomes = {
        "updated": len(fetched) - unchanged - len(failed),
        "unchanged": unchanged,
        "failed": len(failed),
    }
    counts = ", ".join(f"{n} {word}" for word, n in outcomes.items() if n)
    feeds = plural(len(fetched), "feed", "feeds")
    entries = plural(sum(r.new for r in fetched), "new entry", "new entries")
    changed = sum(r.updated for r in fetched)
    if changed:
        entries += f", {changed} changed"
    text = (
        f"Refreshed {feeds}: {counts} · {entries}" if counts else f"Refreshed {feeds}"
    )
    if skipped:
        text += f"; skipped {skipped} not due, backing off or gone (--force)"
    print(text + ".")
    if not list_failures:
        return
    for result in failed:
        print(f"tidings: {_describe(result)}", file=sys.stderr)
