"""Fenced-code info strings mapped to Pygments lexer names."""

from __future__ import annotations

from functools import lru_cache

from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

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
    try:
        get_lexer_by_name(language)
    except ClassNotFound:
        return False
    return True
