import json

from sync.trackunit.exchange import REDACTED, Redactor

SECRET = "sandbox-secret"
PASSWORD = "sandbox-password"


def redactor() -> Redactor:
    return Redactor([SECRET, PASSWORD, "", "abc"])


def test_credential_headers_are_replaced():
    headers = redactor().headers({"Authorization": "Bearer tok-123", "Accept": "application/json"})
    assert headers == {"Authorization": REDACTED, "Accept": "application/json"}


def test_token_answers_lose_their_tokens_at_any_depth():
    body = json.dumps(
        {"access_token": "a1", "refresh_token": "r1", "expires_in": 3600, "nested": [{"client_secret": "x"}]}
    )
    cleaned = json.loads(redactor().body(body, "application/json"))
    assert cleaned == {
        "access_token": REDACTED,
        "refresh_token": REDACTED,
        "expires_in": 3600,
        "nested": [{"client_secret": REDACTED}],
    }


def test_token_requests_lose_password_and_secret():
    form = f"grant_type=password&username=u%40x&password={PASSWORD}&client_secret=s3cret&scope=api"
    cleaned = redactor().body(form, "application/x-www-form-urlencoded")
    assert PASSWORD not in cleaned
    assert "s3cret" not in cleaned
    assert "grant_type=password" in cleaned
    assert "scope=api" in cleaned


def test_literal_secrets_are_scrubbed_from_any_text_and_urls():
    r = redactor()
    assert SECRET not in r.body(f"echo: {SECRET}", "text/plain")
    assert SECRET not in r.url(f"https://x.test/p?client_secret={SECRET}&page=1")
    assert "page=1" in r.url("https://x.test/p?page=1")
    # Too-short "secrets" are ignored rather than blanking ordinary text.
    assert r.text("abc def") == "abc def"


def test_bodies_that_are_absent_or_bytes():
    r = redactor()
    assert r.body(None) is None
    assert r.body(b'{"password": "p"}') == json.dumps({"password": REDACTED})
