"""Feed and entry fields turned into display text for the panes.

Every string that comes from a feed goes through ``clean_line`` and into a
``Content`` as plain text, so markup-like titles such as "[bold]x[/]" show
literally and escape sequences never reach the terminal.
"""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from reader.models import Entry, Feed
from reader.textsafe import clean_line


def local_date(moment: datetime) -> str:
    """Return ``moment`` as YYYY-MM-DD in the local time zone."""
    return moment.astimezone().strftime("%Y-%m-%d")


def local_datetime(moment: datetime) -> str:
    """Return ``moment`` as YYYY-MM-DD HH:MM in the local time zone."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def feed_title(feed: Feed) -> str:
    """Return the feed's title cleaned for one row, else its URL."""
    return clean_line(feed.title) or clean_line(feed.url)


def feed_error(feed: Feed) -> str | None:
    """Return the feed's last refresh error cleaned for one row, if any.

    A leading "URL: " naming the feed's own URL is dropped, because the row
    or line that shows the error already names the feed.
    """
    if feed.last_error is None:
        return None
    error = clean_line(feed.last_error).removeprefix(f"{clean_line(feed.url)}: ")
    return error or "refresh failed"


def entry_header(entry: Entry) -> Content:
    """Build the article header: title, then feed, author and date, then link."""
    title = clean_line(entry.title) or "(untitled)"
    details = ["★ starred"] if entry.starred else []
    details.append(clean_line(entry.feed_title))
    if entry.author and clean_line(entry.author):
        details.append(f"by {clean_line(entry.author)}")
    if entry.date is not None:
        details.append(local_datetime(entry.date))
    lines = [
        Content.styled(title, "bold $text-primary"),
        Content.styled(" · ".join(part for part in details if part), "$text-muted"),
    ]
    if entry.link:
        lines.append(Content.styled(clean_line(entry.link), "underline $text-accent"))
    return Content("\n").join(lines)
