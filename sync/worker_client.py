"""One Trackunit client per process, reused by every chunk, with each chunk's exchanges audited as its own.

Building a client opens an HTTP session and a Redis pool; building one per chunk left both open until
the garbage collector found them. The process keeps one client (rebuilt only when the TRACKUNIT_*
settings change, closing the old one) and routes each exchange to the recorder of the call in progress,
kept in a context variable: the threads of a `--pool threads` worker each see their own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

import requests

from sync.audit import AttemptRecorder
from sync.trackunit.client import ClientConfig, TrackunitClient
from sync.trackunit.endpoints import TrackunitApi
from sync.trackunit.exchange import Exchange

log = logging.getLogger(__name__)
T = TypeVar("T")

_recorder: ContextVar[AttemptRecorder | None] = ContextVar("trackunit_recorder", default=None)
_lock = threading.Lock()
_shared: TrackunitClient | None = None


def _route(exchange: Exchange) -> None:
    recorder = _recorder.get()
    if recorder is None:
        log.error("a Trackunit exchange outside any audited call: %s %s", exchange.method, exchange.url)
        return
    recorder(exchange)


def shared_client() -> TrackunitClient:
    """This process's client for the current settings."""
    global _shared
    config = ClientConfig.from_settings()
    with _lock:
        if _shared is None or _shared.config != config:
            if _shared is not None:
                _shared.close()
            _shared = TrackunitClient(config, on_exchange=_route)
        return _shared


def close() -> None:
    """Release the process's client (worker shutdown)."""
    global _shared
    with _lock:
        if _shared is not None:
            _shared.close()
        _shared = None


class AuditedClient:
    """The shared client as one recorder sees it: exchanges go to that recorder, and once one of its rows
    could not be written the call fails with AuditWriteFailed and every later call is refused unsent."""

    def __init__(self, client: TrackunitClient, recorder: AttemptRecorder) -> None:
        self._client = client
        self.recorder = recorder

    @property
    def config(self) -> ClientConfig:
        return self._client.config

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self._audited(self._client.request, method, path, **kwargs)

    def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._audited(self._client.request_json, method, path, **kwargs)

    def aemp(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        return self._audited(self._client.aemp, path_or_url, **kwargs)

    def _audited(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self.recorder.raise_if_failed()
        token = _recorder.set(self.recorder)
        try:
            return call(*args, **kwargs)
        finally:
            _recorder.reset(token)
            # Raised even over the call's own error: the missing row is the failure to report.
            self.recorder.raise_if_failed()


def api_for(recorder: AttemptRecorder) -> TrackunitApi:
    """The Trackunit API over this process's client, audited by `recorder`."""
    return TrackunitApi(AuditedClient(shared_client(), recorder))  # type: ignore[arg-type]
