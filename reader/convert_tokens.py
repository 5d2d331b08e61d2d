"""Placeholder tokens of one conversion, and prose escaped with them.

Code, links and Markdown-significant prose characters are replaced by tokens
before html2text runs, and by Markdown after it, so html2text can neither
change code nor turn prose characters into syntax.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

# Prose characters that can start Markdown syntax and that html2text leaves
# bare: "<T>" would become an HTML tag, "*args" emphasis. ``escape_prose``
# decides which of them need a backslash where they stand.
_MARKDOWN_SIGNIFICANT = re.compile(r"[\\`\[\]<&*_~|#>]")
_ENTITY_LIKE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


@dataclass(frozen=True)
class Tokens:
    """Placeholder tokens of one conversion, unique to it.

    The random part keeps article text from forging a token. Tokens are
    letters and digits only, so html2text copies them without escaping.
    """

    prefix: str

    @classmethod
    def unused_in(cls, html: str) -> Tokens:
        """Return tokens whose prefix does not occur in ``html``."""
        while True:
            prefix = "TDG" + secrets.token_hex(4).upper()
            if prefix not in html:
                return cls(prefix)

    def block(self, index: int) -> str:
        """Return the token of code block ``index``."""
        return f"{self.prefix}B{index}Z"

    def span(self, index: int) -> str:
        """Return the token of inline code span ``index``."""
        return f"{self.prefix}C{index}Z"

    def escaped(self, char: str) -> str:
        """Return the token of ``char`` to be written back as ``\\char``."""
        return f"{self.prefix}E{ord(char)}Z"

    def unescape(self, text: str) -> str:
        """Return ``text`` with each escaped-character token back as the
        bare character."""
        pattern = re.escape(self.prefix) + r"E(\d+)Z"
        return re.sub(pattern, lambda match: chr(int(match[1])), text)

    def link_start(self, index: int) -> str:
        """Return the token where the text of link ``index`` starts."""
        return f"{self.prefix}L{index}Z"

    def link_end(self, index: int) -> str:
        """Return the token where the text of link ``index`` ends."""
        return f"{self.prefix}K{index}Z"

    def placeholder(self, index: int) -> str:
        """Return the token of image or media placeholder ``index``."""
        return f"{self.prefix}M{index}Z"

    def glue(self) -> str:
        """Return the token that marks text joined to the emphasis before it.

        html2text writes a space between closing emphasis and the text after
        it. The converter deletes the token and that space.
        """
        return f"{self.prefix}GZ"


def escape_prose(
    text: str, tokens: Tokens, *, in_cell: bool = False, in_link: bool = False
) -> str:
    """Replace each Markdown-significant character of ``text`` that needs a
    backslash with its token.

    ``in_cell`` and ``in_link`` say whether the text is inside a table cell,
    where ``|`` ends the cell, or inside a link, where ``]`` ends its text.
    Where a neighbour lies outside ``text`` it is unknown, so the character
    is escaped.
    """
    first_visible = len(text) - len(text.lstrip())

    def needs_escape(char: str, start: int) -> bool:
        before = text[start - 1] if start > 0 else ""
        after = text[start + 1] if start + 1 < len(text) else ""
        if char == "<":
            return not after or after.isalpha() or after in "/!?"
        if char == "&":
            return _ENTITY_LIKE.match(text, start) is not None
        if char == "*":
            # A star between spaces is text, unless it starts a line (bullet).
            spaced = before.isspace() and after.isspace()
            return start == first_visible or not spaced
        if char == "_":
            # Underscores inside a word never make emphasis (snake_case).
            return not (before.isalnum() and after.isalnum())
        if char == "~":
            # rich enables strikethrough, made by two tildes. One is text.
            return "~" in (before, after)
        if char == "|":
            return in_cell
        if char == "]":
            return in_link
        if char in "#>":
            # These act only at the start of a line, and html2text starts a
            # line with the text of a block element.
            return start == first_visible
        return True  # backslash, backtick and "[" (a link cannot open then)

    def replace(match: re.Match[str]) -> str:
        char = match[0]
        return tokens.escaped(char) if needs_escape(char, match.start()) else char

    return _MARKDOWN_SIGNIFICANT.sub(replace, text)
