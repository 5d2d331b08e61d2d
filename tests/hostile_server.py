"""An HTTP server on 127.0.0.1 that attacks its client.

Each path serves one hostile response: entity bombs, external entities,
bodies past any size limit, gzip bombs, endless chunked streams, a byte
every fifth of a second, and redirect loops. ``/ok/N`` serves a normal
feed, so a test can check that the other feeds of a refresh still work.
"""

from __future__ import annotations

import contextlib
import threading
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.feedgen import feed_document

RSS_TYPE = "application/rss+xml"
MIB = 1024 * 1024


def billion_laughs(levels: int = 10) -> bytes:
    """Return an RSS document whose entity &lol9; expands to 10**9 bytes."""
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels):
        entities.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    top = f"&lol{levels - 1};"
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(entities) + "\n]>\n"
        f'<rss version="2.0"><channel><title>{top}</title>'
        f"<item><guid>laugh</guid><title>{top}</title>"
        f"<description>{top}</description></item></channel></rss>"
    ).encode()


def external_entity(secret: Path) -> bytes:
    """Return an RSS document that pulls ``secret`` in as an entity."""
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rss [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>\n'
        '<rss version="2.0"><channel><title>Leak &leak;</title>'
        "<item><guid>leak</guid><title>Item &leak;</title>"
        "<description>Body &leak;</description></item></channel></rss>"
    ).encode()


def external_parameter_entity(secret: Path) -> bytes:
    """Return an RSS document whose DTD includes ``secret`` as a parameter
    entity."""
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rss [<!ENTITY % leak SYSTEM "{secret.as_uri()}"> %leak;]>\n'
        '<rss version="2.0"><channel><title>Param</title>'
        "<item><guid>p</guid><title>Param item</title></item></channel></rss>"
    ).encode()


def deep_xml(depth: int = 200_000) -> bytes:
    """Return an RSS item holding ``depth`` nested unknown elements."""
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Deep</title>'
        "<item><guid>deep</guid><title>Deep XML</title>"
        + "<x>" * depth
        + "</x>" * depth
        + "</item></channel></rss>"
    ).encode()


def deep_html(depth: int = 20_000) -> bytes:
    """Return an RSS item whose description is ``depth`` nested lists."""
    html = "<ul><li>" * depth + "bottom" + "</li></ul>" * depth
    escaped = html.replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Nest</title>'
        f"<item><guid>nest</guid><title>Deep HTML</title>"
        f"<description>{escaped}</description></item></channel></rss>"
    ).encode()


def gzip_bomb(megabytes: int = 256) -> bytes:
    """Return gzip data that inflates to ``megabytes`` MiB of zero bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MIB)
    parts = [compressor.compress(zeros) for _ in range(megabytes)]
    parts.append(compressor.flush())
    return b"".join(parts)


_RSS_OPENING = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
_RSS_ITEM = (
    b"<item><title>More</title><description>" + b"x" * 4000 + b"</description></item>"
)


class HostileServer:
    """Serve hostile responses on 127.0.0.1 from a thread.

    ``secret`` is a local file that no response may make tidings read.
    """

    def __init__(self, secret: Path) -> None:
        self.stopping = threading.Event()
        self.bomb = gzip_bomb()
        self.documents = {
            "/billion-laughs": billion_laughs(),
            "/external-entity": external_entity(secret),
            "/external-parameter-entity": external_parameter_entity(secret),
            "/deep-xml": deep_xml(),
            "/deep-html": deep_html(),
        }
        self.secret = secret
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                # The client giving up on an endless response is the point.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server.route(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        """Return the absolute URL of ``path`` on this server."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def stop(self) -> None:
        """Stop the endless responses, then the server."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def route(self, request: BaseHTTPRequestHandler) -> None:
        """Send the response for ``request.path``."""
        path = request.path
        if path.startswith("/ok/"):
            number = int(path.removeprefix("/ok/"))
            self._send(request, feed_document(number, 0))
        elif path in self.documents:
            self._send(request, self.documents[path])
        else:
            handler = self._handlers().get(path)
            if handler is None:
                request.send_error(404)
            else:
                handler(request)

    def _handlers(self) -> dict[str, Callable[[BaseHTTPRequestHandler], None]]:
        return {
            "/huge-declared": self._huge_declared,
            "/huge-undeclared": self._huge_undeclared,
            "/endless-chunked": self._endless_chunked,
            "/slow-drip": self._slow_drip,
            "/gzip-bomb": self._gzip_bomb,
            "/gzip-bomb-undeclared": self._gzip_bomb_undeclared,
            "/redirect-loop": lambda r: self._redirect(r, "/redirect-loop"),
            "/ping": lambda r: self._redirect(r, "/pong"),
            "/pong": lambda r: self._redirect(r, "/ping"),
            "/redirect-to-file": lambda r: self._redirect(r, self.secret.as_uri()),
        }

    def _send(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        request.send_response(200)
        request.send_header("Content-Type", RSS_TYPE)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def _huge_declared(self, request: BaseHTTPRequestHandler) -> None:
        # Says 1 GiB up front; a client that trusts the header stops at once.
        request.send_response(200)
        request.send_header("Content-Type", RSS_TYPE)
        request.send_header("Content-Length", str(1024 * MIB))
        request.end_headers()
        self._stream_items(request, chunked=False)

    def _huge_undeclared(self, request: BaseHTTPRequestHandler) -> None:
        # No length: the body ends when the connection closes, which it
        # never does while the client reads.
        request.send_response(200)
        request.send_header("Content-Type", RSS_TYPE)
        request.send_header("Connection", "close")
        request.end_headers()
        self._stream_items(request, chunked=False)

    def _endless_chunked(self, request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", RSS_TYPE)
        request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()
        self._stream_items(request, chunked=True)

    def _stream_items(self, request: BaseHTTPRequestHandler, chunked: bool) -> None:
        first = True
        while not self.stopping.is_set():
            data = (_RSS_OPENING if first else b"") + _RSS_ITEM * 16
            first = False
            if chunked:
                data = f"{len(data):x}\r\n".encode() + data + b"\r\n"
            request.wfile.write(data)

    def _slow_drip(self, request: BaseHTTPRequestHandler) -> None:
        # One byte every 0.2 s never trips a read timeout of a few seconds,
        # so only a limit on the whole fetch ends it.
        request.send_response(200)
        request.send_header("Content-Type", RSS_TYPE)
        request.send_header("Content-Length", str(MIB))
        request.end_headers()
        body = _RSS_OPENING + _RSS_ITEM * 300
        for byte in body:
            if self.stopping.wait(0.2):
                return
            request.wfile.write(bytes([byte]))
            request.wfile.flush()

    def _gzip_bomb(self, request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", RSS_TYPE)
        request.send_header("Content-Encoding", "gzip")
        request.send_header("Content-Length", str(len(self.bomb)))
        request.end_headers()
        request.wfile.write(self.bomb)

    def _gzip_bomb_undeclared(self, request: BaseHTTPRequestHandler) -> None:
        # The same bytes without Content-Encoding, as a misconfigured server
        # sends a pre-compressed file.
        self._send(request, self.bomb)

    def _redirect(self, request: BaseHTTPRequestHandler, location: str) -> None:
        request.send_response(302)
        request.send_header("Location", location)
        request.send_header("Content-Length", "0")
        request.end_headers()
