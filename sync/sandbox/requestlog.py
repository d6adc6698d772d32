"""A bounded log of what clients asked and got, for tests that assert on the calls a client made.

Authorization headers are never recorded, and token requests keep only their grant type and scope, so
the log can be shown in a failing test's output without leaking a secret.
"""

import json
import threading
from collections import deque
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from sync.sandbox.web import Request, Response

_BODY_MAX = 4000
_TOKEN_FIELDS_KEPT = ("grant_type", "scope")


class RequestLog:
    def __init__(self, size: int) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._next_id = 1

    def add(self, request: Request, response: Response, duration_s: float) -> None:
        entry = {
            "method": request.method,
            "path": request.path,
            "query": {k: v if len(v) > 1 else v[0] for k, v in request.query.items()},
            "status": response.status,
            "dropped": response.drop,
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "durationMs": round(duration_s * 1000, 2),
            "body": _body(request),
        }
        with self._lock:
            entry["id"] = self._next_id
            self._next_id += 1
            self._entries.append(entry)

    def since(self, last_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._entries if e["id"] > last_id]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _body(request: Request) -> Any:
    if not request.body:
        return None
    text = request.body.decode("utf-8", "replace")
    if request.path.startswith("/token"):
        form = parse_qs(text)
        return {k: form[k][-1] for k in _TOKEN_FIELDS_KEPT if k in form}
    try:
        return json.loads(text)
    except ValueError:
        return text[:_BODY_MAX]
