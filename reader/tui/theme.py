"""The "tidings" theme: a dark theme tuned for long reading.

Body text is a warm off-white at a WCAG contrast ratio of 10.9:1 on the
pane background, where white on black is 21:1, so long reading glares
less. Headings (blue, 6.2:1) and links (amber, 8.0:1) stay above the 4.5:1
that WCAG AA asks for. Code blocks sit on a background darker than the
page, so they stand apart without a border.
"""

from __future__ import annotations

from textual.theme import Theme

from reader.config_checks import READING_THEME

CODE_BACKGROUND_VARIABLE = "code-background"
"""Theme variable the article reads for the background of code blocks."""

TIDINGS_THEME = Theme(
    name=READING_THEME,
    primary="#7fa7cf",
    secondary="#9db89a",
    accent="#d8b46c",
    warning="#d8b46c",
    error="#e07f72",
    success="#9db89a",
    foreground="#dcd6cb",
    background="#1c1e21",
    surface="#212327",
    panel="#2b2e33",
    dark=True,
    variables={
        CODE_BACKGROUND_VARIABLE: "#16181b",
        "footer-key-foreground": "#d8b46c",
        "block-cursor-background": "#3a4a5c",
        "block-cursor-foreground": "#f1ece3",
        "block-cursor-blurred-background": "#2e3338",
    },
)
"""Registered by ``TidingsApp``; chosen with ``theme = "tidings"``."""
