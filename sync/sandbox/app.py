"""The sandbox as one object: routes each request through faults, auth and limits to an API module.

Order matters and mirrors a real gateway: injected faults first (they stand for the network), then the
bearer check, then the account's rate limit, then the endpoint. `/_sandbox/*` skips all of it.
"""

import re
import threading
import time
from pathlib import Path
from typing import Any

from rentalbridge.demo.machines import demo_machines
from sync.sandbox import (
    aemp,
    assets,
    customers,
    customfield_standard,
    customfields,
    inspection,
    rental,
    sites,
    spec,
)
from sync.sandbox.auth import TokenIssuer
from sync.sandbox.config import SandboxConfig
from sync.sandbox.faults import Faults, FaultSettings
from sync.sandbox.fleet import seed_fleet
from sync.sandbox.limits import Limits, RateLimited
from sync.sandbox.requestlog import RequestLog
from sync.sandbox.state import FORMAT, Store
from sync.sandbox.web import (
    AEMP_PREFIX,
    API_PREFIX,
    SANDBOX_PREFIX,
    ApiError,
    OAuthError,
    Request,
    Response,
    Route,
)


class Sandbox:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.public_url = f"http://{config.host}:{config.port}"
        self.store = Store()
        self.tokens = TokenIssuer(config)
        self.faults = Faults(FaultSettings().updated(config.faults))
        self.limits = Limits(
            aemp_url_window_s=config.aemp_url_window_s,
            aemp_url_pool=config.aemp_url_pool,
            fleet_per_s=config.aemp_fleet_per_s,
            equipment_per_s=config.aemp_equipment_per_s,
        )
        self.log = RequestLog(config.request_log_size)
        self._save_lock = threading.Lock()
        seed_fleet(
            self.store,
            account_id=config.account_id,
            owned=config.assets,
            foreign=config.foreign_assets,
            seed=config.seed,
            machines=demo_machines() if config.demo_fleet else (),
        )
        customfield_standard.seed(self.store)
        self.seeded = self.store.snapshot()
        if config.state_file and Path(config.state_file).exists():
            saved = Store.load(Path(config.state_file))
            if saved.get("format") == FORMAT:
                self.store.restore(saved)
            else:
                print(
                    f"{config.state_file} holds an older sandbox's records: starting from the seed",
                    flush=True,
                )
        self.routes = _compile(
            [
                *[(API_PREFIX, r) for r in (*assets.ROUTES, *sites.ROUTES, *customers.ROUTES)],
                *[(API_PREFIX, r) for r in (*rental.ROUTES, *customfields.ROUTES)],
                *[(AEMP_PREFIX, r) for r in aemp.ROUTES],
                *[(SANDBOX_PREFIX, r) for r in inspection.ROUTES],
            ]
        )

    # --- the one entry point --------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        started = time.monotonic()
        response = self._handle(request)
        if not request.path.startswith(SANDBOX_PREFIX):
            self.log.add(request, response, time.monotonic() - started)
        return response

    def _handle(self, request: Request) -> Response:
        if request.path.startswith(SANDBOX_PREFIX):
            try:
                inspection.refuse_non_json_control(request)
                return self._route(request)
            except ApiError as exc:
                return exc.response()
        fault = self.faults.draw()
        if fault.latency_s:
            time.sleep(fault.latency_s)
        if fault.action == "drop":
            return Response(0, drop=True)
        if fault.action == "hang":
            time.sleep(self.faults.settings.hang_ms / 1000.0)
            return Response(0, drop=True)
        if fault.action == "error":
            code = spec.INTERNAL_ERROR if fault.status == 500 else spec.SERVICE_UNAVAILABLE
            return ApiError(fault.status, code, "injected failure").response()
        if fault.action == "storm_429":
            return _too_many(1, "injected rate limit storm").response()
        try:
            if request.path in (spec.TOKEN_V1, spec.TOKEN_V2):
                return self._token(request)
            if request.path.startswith((API_PREFIX + "/", AEMP_PREFIX + "/")):
                request.token = self.tokens.authenticate(request)
                if request.path.startswith(API_PREFIX + "/"):
                    self.limits.hit_per_second("api", self.faults.settings.rate_limit_per_s, time.time())
            response = self._route(request)
        except RateLimited as exc:
            return _too_many(exc.retry_after, exc.message).response()
        except (ApiError, OAuthError) as exc:
            return exc.response()
        if self.config.state_file and request.method != "GET" and 200 <= response.status < 300:
            self.save()
        return response

    def _token(self, request: Request) -> Response:
        if request.method != "POST":
            return ApiError(405, spec.METHOD_NOT_ALLOWED, "use POST", headers={"Allow": "POST"}).response()
        if request.path == spec.TOKEN_V1:
            return self.tokens.token_v1(request)
        return self.tokens.token_v2(request)

    def _route(self, request: Request) -> Response:
        allowed = []
        for pattern, route in self.routes:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            if route.method != request.method:
                allowed.append(route.method)
                continue
            if request.token is not None and not request.token.allows(route.scope):
                raise ApiError(403, spec.INSUFFICIENT_SCOPE, f"this token lacks the {route.scope!r} scope")
            request.params = match.groupdict()
            return route.handler(self, request, **request.params)
        if allowed:
            headers = {"Allow": ", ".join(sorted(set(allowed)))}
            raise ApiError(
                405, spec.METHOD_NOT_ALLOWED, f"{request.method} is not allowed here", headers=headers
            )
        raise ApiError(404, spec.NOT_FOUND, f"no endpoint at {request.path}")

    # --- used by /_sandbox -----------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the seeded data and the start-up faults; issued tokens stay valid."""
        self.store.restore(self.seeded)
        with self.store.lock:
            self.store.epoch = time.time()
            self.store.clock_offset = 0.0
        self.log.clear()
        self.faults.reset()
        self.limits.reset()
        if self.config.state_file:
            self.save()

    def save(self) -> None:
        """Write the state file; without one (the default) the records live only in memory."""
        if self.config.state_file is None:
            return
        with self._save_lock:
            self.store.save(Path(self.config.state_file))

    def describe(self) -> dict[str, Any]:
        return {
            "faults": self.faults.settings.as_dict(),
            "assets": len(self.store.kind("assets")),
            "accountId": self.config.account_id,
        }


def _too_many(retry_after: int, message: str) -> ApiError:
    return ApiError(429, spec.TOO_MANY_REQUESTS, message, headers={"Retry-After": str(max(1, retry_after))})


def _compile(routes: list[tuple[str, Route]]) -> list[tuple[re.Pattern[str], Route]]:
    compiled = []
    for prefix, route in routes:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(prefix + route.pattern))
        compiled.append((re.compile(regex), route))
    return compiled
