"""Make untrusted feed text safe to put on a terminal.

Feeds can carry escape sequences, C0/C1 control characters and bidi
controls. Everything a feed supplies passes through these functions before
it is stored as display text or written to the screen.
"""

from __future__ import annotations

import re

# ECMA-48 sequences: CSI (ESC [ ... final), OSC/DCS/APC/PM/SOS strings ended
# by BEL or ST, and two-character ESC sequences. Removing the whole sequence
# keeps its parameters ("31m", "0;PWNED") out of the text as well.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?          # CSI
    | (?:\x1b[\]P^_X]|[\x90\x98\x9d\x9e\x9f])   # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?     # ... up to BEL or ST
    | \x1b[ -/]*[0-~]?                          # other ESC sequences
    """,
    re.VERBOSE,
)

# C0 and C1 controls and DEL, except tab and newline, which callers that keep
# line structure pass through.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Bidi embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates
# (LRI, RLI, FSI, PDI). An override can make "exe.pdf" read as "fdp.exe", and
# an unclosed one bleeds into the next columns, so all of them go. Real
# right-to-left text needs none of them: the terminal orders it by itself.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

_WHITESPACE_RUN = re.compile(r"\s+")

# Characters that draw nothing: zero-width space, non-joiner and joiner,
# word joiner, byte order mark and soft hyphen. A line made only of them and
# whitespace reads as blank, so it counts as empty.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\xad]")

# Line and paragraph separators, and NEL (a C1 control): line breaks that
# terminals do not treat as line breaks.
_LINE_SEPARATORS = re.compile("[\u2028\u2029\x85]")

# Characters whose width terminals disagree on, measured against rich 15
# (which Textual lays out with) in tmux 3.3a: variation selectors, which
# turn a one-cell symbol such as U+2764 into a two-cell emoji in some
# terminals only; emoji skin-tone modifiers, two cells of their own in some
# terminals and none in others; and the soft hyphen, one cell or none.
_WIDTH_AMBIGUOUS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\xad]")


def clean_text(text: str) -> str:
    """Remove escape sequences, control and bidi characters, keeping newlines
    and tabs.

    Carriage returns become newlines, so "a\\r\\nb" keeps one line break and a
    bare "\\r" cannot move the cursor back over text already written. NEL
    and the Unicode line and paragraph separators become newlines too.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_SEPARATORS.sub("\n", text)
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _CONTROLS.sub("", text)
    return _BIDI_CONTROLS.sub("", text)


def clean_line(text: str) -> str:
    """Return ``text`` cleaned as by ``clean_text`` and folded to one line.

    Runs of whitespace, newlines included, become one space, and the ends
    are trimmed: titles, authors and feed names are shown on one row. A
    line with nothing visible, such as a lone zero-width space, becomes "",
    so callers fall back as they do for a missing title.
    """
    line = _WHITESPACE_RUN.sub(" ", clean_text(text)).strip()
    if not _INVISIBLE.sub("", line).strip():
        return ""
    return line


def stable_width(text: str) -> str:
    """Return ``text`` without the characters whose width terminals disagree
    on: variation selectors, emoji skin-tone modifiers and soft hyphens.

    For text laid out in columns, such as list rows: what remains measures
    the same in rich, which Textual lays out with, and in tmux 3.3a, so a
    row does not push the columns after it. "❤️" shows as the one-cell "❤"
    and "👍🏽" as "👍".

    NOTE: zero-width joiner sequences such as "👩‍💻" are kept. rich and tmux
    3.3a count them as two cells, but a terminal that draws each joined
    emoji apart shows them wider.
    """
    return _WIDTH_AMBIGUOUS.sub("", text)
