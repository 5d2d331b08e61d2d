"""Detect the charset of a document that claims UTF-8 but is another one.

A feed written in KOI8-R, ISO-8859-5, windows-1251 or another legacy
charset is sometimes served with a UTF-8 declaration, for example one
that a site template writes. charset-normalizer detects the real charset
from the bytes: it decodes them with each candidate and scores the text for
noise and for the letter frequencies of a language.

Detection runs only after UTF-8 has failed, and only when reading the
invalid bytes as windows-1252 gives noisy text. A UTF-8 document with a
few stray windows-1252 bytes, the more common fault, keeps that reading.

NOTE: a document with only a few words of non-ASCII text is ambiguous
between charsets. The detector may then pick a wrong one, or none, which
leaves the windows-1252 reading.
"""

from __future__ import annotations

import codecs
import re

# Escaped bytes of a "surrogateescape" UTF-8 decoding, and every other
# non-ASCII character, which came from a valid multi-byte sequence.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
# Codecs that do not read ASCII as ASCII. The XML markup of the document
# is ASCII, so none of them can be its charset.
_NOT_ASCII_COMPATIBLE = [
    "utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le",
    "utf_7", "cp037", "cp273", "cp500", "cp875", "cp1026", "cp1140",
]  # fmt: skip
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
_WINDOWS_CODEC = re.compile(r"cp(125\d)")
_ISO_CODEC = re.compile(r"^iso8859-")


def decode_misdeclared_utf8(content: bytes, repaired: str) -> tuple[str, str] | None:
    """Return (text, charset name) for a document in another charset, or None.

    ``content`` claims UTF-8 but is not valid UTF-8, and ``repaired`` is it
    decoded with the invalid bytes read as windows-1252. None keeps that
    reading: the document is mostly valid UTF-8, or the reading
    gives clean text, or no charset decodes the bytes to cleaner text.
    """
    if _mostly_utf8(content) or _is_clean(repaired):
        return None
    # Imported here: only a few feeds need it, and it adds to start-up time.
    from charset_normalizer import from_bytes

    best = from_bytes(content, cp_exclusion=_NOT_ASCII_COMPATIBLE).best()
    if best is None or not _reads_ascii_as_ascii(best.encoding):
        return None
    text = str(best)
    if text == repaired:
        return None
    return text, charset_name(best.encoding)


def charset_name(encoding: str) -> str:
    """Return the IANA name of a Python codec, such as "windows-1251" for
    "cp1251", for messages."""
    name = codecs.lookup(encoding).name
    windows = _WINDOWS_CODEC.fullmatch(name)
    if windows:
        return f"windows-{windows[1]}"
    return _ISO_CODEC.sub("iso-8859-", name)


def _mostly_utf8(content: bytes) -> bool:
    """Return whether valid multi-byte UTF-8 characters are at least as many
    as the bytes that are not UTF-8.

    A legacy single-byte document forms valid UTF-8 sequences only by
    chance, for example KOI8-R "ё" after some capital letters.
    """
    text = content.decode("utf-8", "surrogateescape")
    invalid = len(_ESCAPED_BYTE.findall(text))
    valid = len(_NON_ASCII.findall(text)) - invalid
    return valid >= invalid


def _is_clean(text: str) -> bool:
    """Return whether ``text`` scores below charset-normalizer's noise limit.

    Windows-1252 mojibake of Cyrillic or Greek text, such as "ÐÒÏÅËÔÁ",
    mixes cases and accents in ways real text does not, and scores high.
    """
    from charset_normalizer import from_bytes

    # Without a fallback, from_bytes returns no match when the text scores
    # above the limit, instead of the only candidate it was given.
    reading = from_bytes(
        text.encode("utf-8", "surrogatepass"),
        cp_isolation=["utf_8"],
        enable_fallback=False,
    )
    return reading.best() is not None


def _reads_ascii_as_ascii(encoding: str) -> bool:
    try:
        return _PRINTABLE_ASCII.decode(encoding) == _PRINTABLE_ASCII.decode("ascii")
    except (LookupError, UnicodeDecodeError):
        return False
