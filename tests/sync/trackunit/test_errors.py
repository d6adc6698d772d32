import pytest

from sync.trackunit.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
    ValidationFailed,
    error_for_status,
)


def test_a_constraint_violation_keeps_trackunits_error_object():
    body = {
        "status": 400,
        "code": "constraint_violation",
        "message": "invalid value for: name",
        "violations": [{"field": "name", "message": "must not be blank"}],
    }
    error = error_for_status(400, body)
    assert isinstance(error, ValidationFailed)
    assert (error.status, error.code) == (400, "constraint_violation")
    assert error.violations == [{"field": "name", "message": "must not be blank"}]
    assert error.error_object() == body


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (429, RateLimited),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
    ],
)
def test_status_maps_to_its_exception(status, cls):
    assert type(error_for_status(status, {"status": status, "code": "x", "message": "m"})) is cls


def test_oauth_errors_and_bodies_that_are_not_json():
    oauth = error_for_status(400, {"error": "invalid_scope", "error_description": "not allowed: assets"})
    assert (oauth.code, oauth.message) == ("invalid_scope", "not allowed: assets")
    html = error_for_status(502, "<html>bad gateway</html>")
    assert html.message == "<html>bad gateway</html>"
    assert html.error_object() == {"status": 502, "code": None, "message": "<html>bad gateway</html>"}


def test_retry_after_travels_with_a_429():
    assert error_for_status(429, {}, retry_after=2.0).retry_after == 2.0
