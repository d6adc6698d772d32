"""A malformed id in any admin URL is a 404 or the admin's own "doesn't exist" message, never a 500.

The URLs come from the resolver, so a view added later is covered without being listed here.
"""

import re

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

pytestmark = pytest.mark.django_db

MALFORMED = {
    "letters": "abc",
    "beyond bigint": "99999999999999999999999",
    "NUL": "%00",
    "emoji": "%F0%9F%99%82",
}
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def routes_with_ids(resolver: URLResolver = None, prefix: str = "") -> list[str]:
    """Every route (as text, converters in place) that takes a parameter."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            found += routes_with_ids(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
            route = prefix + str(entry.pattern)
            if PARAMETER.search(route):
                found.append(route)
    return found


def urls_with_one_malformed_id(route: str, value: str) -> list[str]:
    """The route with each parameter in turn malformed and the others a plausible id."""
    names = [m.group("name") for m in PARAMETER.finditer(route)]
    urls = []
    for malformed in names:
        urls.append(
            "/" + PARAMETER.sub(lambda m: value if m.group("name") == malformed else "1", route)  # noqa: B023
        )
    return urls


ROUTES = routes_with_ids()


def test_the_resolver_lists_the_admin_views_that_take_ids():
    # A floor from the admin this project registers: the change pages, the import job pages, the sync runs.
    assert "admin/sync/syncrun/<path:object_id>/change/" in ROUTES
    assert "admin/sync/syncrun/<int:run_id>/progress/" in ROUTES
    assert "admin/assets/asset/import/job/<int:job_id>/status/" in ROUTES
    assert len(ROUTES) > 60


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings) -> None:
    """Hundreds of tests each create a superuser: a cheap hasher keeps that quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def refused(client, method: str, url: str) -> bool:
    """Whether the admin refused the URL cleanly: 403 or 404, or a redirect that says why.

    A 500 raises in the test client, with its traceback. A redirect without a message (APPEND_SLASH, the
    admin's `<id>/` shortcut to `<id>/change/`) is followed.
    """
    for _hop in range(4):
        response = getattr(client, method)(url)
        if response.status_code in (403, 404):
            return True
        if response.status_code not in (301, 302):
            return False
        levels = [m.level for m in get_messages(response.wsgi_request)]
        if any(level >= messages.WARNING for level in levels):  # "... doesn't exist", or the view's refusal
            return True
        method, url = "get", response.url
    return False


@pytest.mark.parametrize("route", ROUTES)
def test_a_malformed_id_is_refused_not_an_error(client, superuser, route):
    client.force_login(superuser)
    for value in MALFORMED.values():
        for url in urls_with_one_malformed_id(route, value):
            for method in ("get", "post"):
                assert refused(client, method, url), (method, url)
