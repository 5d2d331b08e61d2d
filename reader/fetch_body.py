"""Read an HTTP response body within a limit on its decoded size.

httpx 0.29 decodes gzip and deflate one network read at a time, in one
zlib call each. So 64 KiB of compressed zeros becomes 64 MiB in memory
before any size check runs, and a 127 KiB gzip bomb peaked at 143 MiB under
a 1 MiB limit. Here each zlib call gets a bound on its output, so memory
stays within the limit plus one ``_OUTPUT_STEP`` whatever the ratio.
"""

from __future__ import annotations

import zlib

import httpx

# Bytes of decoded output per zlib call.
_OUTPUT_STEP = 256 * 1024

# wbits for zlib.decompressobj: 32 + MAX_WBITS accepts a gzip or a zlib
# header, and -MAX_WBITS reads a raw deflate stream, which some servers send
# for "deflate" although RFC 9110 specifies the zlib format.
_AUTO_HEADER = 32 + zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS
_ZLIB_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})


class BodyTooLargeError(Exception):
    """The decoded body passed the byte limit."""


class BodyDecodeError(Exception):
    """The body is not valid data in its declared Content-Encoding."""


async def read_body_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """Return the decoded body of a streamed ``response``.

    Raises BodyTooLargeError as soon as more than ``max_bytes`` decoded bytes
    arrive, and BodyDecodeError for a corrupt gzip or deflate stream. Bodies
    in other encodings are decoded by httpx and counted per chunk.
    """
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in _ZLIB_ENCODINGS:
        return await _read_zlib(response, max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_zlib(response: httpx.Response, max_bytes: int) -> bytes:
    decoder = _Decoder(max_bytes)
    async for raw in response.aiter_raw():
        decoder.feed(raw)
    return decoder.finish()


class _Decoder:
    """A zlib stream decoded in bounded steps into a bounded buffer."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._inflate = zlib.decompressobj(_AUTO_HEADER)
        self._head: bytes | None = b""
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, data: bytes) -> None:
        """Decode ``data``, the next bytes of the encoded body."""
        if self._head is not None:
            # The first two bytes tell a gzip or zlib header from raw deflate.
            data = self._head + data
            if len(data) < 2:
                self._head = data
                return
            self._head = None
            if not data.startswith(b"\x1f\x8b") and not _is_zlib_header(data):
                self._inflate = zlib.decompressobj(_RAW_DEFLATE)
        while data:
            try:
                self._keep(self._inflate.decompress(data, _OUTPUT_STEP))
            except zlib.error as error:
                raise BodyDecodeError(str(error)) from error
            if self._inflate.eof:
                return
            data = self._inflate.unconsumed_tail

    def finish(self) -> bytes:
        """Return the whole decoded body."""
        if self._head:
            raise BodyDecodeError("the body ends inside the stream header")
        try:
            self._keep(self._inflate.flush())
        except zlib.error as error:
            raise BodyDecodeError(str(error)) from error
        if not self._inflate.eof:
            raise BodyDecodeError("the compressed body ends before its end marker")
        return b"".join(self._chunks)

    def _keep(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._max_bytes:
            raise BodyTooLargeError
        self._chunks.append(chunk)


def _is_zlib_header(data: bytes) -> bool:
    # RFC 1950: deflate method 8 in the low nibble, and the two header bytes
    # read as a big-endian number are a multiple of 31.
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
