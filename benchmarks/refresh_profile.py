"""Split the CPU time of one ``tidings refresh`` by process and over time.

Run ``.venv/bin/python benchmarks/refresh_profile.py --feeds 500``. It
serves the generated feeds of ``refresh.py`` with nginx on 127.0.0.1 (or
with the asyncio server, which ``--delay`` always uses), refreshes them
into a new cache ``--repeat`` times and prints, for each run:

- wall time and CPU time of the whole run, and CPU milliseconds per feed
  of each kind of process: the event loop process, the forkserver, the
  workers and the resource tracker;
- how many CPUs the run kept busy in each tenth of a second, with the
  seconds before the first worker used CPU and after the last one stopped;
- how busy the whole machine was meanwhile (from /proc/stat), which also
  counts the server, the kernel's disk writes and anything else running,
  and how many megabytes went to the disk (from /proc/diskstats).

``--cprofile FILE`` runs the event loop process under cProfile and writes
its statistics to FILE, which inflates that process's CPU time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feedgen
import feedserver
from measure import Run, run_measured

from reader.store import Store

REPOSITORY = Path(__file__).resolve().parents[1]


def roles(run: Run) -> dict[str, list[dict[str, object]]]:
    """Group the run's processes as main, forkserver, worker and tracker."""
    by_pid = {int(p["pid"]): p for p in run.processes}  # type: ignore[call-overload]
    main = min(by_pid.values(), key=lambda p: float(p["first_seen"]))  # type: ignore[arg-type]
    grouped: dict[str, list[dict[str, object]]] = {
        "main": [main],
        "forkserver": [],
        "worker": [],
        "tracker": [],
        "other": [],
    }
    forkservers = {
        pid
        for pid, process in by_pid.items()
        if "forkserver" in str(process["command"]) and process["parent"] == main["pid"]
    }
    for pid, process in by_pid.items():
        if process is main:
            continue
        parent = process["parent"]
        if "resource_tracker" in str(process["command"]):
            grouped["tracker"].append(process)
        elif pid in forkservers:
            grouped["forkserver"].append(process)
        elif parent in forkservers or parent == main["pid"]:
            grouped["worker"].append(process)
        else:
            grouped["other"].append(process)
    return grouped


def cpu_by_role(run: Run) -> dict[str, float]:
    """Return the CPU seconds of each kind of process in ``run``."""
    return {
        role: sum(float(p["cpu"]) for p in processes)  # type: ignore[arg-type]
        for role, processes in roles(run).items()
    }


def machine_counters() -> tuple[list[int], int] | None:
    """Return the machine's CPU ticks by state and the sectors written to
    its disks so far, or None where /proc is missing."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:]]
        # Whole disks only (partitions would count their sectors twice),
        # without the memory-backed ones.
        disks = {
            name
            for name in os.listdir("/sys/block")
            if not name.startswith(("loop", "ram", "zram"))
        }
        with open("/proc/diskstats") as stats:
            written = sum(
                int(fields[9])
                for fields in (line.split() for line in stats)
                if fields[2] in disks
            )
    except OSError:
        return None
    return ticks, written


def report_machine(
    before: tuple[list[int], int] | None, after: tuple[list[int], int] | None
) -> None:
    """Print how busy the whole machine was between two counter readings."""
    if before is None or after is None:
        return
    ticks = [end - start for start, end in zip(before[0], after[0], strict=True)]
    user, nice, system, idle, iowait = ticks[:5]
    total = sum(ticks[:8])
    cpus = os.cpu_count() or 1
    busy = (total - idle - iowait) / total * cpus if total else 0.0
    written = (after[1] - before[1]) * 512 / 2**20
    print(
        f"  machine: {busy:.2f} of {cpus} CPUs busy (user {user + nice}, "
        f"system {system}, idle {idle}, iowait {iowait} ticks), "
        f"{written:.0f} MiB written to disk"
    )


def report(run: Run, feeds: int) -> None:
    """Print the figures of one run."""
    print(
        f"wall {run.wall:.2f} s, CPU {run.cpu:.2f} s "
        f"({run.cpu / feeds * 1000:.1f} ms a feed), "
        f"{run.cpu / run.wall:.2f} CPUs busy on average, "
        f"peak RSS {run.max_rss_mb:.0f} MiB, PSS {run.tree_pss_mb:.0f} MiB"
    )
    grouped = roles(run)
    for role, processes in grouped.items():
        if not processes:
            continue
        cpu = sum(float(p["cpu"]) for p in processes)  # type: ignore[arg-type]
        each = ", ".join(f"{float(p['cpu']):.2f}" for p in processes)  # type: ignore[arg-type]
        print(
            f"  {role:10} {len(processes)} process(es) {cpu:6.2f} s "
            f"{cpu / feeds * 1000:6.2f} ms a feed  ({each})"
        )
    workers = grouped["worker"]
    if workers:
        first = min(float(p["first_seen"]) for p in workers)  # type: ignore[arg-type]
        last = max(float(p["last_busy"]) for p in workers)  # type: ignore[arg-type]
        print(
            f"  first worker seen at {first:.2f} s, "
            f"last worker busy at {last:.2f} s of {run.wall:.2f} s"
        )
    line = " ".join(f"{cpus:.1f}" for cpus in run.timeline)
    print(f"  CPUs busy per 0.1 s: {line}")


def main() -> None:
    """Serve the feeds, run the refreshes and print the figures."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--feeds", type=int, default=500, help="feeds to refresh")
    options.add_argument("--sites", type=int, default=100, help="ports to serve")
    options.add_argument(
        "--delay", type=float, default=0.0, help="seconds added to each response"
    )
    options.add_argument("--repeat", type=int, default=1, help="refreshes to run")
    options.add_argument("--feed-dir", type=Path, help="reuse generated feeds here")
    options.add_argument("--cprofile", type=Path, help="profile the main process")
    args = options.parse_args()

    print(f"load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="tidings-profile-") as name:
        folder = Path(name)
        feed_dir = args.feed_dir or folder / "feeds"
        names = feedgen.write_feeds(feed_dir, args.feeds)
        server = None
        if not args.delay:
            server = feedserver.start_nginx(feed_dir, folder / "nginx", args.sites)
        if server is None:
            server = feedserver.start_asyncio_server(feed_dir, args.sites, args.delay)
        print(f"server: {server.kind}, {args.feeds} feeds on {args.sites} ports")
        try:
            for round_number in range(args.repeat):
                database = folder / f"cache{round_number}.sqlite3"
                with Store(database) as store:
                    for number, feed_name in enumerate(names):
                        store.add_feed(server.url(number, feed_name))
                command = [sys.executable, "-m", "reader"]
                if args.cprofile:
                    command[1:1] = ["-m", "cProfile", "-o", str(args.cprofile)]
                command += ["--db", str(database), "refresh", "--force"]
                env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
                before = machine_counters()
                report(run_measured(command, env), args.feeds)
                report_machine(before, machine_counters())
        finally:
            server.stop()
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
