"""Credentials only go where they belong, and an answer cannot flood the worker: the client against small
local HTTP servers that play a Trackunit gone wrong (foreign `Links`, redirects, huge bodies) and a
second host that must never see a request."""

import gzip
import os
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sync.trackunit.auth import Token
from sync.trackunit.client import ClientConfig, TrackunitClient
from sync.trackunit.endpoints import TrackunitApi
from sync.trackunit.errors import ForeignHost, RedirectRefused, ResponseTooLarge

TOKEN = "local-test-token-7c41"
CAP = 64 * 1024

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class LocalServer:
    """An HTTP server on a loopback port answering fixed routes; records every request it gets."""

    routes: dict[str, Answer] = field(default_factory=dict)
    seen: list[tuple[str, str | None]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start(local: LocalServer) -> LocalServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            local.seen.append((self.path, self.headers.get("Authorization")))
            status, headers, body = local.routes.get(self.path, (404, {}, b""))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    local.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=local.server.serve_forever, args=(0.05,), daemon=True).start()
    return local


@pytest.fixture
def servers() -> Iterator[tuple[LocalServer, LocalServer]]:
    """(the configured Trackunit, another host that must never be asked)."""
    pair = start(LocalServer()), start(LocalServer())
    yield pair
    for local in pair:
        local.server.shutdown()
        local.server.server_close()


class RecordingGuard:
    """The ISO per-URL quota without a database: only records what was claimed."""

    def __init__(self) -> None:
        self.claims: list[str] = []

    def claim(self, url: str) -> None:
        self.claims.append(url)


@pytest.fixture
def client_for(prefix):
    built: list[TrackunitClient] = []

    def build(trackunit: LocalServer, guard: RecordingGuard | None = None) -> TrackunitClient:
        config = ClientConfig(
            api_url=f"{trackunit.url}/api",
            auth_url=trackunit.url,
            aemp_url=f"{trackunit.url}/aemp",
            auth_flow="password",
            client_id="client",
            client_secret="client-secret-value",
            username="user",
            password="user-password-value",
            redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            redis_prefix=prefix,
            read_timeout=5.0,
            max_attempts=2,
            backoff_base=0.01,
            rate_limits={},
            max_response_bytes=CAP,
        )
        client = TrackunitClient(config, aemp_guard=guard or RecordingGuard())
        client.tokens.store(Token(TOKEN, time.time() + 600, 600))
        built.append(client)
        return client

    yield build
    for client in built:
        client.close()


def fleet_page(self_href: str, next_href: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Fleet xmlns="http://standards.iso.org/iso/15143/-3">'
        f"<Links><rel>self</rel><href>{self_href}</href></Links>"
        f"<Links><rel>next</rel><href>{next_href}</href></Links>"
        "<Equipment><EquipmentHeader><PIN>PIN-1</PIN></EquipmentHeader></Equipment>"
        "</Fleet>"
    ).encode()


def test_a_links_href_on_another_host_is_refused_naming_the_host(servers, client_for):
    trackunit, elsewhere = servers
    foreign = f"http://localhost:{elsewhere.port}/aemp/Fleet/2"
    first = f"{trackunit.url}/aemp/Fleet/1"
    trackunit.routes["/aemp/Fleet/1"] = (200, {"Content-Type": "application/xml"}, fleet_page(first, foreign))
    elsewhere.routes["/aemp/Fleet/2"] = (200, {}, fleet_page(foreign, foreign))
    guard = RecordingGuard()
    pages = TrackunitApi(client_for(trackunit, guard)).iter_fleet_pages()

    assert [eq.pin for eq in next(pages).equipment] == ["PIN-1"]
    with pytest.raises(ForeignHost) as caught:
        next(pages)
    assert f"localhost:{elsewhere.port}" in str(caught.value)
    assert caught.value.host == f"localhost:{elsewhere.port}"
    assert trackunit.seen == [("/aemp/Fleet/1", f"Bearer {TOKEN}")]
    assert elsewhere.seen == []
    assert guard.claims == [first]


def test_the_same_host_over_another_scheme_or_port_is_another_host(servers, client_for):
    trackunit, elsewhere = servers
    client = client_for(trackunit)
    for url in (f"https://127.0.0.1:{trackunit.port}/aemp/Fleet/2", f"{elsewhere.url}/aemp/Fleet/2"):
        with pytest.raises(ForeignHost):
            client.aemp(url)
    assert elsewhere.seen == []
    assert trackunit.seen == []


@pytest.mark.parametrize(
    ("path", "call"),
    [
        ("/api/customer/v1/customers", lambda client: client.request("GET", "/customer/v1/customers")),
        ("/aemp/Fleet/1", lambda client: client.aemp("/Fleet/1")),
    ],
)
def test_a_redirect_to_another_host_is_refused_naming_it_and_not_followed(servers, client_for, path, call):
    trackunit, elsewhere = servers
    trackunit.routes[path] = (302, {"Location": f"http://localhost:{elsewhere.port}/steal"}, b"")
    with pytest.raises(RedirectRefused) as caught:
        call(client_for(trackunit))
    assert f"localhost:{elsewhere.port}" in str(caught.value)
    assert elsewhere.seen == []
    assert len(trackunit.seen) == 1, "a refused redirect is not retried"


def padded_json(size: int) -> bytes:
    head, tail = b'{"content": [], "pad": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_an_answer_of_exactly_the_cap_is_read(servers, client_for):
    trackunit, _ = servers
    body = padded_json(CAP)
    trackunit.routes["/api/customer/v1/customers"] = (200, {"Content-Type": "application/json"}, body)
    assert client_for(trackunit).request_json("GET", "/customer/v1/customers")["content"] == []


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        pytest.param({"Content-Length": str(CAP + 1)}, lambda: padded_json(CAP + 1), id="declared"),
        pytest.param({}, lambda: padded_json(CAP * 4), id="undeclared-streamed"),
        pytest.param(
            {"Content-Encoding": "gzip"}, lambda: gzip.compress(b" " * (32 * 2**20), 9), id="gzip-bomb-32MiB"
        ),
    ],
)
def test_an_answer_above_the_cap_is_refused_with_bounded_memory(servers, client_for, headers, body):
    trackunit, _ = servers
    route = (200, {"Content-Type": "application/json", **headers}, body())
    trackunit.routes["/api/customer/v1/customers"] = route
    client = client_for(trackunit)
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge) as caught:
            client.request_json("GET", "/customer/v1/customers")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "TRACKUNIT_MAX_RESPONSE_BYTES" in str(caught.value)
    assert f"({CAP} bytes)" in str(caught.value)
    assert len(trackunit.seen) == 1, "the same request would bring the same answer: not retried"
    assert peak < 8 * 2**20
