"""Time ``tidings refresh`` against newsboat on the same generated feeds.

Setup, once, on Debian or Ubuntu (as root, or with sudo):

    apt-get update
    apt-get install -y nginx-light newsboat tmux

Then run ``.venv/bin/python benchmarks/refresh.py``. It writes 1,000 feeds
of 20-60 entries each (2-15 KB of HTML per entry) to a temporary folder and
serves them with nginx on 127.0.0.1, or with an asyncio server when nginx
is missing. Both readers then refresh the same URLs, one after the other:

- cold: a new cache refreshes 100, 500 and 1,000 feeds;
- warm: the same cache refreshes again and every feed responds 304;
- latency: a new cache refreshes 500 feeds from an asyncio server that
  delays every response by 100 ms.

With ``--repeat N`` each reader runs N rounds and the fastest round counts,
which filters out most of the noise of other work on the machine. For each
run it prints wall time, CPU time of every process, the peak RSS of the
largest process and the peak PSS summed over all processes (see
measure.py), with tidings' wall time as a ratio of newsboat's. Below each
tidings row it prints the CPU milliseconds per feed of each kind of process
(see refresh_profile.py).

newsboat 2.21 runs with ``reload-threads 16`` and its own urls, cache and
config files, HOME set to a temporary folder. tidings runs as ``tidings
--db CACHE refresh --force``, where ``--force`` only makes sure that no
feed is skipped as not yet due.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feedgen
import feedserver
from measure import Run, run_measured
from refresh_profile import cpu_by_role

from reader.store import Store

REPOSITORY = Path(__file__).resolve().parents[1]
TIDINGS = [sys.executable, "-m", "reader"]
LATENCY = 0.1  # seconds added to every response in the latency scenario


class Bench:
    """One benchmark run: the feed files, the servers and the result table."""

    def __init__(self, folder: Path, feeds: Path, repeat: int, newsboat: bool) -> None:
        self.folder = folder
        self.feeds = feeds
        self.repeat = repeat
        self.newsboat = shutil.which("newsboat") if newsboat else None

    def run_readers(
        self, label: str, server: feedserver.Server, count: int, warm: bool
    ) -> None:
        """Refresh ``count`` feeds with each reader, cold and then warm, in
        ``repeat`` rounds, and print the fastest run of each."""
        names = feedgen.write_feeds(self.feeds, count)
        urls = [server.url(number, name) for number, name in enumerate(names)]
        phases = ("cold", "warm") if warm else ("cold",)
        best: dict[tuple[str, str], Run] = {}
        for _ in range(self.repeat):
            work = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=self.folder))
            database = work / "tidings.sqlite3"
            with Store(database) as store:
                for url in urls:
                    store.add_feed(url)
            for phase in phases:
                keep_fastest(
                    best, (phase, "tidings"), self.run_tidings(database, count)
                )
            for phase in phases:
                run = self.run_newsboat(work, urls)
                if run is not None:
                    keep_fastest(best, (phase, "newsboat"), run)
        for phase in phases:
            name = f"{phase} {count}" if label == "nginx" else f"{label} {count}"
            mine = best[phase, "tidings"]
            theirs = best.get((phase, "newsboat"))
            print_row(name, "tidings", mine, theirs.wall if theirs else None)
            print_split(mine, count)
            if theirs is not None:
                print_row(name, "newsboat", theirs, None)

    def run_tidings(self, database: Path, count: int) -> Run:
        """Run one ``tidings refresh`` and check that it stored every feed."""
        env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
        run = run_measured([*TIDINGS, "--db", str(database), "refresh", "--force"], env)
        with sqlite3.connect(database) as db:
            failed = db.execute(
                "SELECT count(*) FROM feeds WHERE last_error IS NOT NULL"
            ).fetchone()[0]
            entries = db.execute("SELECT count(*) FROM entries").fetchone()[0]
        if failed or entries < 20 * count:
            raise RuntimeError(f"tidings stored {entries} entries, {failed} errors")
        return run

    def run_newsboat(self, work: Path, urls: list[str]) -> Run | None:
        """Run one ``newsboat -x reload`` in its own folder, if installed."""
        if self.newsboat is None:
            return None
        folder = work / "newsboat"
        (folder / "home").mkdir(parents=True, exist_ok=True)
        (folder / "urls").write_text("\n".join(urls) + "\n")
        (folder / "config").write_text("reload-threads 16\n")
        argv = [
            self.newsboat, "-x", "reload", "-u", str(folder / "urls"),
            "-c", str(folder / "cache.db"), "-C", str(folder / "config"),
        ]  # fmt: skip
        env = {**os.environ, "HOME": str(folder / "home")}
        run = run_measured(argv, env)
        with sqlite3.connect(folder / "cache.db") as db:
            items = db.execute("SELECT count(*) FROM rss_item").fetchone()[0]
        if items < 20 * len(urls):
            raise RuntimeError(f"newsboat stored only {items} items")
        return run


def keep_fastest(
    best: dict[tuple[str, str], Run], key: tuple[str, str], run: Run
) -> None:
    """Keep ``run`` under ``key`` if it is the fastest so far."""
    if key not in best or run.wall < best[key].wall:
        best[key] = run


def print_row(name: str, reader: str, run: Run, newsboat_wall: float | None) -> None:
    """Print one result line, with the ratio to newsboat's wall time if given."""
    text = (
        f"{name:12} {reader:9} {run.wall:8.2f} {run.cpu:8.2f} "
        f"{run.max_rss_mb:9.0f} {run.tree_pss_mb:9.0f}"
    )
    if newsboat_wall is not None:
        text += f"  {run.wall / newsboat_wall:6.2f}x"
    print(text, flush=True)


def print_split(run: Run, feeds: int) -> None:
    """Print the CPU milliseconds per feed of each kind of tidings process."""
    split = ", ".join(
        f"{role} {seconds / feeds * 1000:.1f}"
        for role, seconds in cpu_by_role(run).items()
        if seconds
    )
    print(f"{'':12} {'':9} CPU ms a feed: {split}", flush=True)


@contextmanager
def serving(server: feedserver.Server | None) -> Iterator[feedserver.Server]:
    """Stop ``server`` on the way out."""
    assert server is not None
    try:
        yield server
    finally:
        server.stop()


def describe_machine() -> str:
    """Return a one-line description of the CPU, memory and software."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} CPUs ({model}), {memory:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument(
        "--sizes", default="100,500,1000", help="feed counts (default: 100,500,1000)"
    )
    options.add_argument(
        "--latency-size", type=int, default=500, help="feeds in the latency run"
    )
    options.add_argument(
        "--sites", type=int, default=100, help="ports the feeds are spread over"
    )
    options.add_argument(
        "--repeat", type=int, default=1, help="rounds per run; the fastest counts"
    )
    options.add_argument("--feeds", type=Path, help="reuse generated feeds here")
    options.add_argument("--no-newsboat", action="store_true")
    return options.parse_args()


def main() -> None:
    """Generate the feeds, start the servers and print the table."""
    args = parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size]
    print(describe_machine())
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="tidings-bench-") as name:
        folder = Path(name)
        feeds = args.feeds or folder / "feeds"
        bench = Bench(folder, feeds, args.repeat, not args.no_newsboat)
        feedgen.write_feeds(feeds, max([*sizes, args.latency_size]))
        if bench.newsboat is None and not args.no_newsboat:
            print("newsboat is not installed: apt-get install newsboat")

        server = feedserver.start_nginx(feeds, folder / "nginx", args.sites)
        if server is None:
            print("nginx is not installed, so the asyncio server serves every run")
            server = feedserver.start_asyncio_server(feeds, args.sites, 0.0)
        print(f"server: {server.kind} on {args.sites} ports of 127.0.0.1")
        print(
            f"{'run':12} {'reader':9} {'wall s':>8} {'CPU s':>8} "
            f"{'RSS MiB':>9} {'PSS MiB':>9}  tidings/newsboat"
        )
        with serving(server):
            for size in sizes:
                bench.run_readers("nginx", server, size, warm=True)

        if args.latency_size:
            slow = feedserver.start_asyncio_server(feeds, args.sites, LATENCY)
            with serving(slow):
                bench.run_readers("latency", slow, args.latency_size, warm=False)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
