"""Run a command and measure its wall time, CPU time and peak memory.

``run_measured`` starts this file as a wrapper process around the command.
The wrapper becomes a child subreaper (Linux ``prctl``), so processes that
outlive their parent, such as tidings' forkserver, are reparented to it. It
waits for every descendant, and its ``RUSAGE_CHILDREN`` is then exactly the
CPU time of the whole run. Peak memory is reported twice: the RSS of the
largest single process, exact from rusage, and the largest sum of PSS over
the process tree, sampled from /proc every 20 ms. PSS divides each shared
page among the processes that map it, so forked workers that share pages
with their parent are not counted twice, as a sum of RSS would.

The same sampler reads each process's CPU time from /proc/PID/stat, so
``Run.processes`` splits the CPU time by process (the event loop process,
the forkserver, each worker) and ``Run.timeline`` shows how many CPUs the
run kept busy in each tenth of a second. A process that exits between two
samples loses the CPU time of its last 20 ms from these two figures, but
not from ``Run.cpu``.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
SAMPLE_SECONDS = 0.02
TIMELINE_SECONDS = 0.1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Process:
    """CPU time of one process of a run, from its last sample."""

    pid: int
    parent: int
    command: str
    """The command line, cut to 120 characters."""
    cpu: float = 0.0
    """User plus system CPU seconds."""
    first_seen: float = 0.0
    last_busy: float = 0.0
    """Seconds from the start of the run to the last sample that found this
    process's CPU time grown."""


@dataclass(frozen=True)
class Run:
    """Figures of one command run."""

    wall: float
    """Seconds from the start of the command to its exit."""
    cpu: float
    """User plus system CPU seconds of every process of the run."""
    max_rss_mb: float
    """Peak resident memory of the largest single process, in MiB."""
    tree_pss_mb: float
    """Peak of the summed proportional set size of its processes, in MiB."""
    returncode: int
    processes: list[dict[str, object]] = field(default_factory=list)
    """Each process's ``Process`` fields, as sampled."""
    timeline: list[float] = field(default_factory=list)
    """CPUs busy in each ``TIMELINE_SECONDS`` of the run, on average."""


def run_measured(argv: Sequence[str], env: Mapping[str, str]) -> Run:
    """Run ``argv`` with environment ``env`` in a wrapper; return its figures.

    Raises RuntimeError with the command's stderr when it fails.
    """
    completed = subprocess.run(
        [sys.executable, __file__, *argv],
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"{argv[0]} failed (exit {completed.returncode}): "
            f"{completed.stderr[-2000:]}"
        )
    run = Run(**json.loads(lines[-1]))
    if run.returncode != 0:
        raise RuntimeError(
            f"{argv[0]} exited with {run.returncode}: {completed.stderr[-2000:]}"
        )
    return run


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[tuple[int, int]]:
    """Return (pid, parent pid) of every process below ``root``."""
    found = []
    pending = [(child, root) for child in _children(root)]
    while pending:
        pid, parent = pending.pop()
        found.append((pid, parent))
        pending += [(child, pid) for child in _children(pid)]
    return found


def _cpu_seconds(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name in brackets may contain spaces, so split after it.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()[:120]


class _Sampler:
    """Peak PSS, CPU time per process and CPUs busy over time."""

    def __init__(self, root: int, started: float) -> None:
        self.root = root
        self.started = started
        self.peak_pss = 0
        self.processes: dict[int, Process] = {}
        self.busy: dict[int, float] = {}

    def sample(self) -> None:
        now = time.perf_counter() - self.started
        pss = 0
        for pid, parent in _descendants(self.root):
            pss += _pss_kib(pid)
            cpu = _cpu_seconds(pid)
            if cpu is None:
                continue
            process = self.processes.get(pid)
            if process is None:
                process = Process(pid, parent, _command(pid), 0.0, now, now)
                self.processes[pid] = process
            if cpu > process.cpu:
                slot = int(now / TIMELINE_SECONDS)
                self.busy[slot] = self.busy.get(slot, 0.0) + cpu - process.cpu
                process.cpu = cpu
                process.last_busy = now
        self.peak_pss = max(self.peak_pss, pss)

    def timeline(self, wall: float) -> list[float]:
        slots = int(wall / TIMELINE_SECONDS) + 1
        return [
            round(self.busy.get(slot, 0.0) / TIMELINE_SECONDS, 2)
            for slot in range(slots)
        ]


def _wrap(argv: list[str]) -> Run:
    """Run ``argv`` as this process's child and measure it and its orphans."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
    stop = threading.Event()
    started = time.perf_counter()
    sampler_state = _Sampler(os.getpid(), started)

    def sample() -> None:
        while not stop.wait(SAMPLE_SECONDS):
            sampler_state.sample()

    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    returncode = process.wait()
    wall = time.perf_counter() - started
    while True:  # Reap the orphans, which exit once their parent is gone.
        try:
            os.wait()
        except ChildProcessError:
            break
    stop.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_pss_mb=sampler_state.peak_pss / 1024,
        returncode=returncode,
        processes=[asdict(p) for p in sampler_state.processes.values()],
        timeline=sampler_state.timeline(wall),
    )


if __name__ == "__main__":
    print(json.dumps(asdict(_wrap(sys.argv[1:]))))
