"""HTTP plumbing: a ThreadingHTTPServer speaking HTTP/1.1 keep-alive that hands requests to the Sandbox.

Each answer leaves in one write with TCP_NODELAY set: a separate write for headers and body would meet
Nagle's algorithm and delayed ACKs and cost ~40 ms per keep-alive request.
"""

import contextlib
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from sync.sandbox.app import Sandbox
from sync.sandbox.config import SandboxConfig
from sync.sandbox.web import Request, Response

_REASONS = BaseHTTPRequestHandler.responses
_MAX_BODY = 10 * 2**20


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TrackunitSandbox/1.0"
    sandbox: Sandbox

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args) -> None:
        """Silent: the request log at /_sandbox/requests replaces the access log."""

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        url = urlsplit(self.path)
        request = Request(self.command, url.path, url.query, self.headers, body)
        response = self.sandbox.handle(request)
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(response)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def _read_body(self) -> bytes | None:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            return self._read_chunked()
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) > _MAX_BODY:
            self.close_connection = True
            self._write(
                Response.json(413, {"status": 413, "code": "payload_too_large", "message": "body too large"})
            )
            return None
        return self.rfile.read(int(length))

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _write(self, response: Response) -> None:
        reason = _REASONS.get(response.status, ("",))[0]
        lines = [f"HTTP/1.1 {response.status} {reason}", f"Server: {self.server_version}"]
        lines.append(f"Date: {self.date_time_string()}")
        if response.content_type:
            lines.append(f"Content-Type: {response.content_type}")
        lines.append(f"Content-Length: {len(response.body)}")
        lines.extend(f"{name}: {value}" for name, value in response.headers.items())
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + (b"" if self.command == "HEAD" else response.body))


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    sandbox: Sandbox

    @property
    def url(self) -> str:
        """The bound address (the config's port 0 lets the system choose one)."""
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}"


def make_server(config: SandboxConfig) -> SandboxServer:
    """Bind without serving, so callers (and tests) learn the port before the first request."""
    sandbox = Sandbox(config)
    handler = type("Handler", (_Handler,), {"sandbox": sandbox})
    server = SandboxServer((config.host, config.port), handler)
    server.sandbox = sandbox
    # Links in feeds name this address, whatever Host header a caller sends.
    sandbox.public_url = server.url
    return server


def serve(config: SandboxConfig, ready: threading.Event | None = None) -> None:
    """Serve until SIGINT/SIGTERM; the state file (if any) is saved on the way out."""
    server = make_server(config)
    print(f"Trackunit sandbox listening on {server.url} ({config.assets} assets)", flush=True)
    if threading.current_thread() is threading.main_thread():
        signal.signal(
            signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start()
        )
    if ready is not None:
        ready.set()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if config.state_file:
            server.sandbox.save()
        print("Trackunit sandbox stopped", file=sys.stderr, flush=True)
