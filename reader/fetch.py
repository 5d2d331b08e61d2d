"""Fetch feed documents over HTTP(S) or from local files.

``fetch_feed`` sends a conditional GET with the validators stored for a
feed, follows redirects, caps the body size while it streams, and turns
every failure into a ``FetchError`` whose one-line message names the URL.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import SplitResult, urlsplit
from urllib.request import url2pathname

import httpx

from reader import __version__
from reader.compression import (
    ACCEPT_ENCODING,
    DecompressedSizeError,
    DecompressionError,
    decompress_body,
)
from reader.models import (
    FeedGoneError,
    FetchError,
    FetchResult,
    InvalidFeedURLError,
    ServerBusyError,
)

USER_AGENT = f"tidings/{__version__} (terminal feed reader)"

# Seconds. The read timeout applies to each wait for bytes, so a server that
# trickles data could keep a fetch open forever. TOTAL_TIMEOUT bounds the
# whole fetch.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
TOTAL_TIMEOUT = 120.0

MAX_REDIRECTS = 10
# httpcore checks every pooled connection each time it hands one out, so a
# large pool of idle connections costs CPU on every request. A refresh
# fetches the feeds of one host one after another, and that needs few.
KEEPALIVE_CONNECTIONS = 8
MAX_BYTES = 20 * 1024 * 1024

# Feed types first, and */* last so that servers which ignore the list still
# send the document.
_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, "
    "application/json;q=0.8, */*;q=0.1"
)
_PERMANENT_REDIRECTS = frozenset({301, 308})
_HTTP_SCHEMES = frozenset({"http", "https"})
_FEED_FILE_SUFFIXES = frozenset({"xml", "rss", "atom", "rdf"})
# A scheme without "//", as in "mailto:x". A digit after the colon makes it
# a port instead, as in "host:8080/feed".
_SCHEME_ONLY = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):(?!\d)")
_MAX_AGE = re.compile(r'(?:^|,)\s*max-age\s*=\s*"?(\d{1,10})"?\s*(?:,|$)', re.I)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\s*(?:,|$)", re.I)


def make_client(
    concurrency: int = 32,
    timeout: float = READ_TIMEOUT,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    max_redirects: int = MAX_REDIRECTS,
    keepalive: int = KEEPALIVE_CONNECTIONS,
) -> httpx.AsyncClient:
    """Create the HTTP client a refresh shares between its fetches.

    ``timeout`` is the read timeout in seconds. Connecting and sending get
    at most ``connect_timeout``. The pool has no wait timeout, because the
    caller bounds the fetches in flight to ``concurrency``. Between requests
    it keeps up to ``keepalive`` idle connections open (HTTP/1.1 keep-alive)
    for the next request to the same host.
    """
    short = min(connect_timeout, timeout)
    return httpx.AsyncClient(
        headers={
            "User-Agent": USER_AGENT,
            "Accept": _ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        },
        timeout=httpx.Timeout(read=timeout, connect=short, write=short, pool=None),
        limits=httpx.Limits(
            max_connections=concurrency,
            max_keepalive_connections=min(keepalive, concurrency),
        ),
        follow_redirects=True,
        max_redirects=max_redirects,
    )


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
    total_timeout: float = TOTAL_TIMEOUT,
) -> FetchResult:
    """Fetch ``url``, an http(s) URL, an absolute path or a file:// URL.

    ``etag`` and ``last_modified`` are sent as If-None-Match and
    If-Modified-Since exactly as given. A 304 response returns a result whose
    ``content`` is None. Raises FetchError for every failure.
    """
    if is_local(url):
        return await _read_local(url, max_bytes)
    if urlsplit(url).scheme.lower() not in _HTTP_SCHEMES:
        raise FetchError(f"{url}: not an http(s) URL or an absolute file path")
    headers = _conditional_headers(etag, last_modified)
    try:
        async with asyncio.timeout(total_timeout):
            return await _get(client, url, headers, max_bytes)
    except TimeoutError:
        raise FetchError(f"{url}: timed out after {total_timeout:g} s") from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as error:
        raise FetchError(f"{url}: {_describe(error, client)}") from error


async def _get(
    client: httpx.AsyncClient, url: str, headers: dict[bytes, bytes], max_bytes: int
) -> FetchResult:
    async with client.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if status == 304:
            return _result(response, None)
        if not 200 <= status < 300:
            raise _status_error(url, response)
        return _result(response, await _read_body(url, response, max_bytes))


def _status_error(url: str, response: httpx.Response) -> FetchError:
    message = _status_message(url, response)
    status = response.status_code
    if status == 410:
        return FeedGoneError(message)
    if status in (429, 503):
        retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
        return ServerBusyError(message, retry_after)
    return FetchError(message)


def _conditional_headers(
    etag: str | None, last_modified: str | None
) -> dict[bytes, bytes]:
    headers = {}
    if etag:
        headers[b"If-None-Match"] = _header_bytes(etag)
    if last_modified:
        headers[b"If-Modified-Since"] = _header_bytes(last_modified)
    return headers


# Validators are kept as their raw bytes decoded as Latin-1, which maps each
# byte to one character, so a non-ASCII ETag goes back byte for byte. httpx
# would encode a str header value as ASCII and raise for anything else.
def _header_bytes(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _raw_header(response: httpx.Response, name: bytes) -> str | None:
    for key, value in response.headers.raw:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _read_body(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    # Content-Length counts encoded bytes, so it can only prove an unencoded
    # body too large. The loop caps the raw bytes, and decompress_body the
    # decompressed ones. The body is read raw and decompressed here, not by
    # httpx, because httpx fails on a plain body labelled gzip and leaves a
    # gzip body without Content-Encoding compressed.
    declared = response.headers.get("Content-Length", "")
    encoding = response.headers.get("Content-Encoding")
    encoded = encoding not in (None, "identity")
    if not encoded and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(_too_large(url, max_bytes))
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(_too_large(url, max_bytes))
        chunks.append(chunk)
    try:
        return decompress_body(b"".join(chunks), encoding, max_bytes)
    except DecompressedSizeError:
        raise FetchError(_too_large(url, max_bytes)) from None
    except DecompressionError as error:
        raise FetchError(f"{url}: {error}") from error


def _result(response: httpx.Response, content: bytes | None) -> FetchResult:
    history = response.history
    return FetchResult(
        url=str(response.url),
        content=content,
        etag=_raw_header(response, b"etag"),
        last_modified=_raw_header(response, b"last-modified"),
        content_type=response.headers.get("Content-Type"),
        permanent_redirect=bool(history)
        and all(hop.status_code in _PERMANENT_REDIRECTS for hop in history),
        max_age=_max_age(response.headers.get("Cache-Control")),
    )


def _max_age(cache_control: str | None) -> int | None:
    """Return the max-age of a Cache-Control header in seconds, if any.

    no-cache and no-store count as none: the response may not be reused.
    """
    if not cache_control or _NO_CACHE.search(cache_control):
        return None
    match = _MAX_AGE.search(cache_control)
    return int(match[1]) if match else None


def _status_message(url: str, response: httpx.Response) -> str:
    # The standard reason phrase, not the server's, which is untrusted text.
    status = response.status_code
    message = f"{url}: HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip()
    if response.history:
        message += f" (redirected to {response.url})"
    if status == 410:
        message += (
            "; the feed was removed, so tidings stops refreshing it "
            "(unsubscribe with 'tidings remove')"
        )
    retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
    if status in (429, 503) and retry_after is not None:
        message += f"; the server asks to retry after {retry_after} s"
    return message


def _retry_after_seconds(value: str | None) -> int | None:
    """Return Retry-After (delay seconds or an HTTP date) as seconds from now."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0, round((moment - datetime.now(UTC)).total_seconds()))


def _too_large(url: str, max_bytes: int) -> str:
    if max_bytes % (1024 * 1024) == 0:
        limit = f"{max_bytes // (1024 * 1024)} MiB"
    else:
        limit = f"{max_bytes} bytes"
    return f"{url}: response is larger than the {limit} limit"


def _describe(error: Exception, client: httpx.AsyncClient) -> str:
    """Return a short phrase for an httpx error, without the URL."""
    timeout = client.timeout
    if isinstance(error, httpx.ConnectTimeout):
        return f"timed out after {timeout.connect:g} s while connecting"
    if isinstance(error, httpx.ReadTimeout):
        return f"timed out after {timeout.read:g} s waiting for the server"
    if isinstance(error, httpx.WriteTimeout):
        return f"timed out after {timeout.write:g} s sending the request"
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.TooManyRedirects):
        return f"too many redirects (more than {client.max_redirects})"
    if isinstance(error, httpx.ConnectError):
        return _describe_connect_error(error)
    if isinstance(error, httpx.DecodingError):
        return f"cannot decode the response body: {error}"
    if isinstance(error, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        return f"invalid HTTP response: {error}"
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"invalid or unsupported URL: {error}"
    return f"request failed: {error or type(error).__name__}"


def _describe_connect_error(error: httpx.ConnectError) -> str:
    # httpx wraps the socket error, and the cause chain shows which it was.
    request = error.request
    host, port = request.url.host, request.url.port
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup failed for {host} ({cause.strerror})"
        if isinstance(cause, ConnectionRefusedError):
            where = host if port is None else f"{host}:{port}"
            return f"connection refused by {where}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake with {host} failed: {cause}"
        cause = cause.__cause__ or cause.__context__
    return f"cannot connect to {host}: {error}"


# Local files


def is_local(url: str) -> bool:
    """Return whether ``url`` is a file:// URL or an absolute path."""
    return url[:5].lower() == "file:" or os.path.isabs(url)


def local_path(url: str) -> Path:
    """Return the filesystem path of a file:// URL or an absolute path.

    Raises FetchError for a file URL that names a remote host or a relative
    path.
    """
    if url[:5].lower() != "file:":
        return Path(url)
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise FetchError(f"{url}: file URLs on another host are not supported")
    path = Path(url2pathname(parts.path))
    if not path.is_absolute():
        raise FetchError(f"{url}: a file URL needs an absolute path")
    return path


async def _read_local(url: str, max_bytes: int) -> FetchResult:
    path = local_path(url)
    try:
        content = await asyncio.to_thread(_read_file, path, max_bytes + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise FetchError(f"{url}: cannot read the file ({reason})") from error
    if len(content) > max_bytes:
        raise FetchError(_too_large(url, max_bytes))
    # A saved feed.xml.gz is read as its decompressed bytes, with the
    # decompressed size capped as for an HTTP body.
    try:
        content = decompress_body(content, None, max_bytes)
    except DecompressedSizeError:
        raise FetchError(_too_large(url, max_bytes)) from None
    except DecompressionError as error:
        raise FetchError(f"{url}: {error}") from error
    return FetchResult(url=url, content=content)


def _read_file(path: Path, size: int) -> bytes:
    with path.open("rb") as file:
        return file.read(size)


# Feed addresses typed by the user


def normalize_feed_url(text: str) -> str:
    """Turn what the user typed for ``tidings add`` into a feed URL.

    An existing file becomes its absolute path, a file:// URL the absolute
    path it names, and "example.org/feed" gets https:// in front. Raises
    InvalidFeedURLError for other schemes, URLs without a host, and paths
    of files that do not exist.
    """
    value = text.strip()
    if not value:
        raise InvalidFeedURLError(_invalid(text, "it is empty"))
    if value[:5].lower() == "file:":
        return _normalize_file_url(value)
    if "://" in value:
        return _normalize_http_url(value)
    path = _existing_path(value)
    if path is not None and path.is_dir():
        raise InvalidFeedURLError(_invalid(text, "it is a directory"))
    if path is not None:
        return str(path.resolve())
    if value.startswith(("/", ".", "~")):
        raise InvalidFeedURLError(_invalid(text, "no such file"))
    scheme = _SCHEME_ONLY.match(value)
    if scheme:
        reason = f"the scheme {scheme.group(1)!r} is not supported"
        raise InvalidFeedURLError(_invalid(text, reason))
    return _normalize_http_url(f"https://{value}", bare=True)


def _existing_path(value: str) -> Path | None:
    path = Path(value).expanduser()
    try:
        exists = path.exists()
    except (OSError, ValueError):  # A name too long, or with a NUL byte.
        return None
    return path if exists else None


def _normalize_file_url(value: str) -> str:
    try:
        path = local_path(value)
    except FetchError as error:
        reason = str(error).removeprefix(f"{value}: ")
        raise InvalidFeedURLError(_invalid(value, reason)) from None
    if not path.exists():
        raise InvalidFeedURLError(_invalid(value, f"no such file: {path}"))
    return str(path.resolve())


def _normalize_http_url(value: str, *, bare: bool = False) -> str:
    original = value.removeprefix("https://") if bare else value
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in _HTTP_SCHEMES:
        reason = f"the scheme {scheme!r} is not supported"
        raise InvalidFeedURLError(_invalid(original, reason))
    if any(character.isspace() or not character.isprintable() for character in value):
        reason = "it contains whitespace or control characters"
        raise InvalidFeedURLError(_invalid(original, reason))
    if not _has_valid_port(parts):
        raise InvalidFeedURLError(_invalid(original, "the port is invalid"))
    host = parts.hostname
    if not host:
        raise InvalidFeedURLError(_invalid(original, "it has no host name"))
    if bare and not _looks_like_host(host, parts.path):
        reason = "it is neither an existing file nor a URL with a host name"
        raise InvalidFeedURLError(_invalid(original, reason))
    return parts._replace(scheme=scheme).geturl()


def _looks_like_host(host: str, path: str) -> bool:
    # "feed.xml" alone is a missing file more likely than a host name.
    if not path and host.rsplit(".", 1)[-1] in _FEED_FILE_SUFFIXES:
        return False
    return "." in host or ":" in host or host == "localhost"


def _has_valid_port(parts: SplitResult) -> bool:
    try:
        parts.port  # noqa: B018 -- the property raises ValueError for a bad port
    except ValueError:
        return False
    return True


def _invalid(value: str, reason: str) -> str:
    return (
        f"invalid feed URL {value!r}: {reason}; give an http(s) URL such as "
        "https://example.org/feed.xml or the path of a feed file"
    )
