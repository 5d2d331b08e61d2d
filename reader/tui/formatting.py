"""Feed and entry fields turned into display text for the panes.

Every string that comes from a feed goes through ``display_line`` and into a
``Content`` as plain text. So markup-like titles such as "[bold]x[/]" show
literally and escape sequences never reach the terminal. Emoji whose width
terminals disagree on are dropped, so they cannot shift a column.
"""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from reader.cli_output import strip_url_prefix
from reader.models import Entry, Feed
from reader.textsafe import clean_line, stable_width


def counted(count: int, singular: str, plural: str) -> str:
    """Return ``count`` with the noun in the form its number takes:
    "1 entry", "2 entries", "0 entries"."""
    return f"{count} {singular if count == 1 else plural}"


def display_line(text: str) -> str:
    """Return untrusted ``text`` as one row of a pane: cleaned by
    ``clean_line`` and without characters of unstable width."""
    return stable_width(clean_line(text))


DEFAULT_DATE_FORMAT = "%Y-%m-%d"

_date_format = DEFAULT_DATE_FORMAT


def use_date_format(pattern: str) -> None:
    """Set the strftime ``pattern`` of ``local_date`` (the config's
    ``date_format``); the app sets it when it starts."""
    global _date_format
    _date_format = pattern or DEFAULT_DATE_FORMAT


def local_date(moment: datetime) -> str:
    """Return ``moment`` in the local time zone, formatted with the date
    format set by ``use_date_format`` (YYYY-MM-DD by default)."""
    return moment.astimezone().strftime(_date_format)


def local_datetime(moment: datetime) -> str:
    """Return ``moment`` as YYYY-MM-DD HH:MM in the local time zone."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def feed_title(feed: Feed) -> str:
    """Return the feed's title cleaned for one row, else its URL."""
    return display_line(feed.title) or display_line(feed.url)


def feed_error(feed: Feed) -> str | None:
    """Return the feed's last refresh error cleaned for one row, if any.

    The feed's own URL at its start is dropped (see ``strip_url_prefix``),
    because the row or line that shows the error already names the feed.
    """
    if feed.last_error is None:
        return None
    error = strip_url_prefix(display_line(feed.last_error), display_line(feed.url))
    return error or "refresh failed"


def entry_header(entry: Entry) -> Content:
    """Build the article header: title, then feed, author and date, then link."""
    title = display_line(entry.title) or "(untitled)"
    details = ["★ starred"] if entry.starred else []
    details.append(display_line(entry.feed_title))
    if entry.author and display_line(entry.author):
        details.append(f"by {display_line(entry.author)}")
    if entry.date is not None:
        details.append(local_datetime(entry.date))
    lines = [
        Content.styled(title, "bold $text-primary"),
        Content.styled(" · ".join(part for part in details if part), "$text-muted"),
    ]
    if entry.link:
        lines.append(Content.styled(display_line(entry.link), "underline $text-accent"))
    return Content("\n").join(lines)
