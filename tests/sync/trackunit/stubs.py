"""Test doubles for the client's unit tests: canned HTTP answers and a real Redis under a private prefix."""

import io
import json
import os
import uuid
from collections.abc import Callable
from typing import Any

import redis
import requests
from requests.adapters import BaseAdapter

Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]] | BaseException


class StubAdapter(BaseAdapter):
    """Answers each request with the next canned answer (status, JSON body or raw bytes[, headers]) or
    raises it."""

    def __init__(self, answers: list[Answer] | Callable[[requests.PreparedRequest], Answer]) -> None:
        super().__init__()
        self.answers = answers
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        answer = self.answers(request) if callable(self.answers) else self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        status, body, *rest = answer
        response = requests.Response()
        response.status_code = status
        response.request = request
        response.url = request.url
        response.headers.update(rest[0] if rest else {})
        if body is not None:
            content = body if isinstance(body, bytes) else json.dumps(body).encode()
            response.headers.setdefault("Content-Type", "application/json")
        else:
            content = b""
        # A stream, as a real adapter gives: the client reads answers as they arrive.
        response.raw = io.BytesIO(content)
        return response

    def close(self):
        pass


def stub_session(answers) -> tuple[requests.Session, StubAdapter]:
    session = requests.Session()
    adapter = StubAdapter(answers)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session, adapter


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))


def unique_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"
