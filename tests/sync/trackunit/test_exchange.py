import json

import pytest

from sync.trackunit.exchange import REDACTED, Redactor, basic_credentials

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


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("{'Authorization': 'Basic cmVudGFsOnNlY3JldA=='}", "{'Authorization': '[REDACTED]'}"),
        ("Authorization: Bearer abc.def.ghi-123", "Authorization: [REDACTED]"),
        ("sent Bearer abcdefgh12345 to x", "sent Bearer [REDACTED] to x"),
        (
            "grant_type=refresh_token&refresh_token=r-123456",
            "grant_type=refresh_token&refresh_token=[REDACTED]",
        ),
        (
            '{"access_token":"a-1","token_type":"Bearer"}',
            '{"access_token":"[REDACTED]","token_type":"Bearer"}',
        ),
        (
            "{'refresh_token': 'r-1', 'expires_in': 3600}",
            "{'refresh_token': '[REDACTED]', 'expires_in': 3600}",
        ),
        ("Token(access_token='a-1', lifetime=60)", "Token(access_token='[REDACTED]', lifetime=60)"),
        ('cut off "password": "hunter2', 'cut off "password": "[REDACTED]"'),
        (
            "nextToken=c-1 password_hint=h token_type=bearer",
            "nextToken=c-1 password_hint=h token_type=bearer",
        ),
        ("Encoding `client_id` with `client_secret` as Basic auth.", None),
    ],
)
def test_free_text_loses_credentials_by_pattern(text, kept):
    cleaned = Redactor().text(text)
    assert cleaned == (text if kept is None else kept)
    assert Redactor().text(cleaned) == cleaned, "a second pass changes nothing"


@pytest.mark.parametrize(
    "text",
    [
        # Non-ASCII text: (?i) matches the long s and the Kelvin sign to "s" and "k", so these still go.
        "pa\u017f\u017fword=hunter22 \u00e6\u00f8\u00e5",
        "to\u212aen=abcdef123 \u00e6\u00f8\u00e5",
        # ASCII text in upper case: the quick check before the patterns must not miss it either.
        "PASSWORD=hunter22",
        "AUTHORIZATION: BEARER abcdefgh12345",
    ],
)
def test_every_spelling_the_patterns_know_is_still_redacted(text):
    assert REDACTED in Redactor().text(text)
    assert "hunter22" not in Redactor().text(text)
    assert "abcdef" not in Redactor().text(text)


def test_a_large_body_without_credentials_is_left_as_it_is():
    page = "<Fleet>" + "<Equipment><PIN>ABC123</PIN><Hour>1234.5</Hour></Equipment>" * 2000 + "</Fleet>"
    assert Redactor([SECRET]).text(page) == page


def test_secrets_are_scrubbed_percent_encoded_and_json_escaped_too():
    r = Redactor(['p@ss "w0rd"'])
    assert r.text('a=p%40ss+%22w0rd%22 b=p%40ss%20%22w0rd%22 c=p@ss \\"w0rd\\"') == (
        f"a={REDACTED} b={REDACTED} c={REDACTED}"
    )


def test_the_basic_credential_is_the_rfc_7617_one():
    # RFC 7617 section 2: "Aladdin" / "open sesame".
    assert basic_credentials("Aladdin", "open sesame") == "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
