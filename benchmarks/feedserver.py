"""Serve the benchmark's feed files on 127.0.0.1: nginx, or an asyncio server.

Feeds are spread over several ports, one port per simulated site, because
tidings limits the requests in flight per host and port, as browsers do.
Both servers send ETag and Last-Modified and respond 304 to a matching
conditional GET. The asyncio server can also delay each response by a
fixed time to simulate a distant server, because nginx 1.22 as Debian 12
packages it has no per-response delay.

Run ``python benchmarks/feedserver.py --root DIR --ports 8001,8002
--delay 0.1`` to start the asyncio server on its own; it prints "ready" when
it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

NGINX_CONFIG = """\
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
{user}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    keepalive_timeout 60s;
    types {{ application/xml xml; }}
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
{listen}
        root {root};
    }}
}}
"""


def free_ports(count: int) -> list[int]:
    """Return ``count`` ports on 127.0.0.1 that were free a moment ago."""
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    ports = [int(sock.getsockname()[1]) for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def wait_until_listening(port: int, timeout: float = 10.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class Server:
    """A feed server running in a child process; stop it with ``stop``."""

    def __init__(self, kind: str, process: subprocess.Popen[bytes], ports: list[int]):
        self.kind = kind
        self.process = process
        self.ports = ports

    def url(self, number: int, name: str) -> str:
        """Return the URL of file ``name`` on the site of feed ``number``."""
        return f"http://127.0.0.1:{self.ports[number % len(self.ports)]}/{name}"

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)


def start_nginx(root: Path, folder: Path, sites: int) -> Server | None:
    """Start nginx serving ``root`` on ``sites`` ports, or return None when
    nginx is not installed."""
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
    if nginx is None:
        return None
    ports = free_ports(sites)
    listen = "\n".join(f"        listen 127.0.0.1:{port};" for port in ports)
    # Started as root, nginx runs its workers as the user "nobody", who may
    # not be allowed to read the feeds' folder.
    user = "user root;" if os.geteuid() == 0 else ""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(
        NGINX_CONFIG.format(folder=folder, root=root, listen=listen, user=user)
    )
    process = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_listening(ports[-1])
    return Server("nginx", process, ports)


def start_asyncio_server(root: Path, sites: int, delay: float) -> Server:
    """Start this module's asyncio server in a child process."""
    ports = free_ports(sites)
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--root",
            str(root),
            "--ports",
            ",".join(map(str, ports)),
            "--delay",
            str(delay),
        ],
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != b"ready":
        raise RuntimeError("the asyncio feed server did not start")
    kind = f"asyncio, {delay * 1000:.0f} ms per response" if delay else "asyncio"
    return Server(kind, process, ports)


# The asyncio server


class FileHandler:
    """Serve GET requests for files under ``root`` over HTTP/1.1."""

    def __init__(self, root: Path, delay: float) -> None:
        self.root = root
        self.delay = delay

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Serve requests on one connection until the client closes it."""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in lines:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                if self.delay:
                    await asyncio.sleep(self.delay)
                await self.respond(writer, request_line.split(" ")[1], headers)
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def respond(
        self, writer: asyncio.StreamWriter, target: str, headers: dict[str, str]
    ) -> None:
        """Send the response to a GET of ``target``."""
        path = self.root / target.lstrip("/").split("?")[0]
        if "/" in target.lstrip("/") or not path.is_file():
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            return
        stat = path.stat()
        etag = f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
        modified = formatdate(int(stat.st_mtime), usegmt=True)
        validators = f"ETag: {etag}\r\nLast-Modified: {modified}\r\n"
        if self.not_modified(headers, etag, int(stat.st_mtime)):
            writer.write(f"HTTP/1.1 304 Not Modified\r\n{validators}\r\n".encode())
            await writer.drain()
            return
        writer.write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
            f"Content-Length: {stat.st_size}\r\n{validators}\r\n".encode()
        )
        await writer.drain()
        # sendfile(2) copies the file in the kernel, so this server takes as
        # little CPU from the readers under test as nginx does.
        with path.open("rb") as file:
            await asyncio.get_running_loop().sendfile(writer.transport, file)

    @staticmethod
    def not_modified(headers: dict[str, str], etag: str, mtime: int) -> bool:
        """Return whether the request's validators match the file."""
        if "if-none-match" in headers:
            return headers["if-none-match"] == etag
        since = headers.get("if-modified-since")
        if since is None:
            return False
        try:
            return parsedate_to_datetime(since).timestamp() >= mtime
        except (TypeError, ValueError):
            return False


async def serve(root: Path, ports: list[int], delay: float) -> None:
    """Listen on every port, print "ready", and serve until cancelled."""
    handler = FileHandler(root, delay)
    servers = [
        await asyncio.start_server(handler.handle, "127.0.0.1", port, backlog=1024)
        for port in ports
    ]
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for server in servers:
        server.close()


def main() -> None:
    """Run the asyncio server from the command line."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--root", type=Path, required=True)
    options.add_argument("--ports", required=True, help="comma-separated ports")
    options.add_argument("--delay", type=float, default=0.0, help="seconds")
    args = options.parse_args()
    ports = [int(port) for port in args.ports.split(",")]
    asyncio.run(serve(args.root, ports, args.delay))


if __name__ == "__main__":
    main()
