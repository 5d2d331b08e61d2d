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
from dataclasses import asdict, dataclass
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
SAMPLE_SECONDS = 0.02


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


def _tree_pss_kib(root: int) -> int:
    total = 0
    pending = _children(root)
    while pending:
        pid = pending.pop()
        total += _pss_kib(pid)
        pending += _children(pid)
    return total


def _wrap(argv: list[str]) -> Run:
    """Run ``argv`` as this process's child and measure it and its orphans."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
    wrapper = os.getpid()
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(SAMPLE_SECONDS):
            peak = max(peak, _tree_pss_kib(wrapper))

    started = time.perf_counter()
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
        tree_pss_mb=peak / 1024,
        returncode=returncode,
    )


if __name__ == "__main__":
    print(json.dumps(asdict(_wrap(sys.argv[1:]))))
