"""Subscriptions read from an import file, and the lines left out."""

from __future__ import annotations

from dataclasses import dataclass

from reader.models import TidingsError


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed listed in an import file."""

    url: str
    """The URL as written in the file, before normalization."""
    line: int
    """1-based line of the file that lists it."""
    title: str | None = None
    """The feed's own title as the file gives it; shown until a refresh."""
    folder: str | None = None
    user_title: str | None = None
    """A title the user chose, kept over the feed's own title."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A line of an import file that adds no feed, and why."""

    line: int
    text: str
    """The line (or OPML outline) as written, cleaned for the terminal."""
    reason: str


@dataclass(frozen=True, slots=True)
class SubscriptionList:
    """An import file after parsing, before anything is stored."""

    format: str
    """"OPML", "newsboat urls" or "URL list"."""
    subscriptions: tuple[Subscription, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    """Lines that are not feeds tidings reads (queries, commands, notes)."""
    invalid: tuple[Skipped, ...] = ()
    """Lines that could not be read."""


class ImportFileError(TidingsError, ValueError):
    """An import file cannot be read at all (not OPML, unsafe XML, not text)."""
