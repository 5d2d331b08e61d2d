"""Code in articles: the language of a code block and its Markdown forms.

The fences built here keep their code exactly, and code spans keep it except
that line breaks become spaces. Each delimiter is longer than any backtick run
inside the text, as CommonMark requires, so code that itself contains
backticks or fences stays one block or one span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Attributes = Sequence[tuple[str, str | None]]
"""Attributes of an element as html.parser reports them."""

# Checked in this order, so "highlight-source-js" yields "js", not "source-js".
_LANGUAGE_PREFIXES = ("language-", "lang-", "highlight-source-", "highlight-")

_LANGUAGE_ATTRIBUTES = ("data-lang", "data-language")

# Class names that mark a bare language name beside them: "hljs python"
# (highlight.js) and "sourceCode haskell" (pandoc).
_BARE_NAME_MARKERS = frozenset({"hljs", "sourcecode"})

# Class names that appear beside those markers but name no language.
_NOT_LANGUAGES = _BARE_NAME_MARKERS | {
    "code",
    "highlight",
    "nohighlight",
    "numberlines",
    "line-numbers",
    "linenums",
    "prettyprint",
}

# A fence info string must not contain backticks, and only its first word
# names the language, so anything else is not taken as a name.
_LANGUAGE_NAME = re.compile(r"[\w+#.-]+")

_BACKTICK_RUN = re.compile(r"`+")


def language_from_attributes(attributes: Attributes) -> str | None:
    """Return the lowercased language an element's class or data-lang names.

    Recognised forms: ``language-X``, ``lang-X``, ``highlight-X`` and
    ``highlight-source-X`` classes, ``data-lang`` and ``data-language``
    attributes, and a bare name beside ``hljs`` or ``sourceCode``. Returns
    None when none of them is present.
    """
    values = dict(attributes)
    classes = (values.get("class") or "").split()
    for name in classes:
        for prefix in _LANGUAGE_PREFIXES:
            if name.lower().startswith(prefix):
                language = _valid_language(name[len(prefix) :])
                if language:
                    return language
    for attribute in _LANGUAGE_ATTRIBUTES:
        language = _valid_language(values.get(attribute) or "")
        if language:
            return language
    return _bare_language([name.lower() for name in classes])


def _bare_language(classes: list[str]) -> str | None:
    if not _BARE_NAME_MARKERS.intersection(classes):
        return None
    for name in classes:
        if name not in _NOT_LANGUAGES and not name.startswith("hljs-"):
            language = _valid_language(name)
            if language:
                return language
    return None


def _valid_language(name: str) -> str | None:
    name = name.strip()
    if _LANGUAGE_NAME.fullmatch(name):
        return name.lower()
    return None


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0)


def fenced_block(code: str, language: str | None) -> list[str]:
    """Return the lines of a fenced code block that contains ``code`` exactly.

    One final newline of ``code`` is dropped, because the line of the closing
    fence ends the last code line. A CommonMark parser gives back ``code``
    with exactly one final newline.
    """
    fence = "`" * max(3, _longest_backtick_run(code) + 1)
    body = code.removesuffix("\n")
    if not body:
        return [fence + (language or ""), fence]
    return [fence + (language or ""), *body.split("\n"), fence]


def code_span(text: str, in_table: bool = False) -> str:
    """Return ``text`` as one inline code span, or "" when it is empty.

    Line breaks become spaces, as CommonMark does inside a span. The span is
    padded with one space inside each delimiter when ``text`` starts or ends
    with a backtick, or starts and ends with a space, because a reader strips
    exactly one such space from each end. In a table cell (``in_table``)
    each ``|`` is escaped, since a bare one would end the cell even inside
    a code span.
    """
    text = text.replace("\n", " ")
    if not text:
        return ""
    delimiter = "`" * (_longest_backtick_run(text) + 1)
    starts_and_ends_with_space = text.startswith(" ") and text.endswith(" ")
    padded = text.startswith("`") or text.endswith("`")
    if padded or (starts_and_ends_with_space and text.strip(" ")):
        text = f" {text} "
    if in_table:
        text = text.replace("|", "\\|")
    return f"{delimiter}{text}{delimiter}"
