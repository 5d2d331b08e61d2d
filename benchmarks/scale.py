"""Build caches of up to 100,000 entries and time tidings on them.

Run with ``.venv/bin/python benchmarks/scale.py`` (about 20 minutes with
newsboat, 6 without). It grows one cache over 1,000 feeds to 10,000,
50,000 and 100,000 entries (half of them in one feed), and at each size
prints:

- store figures: unread counts for all feeds, opening the busy feed and
  the virtual feeds, paging, next unread, ranked search and the filter;
- headless (Textual Pilot, one process per start): start to first useful
  screen (feed list with counts and the first feed's entries), key moves
  in the entry and feed lists, and peak RSS;
- in tmux: start to first useful screen and peak RSS of ``tidings``, and at
  the largest size of ``newsboat`` on a cache built from the same entries
  where newsboat is installed.

Figures are medians of several runs. Wall-clock figures depend on the load
of the machine, so the load is printed beside them, and so is the CPU time
the app itself used wherever it can be measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import scale_newsboat
from benchmarks.scale_build import build_stage
from benchmarks.scale_data import BIG_FEED_TITLE, Writer, plan_feeds
from benchmarks.scale_store import store_figures
from benchmarks.scale_tmux import first_screen, terminal_env
from reader.listing import EntryScope
from reader.store import Store

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
EAGER_IMPORTS = (
    "importlib.metadata",
    "reader.update",
    "reader.cli_refresh",
    "reader.articles",
    "reader.convert",
    "reader.fetch",
    "reader.parse",
)
"""Modules that tidings imports only when a command or the TUI needs them."""


def machine() -> dict[str, Any]:
    """Describe the machine and the software versions."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import textual

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory GiB": round(memory, 1),
        "system": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual.__version__,
    }


def load() -> float:
    """Return the one-minute load average."""
    return os.getloadavg()[0]


def headless(cache: Path, runs: int, keys: bool) -> dict[str, Any]:
    """Start the TUI headless ``runs`` times; press keys in one more run."""
    firsts, cpus, rss = [], [], []
    for _ in range(runs):
        result = _child(cache)
        firsts.append(result["first_screen_ms"])
        cpus.append(result["first_screen_cpu_ms"])
        rss.append(result["rss_first_screen_mb"])
    figures: dict[str, Any] = {
        "cache check after first screen ms": result[
            "cache check after first screen ms"
        ],
        "first screen ms (median)": statistics.median(firsts),
        "first screen ms (min)": min(firsts),
        "first screen CPU ms (median)": statistics.median(cpus),
        "RSS at first screen MB": max(rss),
    }
    if keys:
        result = _child(cache, "--keys")
        figures["moves"] = result["moves"]
        figures["full collections while pressing keys"] = result[
            "full collections while pressing keys"
        ]
        figures["peak RSS after the moves MB"] = result["rss_peak_mb"]
    return figures


def _child(cache: Path, *flags: str) -> dict[str, Any]:
    home = Path(tempfile.gettempdir()) / "tidings-scale-home"
    env = dict(
        os.environ,
        TEXTUAL_FPS="1000",
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
    )
    spawned = time.monotonic()
    output = subprocess.run(
        [
            PYTHON,
            str(HERE / "scale_tui.py"),
            *("--db", str(cache), "--spawned", repr(spawned)),
            *flags,
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=600,
    ).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def tmux_tidings(cache: Path, runs: int) -> dict[str, Any]:
    """Time ``python -m reader`` to its first useful screen in tmux."""
    with Store(cache) as store:
        first = store.list_rows(EntryScope(feed_id=_busy_id(store)), limit=1)[0]
    title = first.title[:30]

    def ready(screen: str) -> bool:
        return BIG_FEED_TITLE in screen and "Unread" in screen and title in screen

    with tempfile.TemporaryDirectory() as home:
        starts = [
            first_screen(
                [PYTHON, "-m", "reader", "--db", str(cache)],
                terminal_env(Path(home)),
                ready,
                timeout=60,
            )
            for _ in range(runs)
        ]
    return {
        "first screen ms (median)": statistics.median(s.ms for s in starts),
        "first screen ms (min)": min(s.ms for s in starts),
        "peak RSS MB": max(s.peak_rss_mb or 0 for s in starts),
    }


def _busy_id(store: Store) -> int:
    return max(store.list_feeds(), key=lambda feed: feed.total).id


def tmux_newsboat(cache: Path, folder: Path, runs: int) -> dict[str, Any]:
    """Build newsboat's cache from ``cache`` and time its first screen."""
    with Store(cache) as store:
        figures: dict[str, Any] = scale_newsboat.build_cache(store, folder)

    def ready(screen: str) -> bool:
        return "Your feeds" in screen and BIG_FEED_TITLE in screen

    with tempfile.TemporaryDirectory() as home:
        starts = [
            first_screen(
                scale_newsboat.newsboat_argv(folder),
                terminal_env(Path(home)),
                ready,
                timeout=900,
            )
            for _ in range(runs)
        ]
    figures["first screen ms (median)"] = statistics.median(s.ms for s in starts)
    figures["peak RSS MB"] = max(s.peak_rss_mb or 0 for s in starts)
    figures["cache MB"] = (folder / "cache.db").stat().st_size / 1e6
    return figures


def import_cpu_ms(eager: bool, runs: int = 7) -> float:
    """Return the median CPU time of importing the CLI and the TUI, with or
    without the modules that are imported lazily."""
    extra = "".join(f"import {name}; " for name in EAGER_IMPORTS) if eager else ""
    code = (
        "import gc, time; gc.disable(); start = time.process_time(); "
        f"import reader.cli, reader.tui.app; {extra}"
        "print((time.process_time() - start) * 1000)"
    )
    times = [
        float(
            subprocess.run(
                [PYTHON, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times)


def measure_stage(cache: Path, args: argparse.Namespace, last: bool) -> dict[str, Any]:
    """Return every figure for the cache as it is now."""
    stage: dict[str, Any] = {"load before": load()}
    stage["cache MB"] = cache.stat().st_size / 1e6
    stage["store"] = store_figures(cache)
    stage["headless"] = headless(cache, args.runs, keys=True)
    if last:
        stage["headless without gc.freeze"] = _child(cache, "--keys", "--no-freeze")
    if not args.skip_tmux:
        stage["tmux tidings"] = tmux_tidings(cache, args.runs)
    if last and not args.skip_newsboat:
        if scale_newsboat.newsboat_path() is None:
            stage["tmux newsboat"] = "not installed (apt-get install newsboat)"
        else:
            stage["tmux newsboat"] = tmux_newsboat(
                cache, args.dir / "newsboat", args.newsboat_runs
            )
    stage["load after"] = load()
    return stage


def main() -> None:
    """Build the caches, measure each, print and save the figures."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument(
        "--dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "tidings-scale",
        help="folder for the caches (about 3 GB; 4 GB more with newsboat)",
    )
    options.add_argument(
        "--stages",
        default="10000,50000,100000",
        help="cache sizes in entries, ascending (default: 10000,50000,100000)",
    )
    options.add_argument("--runs", type=int, default=5, help="starts per figure")
    options.add_argument("--newsboat-runs", type=int, default=2)
    options.add_argument("--skip-tmux", action="store_true")
    options.add_argument("--skip-newsboat", action="store_true")
    options.add_argument("--json", type=Path, help="also write the figures here")
    args = options.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    cache = args.dir / "cache.sqlite3"
    for leftover in args.dir.glob("cache.sqlite3*"):
        leftover.unlink()
    writer = Writer()
    plans = plan_feeds(writer)
    report: dict[str, Any] = {"machine": machine(), "stages": {}}
    report["import CPU ms"] = {
        "lazy (as shipped)": import_cpu_ms(eager=False),
        "eager (every module at start)": import_cpu_ms(eager=True),
    }
    print(json.dumps(report, indent=2), flush=True)
    stages = [int(size) for size in args.stages.split(",")]
    for size in stages:
        built = build_stage(cache, writer, plans, size)
        stage = {"build s": built, **measure_stage(cache, args, size == stages[-1])}
        report["stages"][str(size)] = stage
        print(json.dumps({str(size): stage}, indent=2), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
