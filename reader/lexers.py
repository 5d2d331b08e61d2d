"""Fenced-code info strings mapped to Pygments lexer names."""

from __future__ import annotations

import threading
from functools import lru_cache

from pygments.lexer import Lexer  # type: ignore[import-untyped]
from pygments.lexers import (  # type: ignore[import-untyped]
    find_lexer_class_by_name,
    get_lexer_by_name,
)
from pygments.util import ClassNotFound  # type: ignore[import-untyped]

PLAIN = "text"
"""Pygments' lexer for text shown without highlighting."""

# Info strings in common use that Pygments 2.21 has no alias for.
_ALIASES = {
    "jsonc": "json",
    "kt": "kotlin",
    "kts": "kotlin",
    "plain": PLAIN,
    "plaintext": PLAIN,
    "txt": PLAIN,
    "none": PLAIN,
    "svelte": "html",
}


def lexer_name(info: str | None) -> str:
    """Return the Pygments lexer name for a fence's info string.

    The language is the first word, with pandoc's ``{.lang}`` braces and a
    ``language-`` prefix removed. An empty or unknown language gives plain
    text: guessing the language from the code colours prose as code.
    """
    words = (info or "").split()
    if not words:
        return PLAIN
    language = words[0].strip("{}").lstrip(".").lower()
    language = language.removeprefix("language-").removeprefix("lang-")
    language = _ALIASES.get(language, language)
    return language if _is_known(language) else PLAIN


@lru_cache(maxsize=256)
def _is_known(language: str) -> bool:
    # Finding the class is cheap; creating the first lexer of a class
    # compiles its regular expressions, which takes up to 100 ms.
    try:
        find_lexer_class_by_name(language)
    except ClassNotFound:
        return False
    return True


_lexers: dict[str, Lexer] = {}
_lexers_lock = threading.Lock()


def get_lexer(name: str) -> Lexer:
    """Return a lexer for a name ``lexer_name`` returned, created once.

    Lexers keep tabs and leading and trailing newlines, so the highlighted
    text is the code exactly. One lexer serves every thread, because
    ``get_tokens`` keeps its state in local variables.
    """
    with _lexers_lock:
        lexer = _lexers.get(name)
    if lexer is None:
        lexer = get_lexer_by_name(name, stripnl=False, ensurenl=False, tabsize=0)
        with _lexers_lock:
            lexer = _lexers.setdefault(name, lexer)
    return lexer


def is_loaded(name: str) -> bool:
    """Return whether a lexer for ``name`` was created already, so that
    highlighting with it starts without compiling anything."""
    with _lexers_lock:
        return name in _lexers
