"""Print the CPU time that converting one feed date to UTC takes, per form.

Every entry's published and updated dates go through ``reader.dates``, on
top of feedparser's own parse. Run: ``.venv/bin/python benchmarks/dates.py``.
Figures are CPU time (time.process_time), so other load on the machine
changes them less than wall-clock time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from feedparser.datetimes import _parse_date

from reader.dates import parse_date

FORMS = (
    "Tue, 05 Mar 2024 14:03:00 GMT",
    "Tue, 05 Mar 2024 14:03:00 +0100",
    "2024-03-05T14:03:00+01:00",
    "Tuesday, 05-Mar-24 14:03:00 EST",
    "Tue Mar  5 14:03:00 2024",
    "Tuesday, March 5, 2024 2:03 PM",
)
CALLS = 20_000


def microseconds_per_call(function: Callable[[str], object], value: str) -> float:
    """Return the mean CPU time of ``function(value)`` in microseconds."""
    start = time.process_time()
    for _ in range(CALLS):
        function(value)
    return (time.process_time() - start) / CALLS * 1e6


def main() -> None:
    """Print one line per form: reader.dates and feedparser, in µs."""
    print(f"{'form':36} {'reader.dates':>13} {'feedparser':>11}")
    for form in FORMS:
        ours = microseconds_per_call(parse_date, form)
        theirs = microseconds_per_call(_parse_date, form)
        print(f"{form:36} {ours:10.1f} µs {theirs:8.1f} µs")


if __name__ == "__main__":
    main()
