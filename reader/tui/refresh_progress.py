"""The tally of a refresh run, and the status texts made from it.

Each feed of a run ends in one of four outcomes. Updated: a new document
was parsed and stored. Unchanged: 304 Not Modified, or the same bytes as
last time. Skipped: not due, backing off, gone, or its host paused. Failed:
the fetch, parse or store raised an error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from reader.models import FeedRefreshed, RefreshSummary


class Outcome(StrEnum):
    """The outcome of one feed in a refresh run."""

    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


def outcome(result: FeedRefreshed) -> Outcome:
    """Return the outcome of one feed's refresh."""
    if result.error is not None:
        return Outcome.FAILED
    if result.skipped is not None:
        return Outcome.SKIPPED
    if result.not_modified:
        return Outcome.UNCHANGED
    return Outcome.UPDATED


@dataclass
class RefreshTally:
    """Counts of a refresh run so far, and the results not yet shown.

    ``refresh_feeds`` reports each feed as it finishes. The tally keeps the
    results until the app shows them, a few times a second, so a run of a
    thousand feeds costs a few dozen redraws rather than a thousand.
    """

    total: int
    """Feeds in the run, skipped ones included."""
    done: int = 0
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    new_entries: int = 0
    pending: list[FeedRefreshed] = field(default_factory=list)
    """Results reported since the last ``take_pending``."""

    def add(self, result: FeedRefreshed, done: int, total: int) -> None:
        """Count one finished feed; ``done`` of ``total`` are finished."""
        self.done = done
        self.total = total
        self.outcomes[outcome(result)] += 1
        self.new_entries += result.new
        self.pending.append(result)

    def take_pending(self) -> list[FeedRefreshed]:
        """Return the results not yet shown and forget them."""
        pending, self.pending = self.pending, []
        return pending

    @property
    def failed(self) -> int:
        """Feeds whose refresh failed so far."""
        return self.outcomes[Outcome.FAILED]

    def progress_text(self) -> str:
        """Return e.g. "Refreshing 30/500 feeds, 2 failed".

        The count of finished feeds is padded to the width of the total, so
        the text keeps its width while the count grows.
        """
        done = str(self.done).rjust(len(str(self.total)))
        text = f"Refreshing {done}/{self.total} feeds"
        return f"{text}, {self.failed} failed" if self.failed else text


def first_failure(title: str, error: str | None, summary: RefreshSummary) -> str:
    """Return e.g. " (Lantern: HTTP 404 Not Found; 17 more failed)", the
    part of a run's outcome that names its first failed feed."""
    more = len(summary.failed) - 1
    others = f"; {more} more failed" if more else ""
    return f" ({title}: {error}{others})"


def _count(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def summary_text(results: Iterable[FeedRefreshed]) -> str:
    """Return e.g. "Refreshed 500 feeds: 320 updated, 150 unchanged,
    20 skipped, 10 failed · 1204 new entries"; outcomes that no feed had are
    left out."""
    results = list(results)
    outcomes = Counter(outcome(result) for result in results)
    counts = [f"{outcomes[kind]} {kind}" for kind in Outcome if outcomes[kind]]
    new = sum(result.new for result in results)
    head = f"Refreshed {_count(len(results), 'feed', 'feeds')}"
    if not results:
        return head
    return f"{head}: {', '.join(counts)} · {_count(new, 'new entry', 'new entries')}"
