"""Repair byte-level faults in XML feed documents before feedparser reads them.

Two faults are common in real feeds and cost feedparser more than they
should:

- Whitespace before the XML declaration, which is not well-formed XML, so
  feedparser drops to its loose parser and flags the document.
- A document that claims UTF-8 but contains a few windows-1252 bytes, often
  one pasted quote in an otherwise UTF-8 feed. feedparser 6.0.14 then
  decodes the whole document with another charset (iso-8859-2 or
  windows-1252), which garbles every correct UTF-8 character.

A document that claims UTF-8 but is in another charset throughout, such as
KOI8-R or ISO-8859-5, would come out as windows-1252 mojibake from that
repair. ``reader.charset_detect`` picks the charset of such documents.

``repair_document`` fixes these faults and reports what it changed as
warnings.
"""

from __future__ import annotations

import codecs
import re

from reader.charset_detect import decode_misdeclared_utf8

_UTF8_BOM = codecs.BOM_UTF8
# UTF-32 first, because the UTF-32-LE BOM starts with the UTF-16-LE one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_XML_SPACE = b" \t\r\n"
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_CHARSET_PARAMETER = re.compile(r";\s*charset\s*=\s*\"?([^\s;\"]+)", re.IGNORECASE)
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
# surrogateescape decodes each byte that is not valid UTF-8 to one of these.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _windows_1252_table() -> dict[int, str]:
    # windows-1252 leaves five bytes undefined. They get their Latin-1 code
    # point, the C1 control that clean_text removes later.
    table = {}
    for byte in range(0x80, 0x100):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            table[byte] = chr(byte)
    return table


_WINDOWS_1252 = _windows_1252_table()


def repair_document(
    content: bytes, content_type: str | None
) -> tuple[bytes, list[str]]:
    """Return the document with both faults repaired, and a warning for each.

    ``content_type`` is the HTTP Content-Type header, if any, and its
    charset counts as a declaration. Documents without these faults come
    back unchanged.
    """
    warnings: list[str] = []
    stripped = _strip_space_before_declaration(content)
    if stripped != content:
        warnings.append("whitespace before the XML declaration was removed")
    repaired, warning = _decode_invalid_utf8(stripped, content_type)
    if warning:
        warnings.append(warning)
    return repaired, warnings


def stray_bytes_warning(count: int) -> str:
    """Return the warning for ``count`` bytes read as windows-1252."""
    subject = "1 byte is" if count == 1 else f"{count} bytes are"
    return (
        f"the document is declared as UTF-8 but {subject} not UTF-8; "
        "they were read as windows-1252"
    )


def _strip_space_before_declaration(content: bytes) -> bytes:
    for bom, codec in _WIDE_BOMS:
        if content.startswith(bom):
            return _strip_wide(content, codec)
    bom = _UTF8_BOM if content.startswith(_UTF8_BOM) else b""
    rest = content[len(bom) :]
    stripped = rest.lstrip(_XML_SPACE)
    if len(stripped) == len(rest) or not stripped.startswith(b"<?xml"):
        return content
    return bom + stripped


def _strip_wide(content: bytes, codec: str) -> bytes:
    # The codec reads the byte order from the BOM and encode() writes a BOM
    # again, so the result stays a UTF-16 or UTF-32 document.
    try:
        text = content.decode(codec)
    except UnicodeDecodeError:
        return content
    stripped = text.lstrip(" \t\r\n")
    if stripped == text or not stripped.startswith("<?xml"):
        return content
    return stripped.encode(codec)


def _decode_invalid_utf8(
    content: bytes, content_type: str | None
) -> tuple[bytes, str | None]:
    """Decode a document that claims UTF-8 but is not valid UTF-8.

    Returns the document re-encoded as UTF-8 and a warning that names how
    it was read, or ``content`` and None when it needs no repair. A
    document that declares another charset, in its XML declaration or its
    Content-Type, is left to feedparser.
    """
    if not _claims_utf8(content, content_type):
        return content, None
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return content, None
    text, count = decode_utf8_leniently(content)
    detected = decode_misdeclared_utf8(content, text)
    if detected is None:
        return text.encode("utf-8"), stray_bytes_warning(count)
    text, charset = detected
    warning = (
        "the document is declared as UTF-8 but is not UTF-8; its charset "
        f"was detected as {charset}"
    )
    return text.encode("utf-8"), warning


def decode_utf8_leniently(content: bytes) -> tuple[str, int]:
    """Decode UTF-8, reading each byte that is not valid UTF-8 as windows-1252.

    Returns the text and the number of bytes read as windows-1252. A UTF-8
    BOM is kept as U+FEFF.
    """
    text = content.decode("utf-8", "surrogateescape")
    return _ESCAPED_BYTE.subn(_windows_1252_character, text)


def _windows_1252_character(match: re.Match[str]) -> str:
    return _WINDOWS_1252[ord(match.group()) - 0xDC00]


def _claims_utf8(content: bytes, content_type: str | None) -> bool:
    """Return whether every declaration the document has, if any, names UTF-8.

    XML without any declaration is UTF-8 by definition.
    """
    if any(content.startswith(bom) for bom, _ in _WIDE_BOMS):
        return False
    head = content.removeprefix(_UTF8_BOM)[:200]
    declared = _DECLARED_ENCODING.match(head)
    if declared and declared.group(1).decode("latin-1").lower() not in _UTF8_NAMES:
        return False
    charset = _CHARSET_PARAMETER.search(content_type or "")
    return charset is None or charset.group(1).lower() in _UTF8_NAMES
