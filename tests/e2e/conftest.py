import os

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def logged_in_page(page, live_server, transactional_db):
    from django.contrib.auth.models import User

    User.objects.create_superuser("staff", "staff@example.com", "browser-pass-123")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "browser-pass-123")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page
