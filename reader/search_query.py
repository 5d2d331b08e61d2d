"""The search query syntax, translated into FTS5 MATCH expressions.

Query syntax, as typed by the user:

- ``word`` matches words starting with it (``pars`` finds "parser"). A
  one-letter word matches only itself, because a one-letter prefix matches
  most of the index and would make every search slow.
- ``"two words"`` matches the exact phrase;
- ``title:word`` and ``author:word`` look in one field only;
- ``-word`` drops entries that contain it.

Every term must match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEARCH_FIELDS = ("title", "author")
"""Fields a term may be limited to with ``field:term``."""

TITLE_FIELDS = "{title author}"
"""FTS5 column filter of the fields that relevance weighs above the text."""

_TERM = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"?|(\S+))')


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a query, quoted for FTS5."""

    quoted: str
    """The text as an FTS5 string, with ``*`` after it for a prefix."""
    field: str | None
    """``title`` or ``author`` when the term is limited to it."""

    @property
    def expression(self) -> str:
        """The term as an FTS5 expression, with its column filter."""
        if self.field is None:
            return self.quoted
        return f"{self.field} : {self.quoted}"

    @property
    def in_title_or_author(self) -> str:
        """The term limited to the title and author, or to its own field."""
        if self.field is None:
            return f"{TITLE_FIELDS} : {self.quoted}"
        return self.expression


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: terms every match contains, and terms none does."""

    positive: tuple[Term, ...]
    negative: tuple[Term, ...]

    def expression(self) -> str:
        """Return the MATCH expression of the whole query."""
        return self._without_negative(all_of(self.positive))

    def title_expression(self) -> str:
        """Return the MATCH expression of the matches whose title or author
        contains every positive term."""
        return self._without_negative(
            " AND ".join(term.in_title_or_author for term in self.positive)
        )

    def _without_negative(self, expression: str) -> str:
        for term in self.negative:
            expression += f" NOT {term.expression}"
        return expression


def all_of(terms: tuple[Term, ...]) -> str:
    """Return the MATCH expression that requires every one of ``terms``."""
    return " AND ".join(term.expression for term in terms)


def parse_query(query: str) -> Query | None:
    """Parse a user's query; return None when it has no term to look for.

    Each term is quoted, so FTS5 operators and punctuation in the query
    match literally.
    """
    positive: list[Term] = []
    negative: list[Term] = []
    for match in _TERM.finditer(query):
        minus, field, phrase, word = match.groups()
        if field is not None and field.lower() not in SEARCH_FIELDS:
            # "http://x" or "std::vector": not a field, so the whole is a word.
            field, word = None, match.group(0).removeprefix(minus)
            phrase = None
        text = phrase if phrase is not None else word
        if not text or not text.strip():
            continue
        quoted = '"' + text.replace('"', '""') + '"'
        if phrase is None and len(text) > 1:
            quoted += "*"
        term = Term(quoted, None if field is None else field.lower())
        (negative if minus else positive).append(term)
    if not positive:
        return None
    return Query(tuple(positive), tuple(negative))


def unknown_fields(query: str) -> list[str]:
    """Return the ``field:`` names in ``query`` that are not SEARCH_FIELDS.

    Only a name that is not a number, followed by a word or a quote, counts
    as a field, so "http://x", "std::vector" and "12:30" stay words.
    """
    unknown: list[str] = []
    for match in _TERM.finditer(query):
        _, field, phrase, word = match.groups()
        if field is None or field.lower() in SEARCH_FIELDS or field.isdigit():
            continue
        if phrase is not None or (word and (word[0].isalnum() or word[0] == "_")):
            unknown.append(field)
    return unknown


def match_expression(query: str) -> str | None:
    """Translate a user's query into an FTS5 MATCH expression.

    Returns None when the query has no term to look for.
    """
    parsed = parse_query(query)
    return None if parsed is None else parsed.expression()
