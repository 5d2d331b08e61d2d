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


def clean_text(text: str) -> str:
    """Remove escape sequences, control and bidi characters, keeping newlines
    and tabs.

    Carriage returns become newlines, so "a\\r\\nb" keeps one line break and a
    bare "\\r" cannot move the cursor back over text already written.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _CONTROLS.sub("", text)
    return _BIDI_CONTROLS.sub("", text)


def clean_line(text: str) -> str:
    """Return ``text`` cleaned as by ``clean_text`` and folded to one line.

    Runs of whitespace, newlines included, become one space, and the ends
    are trimmed: titles, authors and feed names are shown on one row.
    """
    return _WHITESPACE_RUN.sub(" ", clean_text(text)).strip()
