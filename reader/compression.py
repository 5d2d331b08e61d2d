"""Decompress HTTP response bodies, including those that servers mislabel.

Servers get compression wrong in four recurring ways. They send a gzip body
without Content-Encoding (often a pre-compressed feed.xml.gz file), label a
plain body Content-Encoding: gzip, compress a body twice, or cut a body off
before its gzip trailer. ``decompress_body`` reads the first three and
raises a clear error for the last. The size cap applies to the decompressed
size, so a small body that inflates to gigabytes stops early.
"""

from __future__ import annotations

import codecs
import zlib

from reader.models import FetchError

ACCEPT_ENCODING = "gzip, deflate"
"""The content codings ``decompress_body`` reads, for the Accept-Encoding header."""

# ID1, ID2 and CM (8 = deflate) from RFC 1952, section 2.3.
GZIP_MAGIC = b"\x1f\x8b\x08"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_ZLIB_WBITS = zlib.MAX_WBITS
_RAW_DEFLATE_WBITS = -zlib.MAX_WBITS
_DOCUMENT_STARTS = (b"<", b"{", b"[")
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class DecompressionError(FetchError):
    """A body that claims to be compressed cannot be decompressed."""


class DecompressedSizeError(DecompressionError):
    """A body is larger than the size cap once decompressed."""


def decompress_body(raw: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """Undo the Content-Encoding of ``raw``, then gunzip it if it is still gzip.

    A body labelled with any coding that starts like an uncompressed XML or
    JSON document is returned as it is. Raises
    DecompressedSizeError past ``max_bytes`` and DecompressionError for
    corrupt or truncated data and unknown codings. The messages name no URL.
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    body = raw
    # Codings are listed in the order they were applied, so undo them backwards.
    for coding in reversed(codings):
        body = _undo_coding(coding, body, max_bytes)
    if body.startswith(GZIP_MAGIC):
        body = _gunzip(body, max_bytes)
    return body


def _undo_coding(coding: str, body: bytes, max_bytes: int) -> bytes:
    if coding in ("", "identity"):
        return body
    if coding in ("gzip", "x-gzip"):
        if body.startswith(GZIP_MAGIC) or not _looks_like_document(body):
            return _gunzip(body, max_bytes)
        return body
    if coding == "deflate":
        return _inflate(body, max_bytes)
    # Some servers put a charset such as "utf-8" in Content-Encoding.
    if _looks_like_document(body):
        return body
    raise DecompressionError(
        f"the server sent an unsupported Content-Encoding {coding!r} "
        f"(tidings accepts {ACCEPT_ENCODING})"
    )


def _looks_like_document(body: bytes) -> bool:
    """Return whether ``body`` starts like an uncompressed XML or JSON document."""
    head = body[:256]
    if head.startswith(_BOMS):
        return True
    return head.lstrip(b" \t\r\n").startswith(_DOCUMENT_STARTS)


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    """Decompress every gzip member of ``body``, as gzip(1) does."""
    output = bytearray()
    data = body
    while data.startswith(GZIP_MAGIC[:2]):
        data = _decompress_stream(data, _GZIP_WBITS, output, max_bytes, "gzip")
    # Bytes after the last member are padding or junk. gzip(1) ignores them
    # with a warning. Dropping them keeps them out of the XML parser.
    if not output and not body.startswith(GZIP_MAGIC[:2]):
        raise DecompressionError(
            "the Content-Encoding is gzip, but the body is neither gzip data "
            "nor an uncompressed document"
        )
    return bytes(output)


def _inflate(body: bytes, max_bytes: int) -> bytes:
    """Decompress a deflate body, zlib-wrapped as RFC 9110 says, else raw.

    Some servers send raw deflate streams. A body that is neither, but starts
    like a document, is returned as it is.
    """
    output = bytearray()
    failure = DecompressionError("the deflate body is empty")
    for wbits in (_ZLIB_WBITS, _RAW_DEFLATE_WBITS):
        output.clear()
        try:
            _decompress_stream(body, wbits, output, max_bytes, "deflate")
        except DecompressedSizeError:
            raise
        except DecompressionError as error:
            failure = error
        else:
            return bytes(output)
    if _looks_like_document(body):
        return body
    raise failure


def _decompress_stream(
    data: bytes, wbits: int, output: bytearray, max_bytes: int, name: str
) -> bytes:
    """Append one compressed stream of ``data`` to ``output``; return what follows.

    Raises DecompressedSizeError when ``output`` would exceed ``max_bytes``
    and DecompressionError for corrupt or truncated data.
    """
    stream = zlib.decompressobj(wbits=wbits)
    # max_length stops the output one byte past the cap, so memory stays
    # bounded however far the data would inflate. Its value is never 0,
    # which zlib would read as "no limit".
    room = max_bytes + 1 - len(output)
    try:
        output += stream.decompress(data, room)
    except zlib.error as error:
        raise DecompressionError(f"the {name} body is corrupt ({error})") from None
    if len(output) > max_bytes:
        raise DecompressedSizeError("the decompressed body is too large")
    if not stream.eof:
        raise DecompressionError(
            f"the {name} body is truncated: it ends before the end of the "
            "compressed stream, so the download was probably cut short"
        )
    return stream.unused_data
