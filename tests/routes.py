"""An HTTP server on 127.0.0.1 that sends bodies and headers exactly as set.

Unlike a framework server, it never adds or fixes a header, so a test can
send a Content-Encoding that does not match the body.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client closing a keep-alive connection resets it while the
        # handler waits for the next request. That is not a test failure.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@dataclass
class Route:
    """One response: status, headers in order, and body bytes."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


class RouteServer:
    """Serve ``routes`` by path; unknown paths get 404. Records request paths."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    route = Route(b"not found", {"Content-Type": "text/plain"}, 404)
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """Return the absolute URL of ``path`` on this server."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def paths(self) -> list[str]:
        """Return the paths requested so far, in order."""
        return [path for path, _ in self.requests]

    @contextmanager
    def running(self) -> Iterator[RouteServer]:
        """Serve until the block ends, then close the listening socket."""
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
