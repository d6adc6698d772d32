"""Development or production, and the refusal to serve a reachable site with a secret key anyone can read.

Development needs no setup: `make run`, the tests and CI use a fixed key from this repository. That key
signs sessions and password-reset links, so a site others can reach must not use it: settings refuse to
load when it would (RENTALBRIDGE_ENV=production, or any allowed host that is not this machine).
Only settings.py imports this module, before Django is set up, so it imports nothing from Django's apps.
"""

from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT = "development"
PRODUCTION = "production"
ENVIRONMENTS = (DEVELOPMENT, PRODUCTION)

DEVELOPMENT_SECRET_KEY = "insecure-dev-key-set-DJANGO_SECRET_KEY-in-production"
# Keys published in this repository: the development key and .env.example's placeholder.
PUBLISHED_SECRET_KEYS = frozenset({DEVELOPMENT_SECRET_KEY, "change-me-to-a-long-random-string"})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def environment(name: str) -> str:
    """The environment RENTALBRIDGE_ENV names; a typo must not quietly mean development."""
    value = (name or DEVELOPMENT).strip().lower()
    if value not in ENVIRONMENTS:
        raise ImproperlyConfigured(f"RENTALBRIDGE_ENV is {name!r}; use one of: {', '.join(ENVIRONMENTS)}.")
    return value


def refuse_published_secret_key(secret_key: str, *, production: bool, allowed_hosts: list[str]) -> None:
    """Raise ImproperlyConfigured when a published key would sign the sessions of a reachable site."""
    if secret_key not in PUBLISHED_SECRET_KEYS:
        return
    public = [host for host in allowed_hosts if host not in LOOPBACK_HOSTS]
    if production:
        reason = "RENTALBRIDGE_ENV is production"
    elif public:
        reason = f"DJANGO_ALLOWED_HOSTS lets others reach this site ({', '.join(public)})"
    else:
        return
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is unset or a key published in this repository, and {reason}: set it to a long "
        "random value, e.g. from python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
