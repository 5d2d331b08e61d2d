"""decompress_body on bodies that are compressed, mislabelled or broken."""

from __future__ import annotations

import gzip
import zlib

import pytest

from reader.compression import (
    DecompressedSizeError,
    DecompressionError,
    decompress_body,
)

DOCUMENT = b'<?xml version="1.0"?><rss version="2.0"><channel><title>z</title>'
DOCUMENT += b"<item><guid>1</guid></item>" * 50 + b"</channel></rss>"
CAP = 1024 * 1024


def raw_deflate(data: bytes) -> bytes:
    """Compress ``data`` as a raw deflate stream with no zlib header."""
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (DOCUMENT, None),
        (DOCUMENT, "identity"),
        (gzip.compress(DOCUMENT), "gzip"),
        (gzip.compress(DOCUMENT), "x-gzip"),
        (gzip.compress(DOCUMENT), "GZIP"),
        (gzip.compress(DOCUMENT), None),
        (gzip.compress(gzip.compress(DOCUMENT)), "gzip"),
        (DOCUMENT, "gzip"),
        (zlib.compress(DOCUMENT), "deflate"),
        (raw_deflate(DOCUMENT), "deflate"),
        (DOCUMENT, "deflate"),
        (gzip.compress(zlib.compress(DOCUMENT)), "deflate, gzip"),
    ],
    ids=[
        "plain",
        "identity",
        "gzip",
        "x-gzip",
        "upper-case gzip",
        "gzip without header",
        "gzip twice",
        "plain labelled gzip",
        "zlib deflate",
        "raw deflate",
        "plain labelled deflate",
        "deflate then gzip",
    ],
)
def test_body_decompressed(body: bytes, encoding: str | None) -> None:
    assert decompress_body(body, encoding, CAP) == DOCUMENT


@pytest.mark.parametrize(
    "body",
    [b"\xef\xbb\xbf" + DOCUMENT, b"\n  " + DOCUMENT, b'{"version": "x"}'],
    ids=["BOM", "whitespace", "JSON"],
)
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "utf-8", "br"])
def test_plain_document_kept(body: bytes, encoding: str) -> None:
    assert decompress_body(body, encoding, CAP) == body


def test_gzip_members_concatenated() -> None:
    half = len(DOCUMENT) // 2
    body = gzip.compress(DOCUMENT[:half]) + gzip.compress(DOCUMENT[half:])
    assert decompress_body(body, "gzip", CAP) == DOCUMENT


def test_padding_after_gzip_ignored() -> None:
    body = gzip.compress(DOCUMENT) + b"\x00" * 16
    assert decompress_body(body, None, CAP) == DOCUMENT


def test_truncated_gzip_rejected() -> None:
    with pytest.raises(DecompressionError, match="gzip body is truncated"):
        decompress_body(gzip.compress(DOCUMENT)[:-8], "gzip", CAP)


def test_truncated_headerless_gzip_rejected() -> None:
    with pytest.raises(DecompressionError, match="gzip body is truncated"):
        decompress_body(gzip.compress(DOCUMENT)[:40], None, CAP)


def test_corrupt_gzip_rejected() -> None:
    body = bytearray(gzip.compress(DOCUMENT))
    body[20:30] = b"\xff" * 10
    with pytest.raises(DecompressionError, match="gzip body is corrupt"):
        decompress_body(bytes(body), "gzip", CAP)


def test_binary_labelled_gzip_rejected() -> None:
    with pytest.raises(DecompressionError, match="neither gzip data nor"):
        decompress_body(b"\x00\x01binary", "gzip", CAP)


def test_unknown_coding_rejected() -> None:
    with pytest.raises(DecompressionError, match="unsupported Content-Encoding 'br'"):
        decompress_body(b"\x0b\x02\x80", "br", CAP)


@pytest.mark.parametrize("encoding", ["gzip", None])
def test_gzip_bomb_stops_at_cap(encoding: str | None) -> None:
    bomb = gzip.compress(bytes(64 * 1024 * 1024))
    with pytest.raises(DecompressedSizeError):
        decompress_body(bomb, encoding, CAP)
    assert len(bomb) < 100_000


def test_deflate_bomb_stops_at_cap() -> None:
    with pytest.raises(DecompressedSizeError):
        decompress_body(zlib.compress(bytes(8 * CAP)), "deflate", CAP)


def test_body_at_cap_accepted() -> None:
    body = b"<" + b"x" * (CAP - 1)
    assert decompress_body(gzip.compress(body), "gzip", CAP) == body


def test_members_past_cap_rejected() -> None:
    body = gzip.compress(b"<" * (CAP - 10)) + gzip.compress(b"x" * 20)
    with pytest.raises(DecompressedSizeError):
        decompress_body(body, "gzip", CAP)
