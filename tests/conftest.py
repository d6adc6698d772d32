"""Fixtures every test area shares: users in each role, logged-in admin clients, a browser, demo data."""

import os
import shutil

import pytest
from django.contrib.auth.models import Group, User

from rentalbridge.roles.definitions import AUDITOR, BACK_OFFICE, SYNC_OPERATOR, apply_roles
from tests.fixtures.celery_worker import celery_worker  # noqa: F401 - shared with every test area
from tests.fixtures.sandbox import worker_sandbox  # noqa: F401
from tests.fixtures.sqlite_project import sqlite_project  # noqa: F401

PASSWORD = "correct-horse-battery-staple"


def _user(username: str, role: str | None) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True, is_superuser=role is None)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture(autouse=True)
def _no_sync_on_change(settings) -> None:
    """Saves in tests do not enqueue syncs into the shared Redis; trigger tests turn it back on."""
    settings.SYNC_ON_CHANGE = False


@pytest.fixture
def roles(db) -> None:
    """The roles' groups, as the migrations create them; transactional tests flush them between tests."""
    from django.apps import apps

    apply_roles(apps)


@pytest.fixture
def superuser(db) -> User:
    return _user("root", None)


@pytest.fixture
def back_office_user(db) -> User:
    return _user("clerk", BACK_OFFICE)


@pytest.fixture
def operator_user(db) -> User:
    return _user("operator", SYNC_OPERATOR)


@pytest.fixture
def auditor_user(db) -> User:
    return _user("auditor", AUDITOR)


@pytest.fixture
def admin_client_for(client):
    """A test client logged in as the given user."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's chromium instead of Playwright's own download (which cannot be fetched here)."""
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
