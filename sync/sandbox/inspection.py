"""`/_sandbox/*`: what tests use to look inside and steer the sandbox. Never faulted, never authenticated.

Unauthenticated control is safe only if no web page can reach it: every request that changes something
must send its body as `application/json`. A page can post a form (urlencoded, multipart or text/plain) to
any address without asking, but a JSON body needs a CORS preflight, which the sandbox never grants.
"""

from sync.sandbox import fleet, spec
from sync.sandbox.web import ApiError, Request, Response, Route

READ_METHODS = ("GET", "HEAD")


def refuse_non_json_control(request: Request) -> None:
    """Answer 415 to a control request that would change something without a JSON body."""
    if request.method in READ_METHODS:
        return
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(
            415,
            spec.UNSUPPORTED_MEDIA_TYPE,
            "control requests take a JSON body: send Content-Type: application/json ({} will do)",
        )


def _json_object(request: Request) -> dict:
    body = request.json()
    if not isinstance(body, dict):
        raise ApiError(400, spec.BAD_REQUEST, "send a JSON object")
    return body


def health(app, request: Request) -> Response:
    return Response.json(200, {"ok": True, **app.describe()})


def state(app, request: Request) -> Response:
    return Response.json(200, app.store.public_state())


def requests_log(app, request: Request) -> Response:
    """`?since=<id>` returns only entries after that id, so a test can look at just its own calls."""
    since = request.arg("since") or "0"
    if not since.isdigit():
        raise ApiError(400, spec.BAD_REQUEST, "since must be a request id")
    entries = app.log.since(int(since))
    return Response.json(200, {"requests": entries, "last": entries[-1]["id"] if entries else int(since)})


def reset(app, request: Request) -> Response:
    app.reset()
    return Response.json(200, app.describe())


def get_faults(app, request: Request) -> Response:
    return Response.json(200, app.faults.settings.as_dict())


def set_faults(app, request: Request) -> Response:
    try:
        settings = app.faults.set(_json_object(request))
    except ValueError as exc:
        raise ApiError(400, spec.BAD_REQUEST, str(exc)) from None
    return Response.json(200, settings.as_dict())


def get_clock(app, request: Request) -> Response:
    return Response.json(200, {"now": fleet.now(app.store), "offsetS": app.store.clock_offset})


def advance_clock(app, request: Request) -> Response:
    body = _json_object(request)
    step = body.get("advance_s")
    if set(body) != {"advance_s"} or isinstance(step, bool) or not isinstance(step, int | float) or step < 0:
        raise ApiError(400, spec.BAD_REQUEST, 'send {"advance_s": <seconds >= 0>}')
    with app.store.lock:
        app.store.clock_offset += step
    return get_clock(app, request)


def telematics(app, request: Request) -> Response:
    """Each owned asset's PIN and current readings: the truth an ISO 15143-3 pull should arrive at."""
    with app.store.lock:
        at = fleet.now(app.store)
        units = [
            {"assetId": asset_id, "pin": unit["pin"], "readings": fleet.readings(app.store, asset_id, at)}
            for asset_id, unit in app.store.telematics.items()
            if spec.owned_by_account(app.store.kind("assets")[asset_id])
        ]
    return Response.json(200, {"units": units})


ROUTES = [
    Route("GET", "/health", health, ""),
    Route("GET", "/state", state, ""),
    Route("GET", "/requests", requests_log, ""),
    Route("POST", "/reset", reset, ""),
    Route("GET", "/faults", get_faults, ""),
    Route("POST", "/faults", set_faults, ""),
    Route("GET", "/clock", get_clock, ""),
    Route("POST", "/clock", advance_clock, ""),
    Route("GET", "/telematics", telematics, ""),
]
