"""Logins are throttled per username and address (django-axes) and every form post needs its CSRF token.

The limit and lock-out time are the README's documented defaults (5 failures, 15 minutes).
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

DOCUMENTED_FAILURE_LIMIT = 5
DOCUMENTED_LOCKOUT = timedelta(minutes=15)
WRONG = "not-the-password-0451"
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings) -> None:
    """Dozens of logins per test: a cheap hasher keeps them quick; throttling does not depend on it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def log_in(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(response) -> bool:
    return response.status_code == 302 and response.url == "/admin/"


def fail(client: Client, username: str, times: int) -> list[int]:
    return [log_in(client, username, WRONG).status_code for _ in range(times)]


def test_a_username_is_locked_out_from_an_address_after_the_documented_failures(back_office_user):
    attacker = from_address("203.0.113.7")
    statuses = fail(attacker, "clerk", DOCUMENTED_FAILURE_LIMIT)
    assert statuses[:-1] == [200] * (DOCUMENTED_FAILURE_LIMIT - 1)  # the form again, "enter a correct..."
    assert statuses[-1] == 429

    refused = log_in(attacker, "clerk", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in attacker.session


def test_a_lockout_leaves_other_users_and_other_addresses_alone(back_office_user, auditor_user):
    fail(from_address("203.0.113.7"), "clerk", DOCUMENTED_FAILURE_LIMIT)
    assert logged_in(log_in(from_address("203.0.113.7"), "auditor", PASSWORD))
    assert logged_in(log_in(from_address("198.51.100.20"), "clerk", PASSWORD))


def test_a_success_resets_the_count(back_office_user):
    office = from_address("192.0.2.10")
    for _ in range(3):
        fail(office, "clerk", DOCUMENTED_FAILURE_LIMIT - 1)
        assert logged_in(log_in(office, "clerk", PASSWORD))


def test_the_lockout_ends_after_the_documented_time(back_office_user):
    office = from_address("192.0.2.10")
    fail(office, "clerk", DOCUMENTED_FAILURE_LIMIT)
    assert log_in(office, "clerk", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - DOCUMENTED_LOCKOUT)
    assert logged_in(log_in(office, "clerk", PASSWORD))


def test_failed_attempts_are_recorded_without_the_password_or_csrf_token(back_office_user):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.10")
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    client.post(LOGIN, {"username": "clerk", "password": WRONG, "csrfmiddlewaretoken": token})
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("clerk", "192.0.2.10", 1)
    recorded = " ".join(str(value) for value in AccessAttempt.objects.values().get().values())
    assert WRONG not in recorded
    assert token not in recorded


def test_form_posts_without_a_csrf_token_are_refused(back_office_user):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(LOGIN, {"username": "clerk", "password": PASSWORD}).status_code == 403

    browser.force_login(back_office_user)
    form = {"name": "Forged", "external_reference": "CUS-F", "type": "OTHER"}
    assert browser.post(reverse("admin:customers_customer_add"), form).status_code == 403
    assert not Customer.objects.filter(external_reference="CUS-F").exists()


def test_form_posts_with_the_csrf_token_go_through(back_office_user):
    browser = Client(enforce_csrf_checks=True)
    browser.get(LOGIN)
    token = browser.cookies["csrftoken"].value
    answer = browser.post(LOGIN, {"username": "clerk", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert logged_in(answer)


def test_behind_a_proxy_the_address_the_proxy_saw_is_throttled(settings, back_office_user):
    # DJANGO_BEHIND_PROXY=true: every request comes from the proxy, which appends the client's address.
    settings.AXES_CLIENT_IP_CALLABLE = "rentalbridge.client_ip.address_seen_by_proxy"
    proxy = "10.0.0.1"

    def via_proxy(client_address: str, claimed: str = "") -> Client:
        forwarded = f"{claimed}, {client_address}" if claimed else client_address
        return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)

    fail(via_proxy("203.0.113.7"), "clerk", DOCUMENTED_FAILURE_LIMIT)
    # Claiming another address in the header the client controls does not get round the lockout...
    assert log_in(via_proxy("203.0.113.7", claimed="198.51.100.20"), "clerk", PASSWORD).status_code == 429
    # ...and the same user through the same proxy from elsewhere still logs in.
    assert logged_in(log_in(via_proxy("198.51.100.20"), "clerk", PASSWORD))
