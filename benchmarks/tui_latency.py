"""Measure key-to-screen latency in the TUI while it refreshes 500 feeds.

Run ``.venv/bin/python benchmarks/tui_latency.py`` (needs tmux, and nginx
or falls back to the asyncio server). tidings runs in a tmux pane of
120x36 on a new cache of generated feeds. The script presses ``R`` to
refresh every feed, then alternates ``j`` and ``k`` in the feed list every
150 ms until the refresh ends. Each sample is the time from sending the key
to the moment ``tmux capture-pane`` shows the highlight on the new row. It
includes tmux's own delivery of the key and the polling, a few ms each, so
the figures are upper bounds. The same is measured with no refresh running,
for comparison.

Wall-clock latency depends on the machine's load, so the script also reads
the TUI's main thread from ``/proc/PID/task/PID/schedstat`` over each
sample: the time it ran on a CPU (its CPU time per key, which load barely
changes) and the time it was ready but waited for a CPU. It prints the
CPU time of the TUI process, its main thread and its child processes (the
parsers) over the refresh, and the load average at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feedgen
import feedserver

from reader.store import Store
from reader.welcome import WELCOME_META_KEY

REPOSITORY = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 120, 36
FEED_PANE = range(1, 33)  # columns inside the feed list's border
KEY_INTERVAL = 0.15
POLL_PAUSE = 0.002
"""Seconds between two captures of the screen while a key is awaited."""
_SGR = re.compile(r"\x1b\[([0-9;]*)m")


class ThreadClock:
    """Run and wait times of one thread, from Linux's schedstat, in seconds."""

    def __init__(self, pid: int) -> None:
        self.path = Path(f"/proc/{pid}/task/{pid}/schedstat")

    def read(self) -> tuple[float, float]:
        """Return (time on a CPU, time ready but waiting for a CPU)."""
        running, waiting, _slices = self.path.read_text().split()
        return int(running) / 1e9, int(waiting) / 1e9


def process_stat(pid: int) -> tuple[int, float]:
    """Return the parent id and the CPU seconds (user and system) of a
    process, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # Fields 4, 14 and 15 of proc(5), counted from the state (field 3) here.
    parent, utime, stime = int(fields[1]), int(fields[11]), int(fields[12])
    return parent, (utime + stime) / os.sysconf("SC_CLK_TCK")


class ChildCPU(threading.Thread):
    """Sample the CPU time of every descendant of a process twice a second.

    The parser processes are children of multiprocessing's fork server, a
    child of the TUI, so the TUI's counters of waited-for children miss
    them. They exit when the refresh ends. The last sample of each process
    is kept, so up to half a second of its CPU time before it exits is
    missed.
    """

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.seconds: dict[int, float] = {}
        self.finished = threading.Event()

    def run(self) -> None:
        """Sample until ``stop``."""
        while not self.finished.wait(0.5):
            self.sample()

    def sample(self) -> None:
        """Record the CPU time of every current descendant."""
        stats = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stats[int(entry.name)] = process_stat(int(entry.name))
                except (OSError, IndexError, ValueError):
                    continue  # The process exited while it was read.
        for pid, (_parent, seconds) in stats.items():
            ancestor = pid
            while ancestor in stats and ancestor != self.root:
                ancestor = stats[ancestor][0]
            if ancestor == self.root and pid != self.root:
                self.seconds[pid] = seconds

    def stop(self) -> float:
        """Stop sampling; return the CPU seconds of all descendants."""
        self.finished.set()
        self.join()
        return sum(self.seconds.values())


class Pane:
    """tidings in a detached tmux session on a private server socket."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.tmux = shutil.which("tmux") or sys.exit("tmux is not installed")
        self.socket = f"tidings-bench-{uuid.uuid4().hex[:8]}"
        assignments = [f"{key}={value}" for key, value in env.items()]
        command = ["env", "-u", "COLUMNS", "-u", "LINES", *assignments, *argv]
        self.call(
            "-f", "/dev/null", "new-session", "-d", "-s", "main",
            "-x", str(WIDTH), "-y", str(HEIGHT), *command,
        )  # fmt: skip

    def call(self, *args: str) -> str:
        """Run a tmux command on this session's server; return its stdout."""
        return subprocess.run(
            [self.tmux, "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def screen(self) -> str:
        """Return the visible screen with its SGR escapes."""
        return self.call("capture-pane", "-e", "-p", "-t", "main")

    def send(self, key: str) -> None:
        """Type one key."""
        self.call("send-keys", "-t", "main", key)

    def pid(self) -> int:
        """Return the process id of the program in the pane."""
        return int(self.call("list-panes", "-t", "main", "-F", "#{pane_pid}"))

    def kill(self) -> None:
        """End the session and its tmux server."""
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], check=False)


def backgrounds(line: str, background: str) -> tuple[list[str], str]:
    """Return the SGR background at each column of ``line``, and the one in
    effect at its end. ``background`` is the one in effect at its start:
    tmux writes an attribute only where it changes."""
    columns: list[str] = []
    position = 0
    for match in _SGR.finditer(line):
        columns += [background] * len(line[position : match.start()])
        codes = match[1].split(";")
        if codes in ([""], ["0"]) or "49" in codes:
            background = ""
        if "48" in codes:
            start = codes.index("48")
            background = ";".join(codes[start : start + 5])
        position = match.end()
    columns += [background] * len(line[position:])
    return columns, background


def highlighted_row(screen: str) -> int | None:
    """Return the screen row of the feed list's highlighted feed."""
    rows = []
    background = ""
    for number, line in enumerate(screen.splitlines()[: HEIGHT - 3]):
        columns, background = backgrounds(line, background)
        if number > 0:
            rows.append(columns[FEED_PANE[2]] if len(columns) > FEED_PANE[2] else "")
    if not rows:
        return None
    common = statistics.mode(rows)
    odd = [index for index, background in enumerate(rows) if background != common]
    return odd[0] if len(odd) == 1 else None


def plain(screen: str) -> str:
    """Return ``screen`` without escapes."""
    return _SGR.sub("", screen)


Sample = tuple[float, float, float]
"""Seconds of one key: until shown, on a CPU and waiting for a CPU."""


def press_and_wait(
    pane: Pane,
    clock: ThreadClock,
    key: str,
    expected: int,
    until: str | None,
    timeout: float = 5.0,
) -> Sample | None:
    """Press ``key`` and measure it until row ``expected`` is highlighted,
    or return None if ``until`` shows first: the end of a refresh sorts the
    feed list again, which moves the highlight."""
    ran, waited = clock.read()
    started = time.perf_counter()
    pane.send(key)
    while time.perf_counter() - started < timeout:
        screen = pane.screen()
        if highlighted_row(screen) == expected:
            elapsed = time.perf_counter() - started
            ran_after, waited_after = clock.read()
            return elapsed, ran_after - ran, waited_after - waited
        if until is not None and until in plain(screen):
            return None
        # Each poll starts a tmux client process, so a short pause keeps the
        # polling from taking CPU time that the TUI waits for.
        time.sleep(POLL_PAUSE)
    screen = pane.screen()
    raise RuntimeError(
        f"row {expected} not highlighted {timeout} s after {key!r}; row "
        f"{highlighted_row(screen)} is. The screen:\n{plain(screen)}"
    )


def sample(
    pane: Pane, clock: ThreadClock, count: int | None, until: str | None
) -> list[Sample]:
    """Alternate j and k; stop after ``count`` keys or once ``until`` shows."""
    samples: list[Sample] = []
    row = highlighted_row(pane.screen())
    if row is None:
        raise RuntimeError("no highlighted feed found on screen")
    while count is None or len(samples) < count:
        key, target = ("j", row + 1) if len(samples) % 2 == 0 else ("k", row)
        latency = press_and_wait(pane, clock, key, target, until)
        if latency is None:
            break
        samples.append(latency)
        time.sleep(KEY_INTERVAL)
        if until is not None and until in plain(pane.screen()):
            break
    return samples


def spread(values: list[float]) -> str:
    """Return the median, 95th percentile and maximum of seconds, in ms."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"median {statistics.median(ordered) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    )


def describe(samples: list[Sample]) -> str:
    """Return the key count, then the spread of the latency, of the main
    thread's CPU time and of its wait for a CPU."""
    latency, ran, waited = (list(column) for column in zip(*samples, strict=True))
    return (
        f"{len(samples)} keys: {spread(latency)}\n"
        f"    main thread on a CPU per key: {spread(ran)}\n"
        f"    main thread waiting for a CPU per key: {spread(waited)}"
    )


def polling_cpu() -> float:
    """Return the CPU seconds of this script's finished child processes,
    the tmux clients that send keys and capture the screen."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages."""
    return ", ".join(f"{load:.2f}" for load in os.getloadavg())


def main() -> None:
    """Serve the feeds, start tidings under tmux and print the figures."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--feeds", type=int, default=500, help="feeds to refresh")
    options.add_argument("--folder", type=Path, help="reuse generated feeds here")
    args = options.parse_args()
    with tempfile.TemporaryDirectory(prefix="tidings-tui-") as name:
        folder = Path(name)
        feeds = args.folder or folder / "feeds"
        names = feedgen.write_feeds(feeds, args.feeds)
        server = feedserver.start_nginx(feeds, folder / "nginx", 100)
        server = server or feedserver.start_asyncio_server(feeds, 100, 0.0)
        database = folder / "cache.sqlite3"
        with Store(database) as store:
            store.set_meta(WELCOME_META_KEY, "1")
            for number, feed in enumerate(names):
                store.add_feed(server.url(number, feed))
        env = {
            "PYTHONPATH": str(REPOSITORY),
            "TERM": "xterm-256color",
            "HOME": str(folder),
            **{f"XDG_{kind}_HOME": str(folder / kind) for kind in ("STATE", "CACHE")},
        }
        pane = Pane([sys.executable, "-m", "reader", "--db", str(database)], env)
        try:
            deadline = time.monotonic() + 30
            while "Feeds" not in plain(pane.screen()):
                if time.monotonic() > deadline:
                    raise RuntimeError("tidings did not show its feed list")
                time.sleep(0.1)
            pane.send("BTab")  # The entry list has the focus at the start.
            time.sleep(0.5)
            pid = pane.pid()
            clock = ThreadClock(pid)
            print(f"{os.cpu_count()} CPUs, {args.feeds} feeds, server: {server.kind}")
            print(f"load average at the start: {load_average()}")
            print("idle:", describe(sample(pane, clock, 20, None)))
            polling_before = polling_cpu()
            _, cpu_before = process_stat(pid)
            thread_before, _ = clock.read()
            children = ChildCPU(pid)
            children.sample()
            before_children = sum(children.seconds.values())
            children.start()
            pane.send("R")
            started = time.perf_counter()
            done = f"Refreshed {args.feeds} feeds"
            busy = sample(pane, clock, None, done)
            while done not in plain(pane.screen()):
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            _, cpu_after = process_stat(pid)
            thread_after, _ = clock.read()
            children_cpu = children.stop() - before_children
            polling = polling_cpu() - polling_before
            print("refreshing:", describe(busy))
            print(f"refresh of {args.feeds} feeds took {elapsed:.1f} s in the TUI")
            print(
                f"CPU over the refresh: TUI process {cpu_after - cpu_before:.1f} s, "
                f"its main thread {thread_after - thread_before:.1f} s, "
                f"its child processes (parsers) {children_cpu:.1f} s"
            )
            print(f"    and this script's tmux clients {polling:.1f} s")
            print(f"load average at the end: {load_average()}")
        finally:
            pane.kill()
            server.stop()


if __name__ == "__main__":
    main()
