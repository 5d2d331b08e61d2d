"""Plain URL lists and newsboat ``urls`` files.

Both have one feed per line and ``#`` comment lines. A newsboat line may
follow its URL with tags, double-quoted when they contain spaces. A tag
``"~Title"`` is a title the user chose, and a tag starting with ``!``
hides the feed in newsboat. The first other tag becomes the feed's
folder, and later tags are dropped because a feed has one folder.
``"query:..."`` lines and ``exec:`` and ``filter:`` URLs run searches or
commands inside newsboat, so they are reported as skipped.
"""

from __future__ import annotations

import re

from reader.subscription_list import Skipped, Subscription, SubscriptionList
from reader.textsafe import clean_line

_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
_ESCAPE = re.compile(r"\\(.)")
_COMMAND_SCHEMES = {
    "exec:": "a newsboat exec: feed, which runs a command",
    "filter:": "a newsboat filter: feed, which runs a command",
}


def split_line(line: str) -> list[str]:
    """Split a urls-file line into its URL and tags, unquoting quoted tags.

    An unquoted word starting with ``#`` starts a comment. Raises
    ValueError for a quote that is not closed.
    """
    words: list[str] = []
    for match in _TOKEN.finditer(line):
        quoted, bare = match.groups()
        if bare is None:
            words.append(_ESCAPE.sub(r"\1", quoted))
        elif bare.startswith("#"):
            break
        elif '"' in bare:
            raise ValueError("a double quote is not closed")
        else:
            words.append(bare)
    return words


def has_newsboat_syntax(text: str) -> bool:
    """Return whether any line has tags, a query, or a command URL, which
    a plain list of URLs does not."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith('"') or stripped.startswith(tuple(_COMMAND_SCHEMES)):
            return True
        if len(stripped.split()) > 1:
            return True
    return False


def parse_url_lines(text: str) -> SubscriptionList:
    """Read a plain URL list or a newsboat urls file."""
    subscriptions: list[Subscription] = []
    skipped: list[Skipped] = []
    invalid: list[Skipped] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        shown = clean_line(stripped)
        try:
            words = split_line(stripped)
        except ValueError as error:
            invalid.append(Skipped(number, shown, str(error)))
            continue
        reason = _skip_reason(words[0])
        if reason:
            skipped.append(Skipped(number, shown, reason))
        else:
            subscriptions.append(_subscription(number, words))
    name = "newsboat urls" if has_newsboat_syntax(text) else "URL list"
    return SubscriptionList(name, tuple(subscriptions), tuple(skipped), tuple(invalid))


def _skip_reason(url: str) -> str | None:
    if url.startswith("query:"):
        return "a newsboat query feed, which searches other feeds"
    for scheme, reason in _COMMAND_SCHEMES.items():
        if url.lower().startswith(scheme):
            return reason
    return None


def _subscription(number: int, words: list[str]) -> Subscription:
    url, *tags = words
    user_title = next((tag[1:] for tag in tags if tag.startswith("~")), None)
    folder = next((tag for tag in tags if not tag.startswith(("~", "!"))), None)
    return Subscription(url, number, folder=folder, user_title=user_title or None)
