"""RentalBridge settings: every value that differs between machines comes from the environment.

`.env.example` documents each variable; a `.env` file beside manage.py is read when present, but the
process environment always wins so `make run`, the tests and CI can override anything.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

from rentalbridge import deployment

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# RENTALBRIDGE_ENV=production turns on HTTPS-only cookies and HSTS (README: "Running in production").
# Development, the default, needs no setup: `make run`, the tests and CI use a development key.
PRODUCTION = deployment.environment(env.str("RENTALBRIDGE_ENV", default="")) == deployment.PRODUCTION
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# An empty DJANGO_SECRET_KEY counts as unset. The development key is refused in production and whenever
# the allowed hosts reach beyond this machine: the process stops with ImproperlyConfigured.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or deployment.DEVELOPMENT_SECRET_KEY
deployment.refuse_published_secret_key(SECRET_KEY, production=PRODUCTION, allowed_hosts=ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "import_export",
    "simple_history",
    "rentalbridge.customfields",
    "rentalbridge.roles",
    "rentalbridge.demo",
    "customers",
    "assets",
    "contracts",
    "sync",
    "rentalbridge.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Production serves its static files itself (gunicorn, no separate file server), right after the
    # security headers; development's runserver --insecure and the tests use staticfiles' own view.
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if PRODUCTION else []),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: history rows name the signed-in user and the admin view that changed a record.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rentalbridge.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "rentalbridge.wsgi.application"


def _database() -> dict:
    """SQLite is the zero-setup default; DATABASE_URL switches to PostgreSQL."""
    config = env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while a Celery worker writes; IMMEDIATE transactions and a busy
        # timeout turn lock contention into a short wait instead of "database is locked".
        config.setdefault("OPTIONS", {}).update(
            {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            }
        )
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
if PRODUCTION:
    # collectstatic writes each file under a content-hashed name, compressed, and WhiteNoise serves those
    # names with a cache header of ten years: a new release has new names, so browsers never keep old CSS.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "rentalbridge.static_storage.StaticFilesStorage"},
    }

LOGIN_URL = "admin:login"

# --- Security ------------------------------------------------------------------------------------------
# Cookies go over HTTPS only in production (development serves plain http on localhost); CSRF checks are
# Django's middleware above. HSTS tells browsers to use nothing but HTTPS for a year.
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=PRODUCTION)
# Behind one reverse proxy that terminates TLS and sets X-Forwarded-Proto and X-Forwarded-For.
if env.bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_CLIENT_IP_CALLABLE = "rentalbridge.client_ip.address_seen_by_proxy"

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords in a row for one username from
# one address, that pair is locked out for LOGIN_LOCKOUT_MINUTES (HTTP 429). Other users, and the same user
# from elsewhere, still log in; a successful login resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# No "AXES: BEGIN" banner on every management command and worker start; lock-outs still log as warnings.
AXES_VERBOSE = False
# Axes records failed attempts with the posted form: keep the password and CSRF token out of it.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "csrfmiddlewaretoken"]

# --- Redis and Celery -------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A lost broker connection does not cancel pushes in flight: each holds its operation's claim and finishes
# it; what the broker lost is resumed from the database (sync/watchdog.py). Celery 6 flips the default.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Redis hands an unacknowledged message out again after this long. It must outlast the longest task
# and countdown, so it stays long; recovery from a killed worker does not wait for it (SYNC_LEASE_S).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Pushes to Trackunit wait on its rate limits: their own queue keeps them from starving other work.
CELERY_TASK_ROUTES = {
    "sync.tasks.advance_run": {"queue": "trackunit"},
    "sync.tasks.push_operations": {"queue": "trackunit"},
    "sync.tasks.resume_run": {"queue": "trackunit"},
}
CELERY_BEAT_SCHEDULE = {
    "nightly-reconcile": {
        "task": "sync.tasks.nightly_reconcile",
        "schedule": crontab(hour=env.int("SYNC_NIGHTLY_HOUR", default=2), minute=0),
    },
    "imports-remove-expired-files": {
        "task": "imports.remove_expired_files",
        "schedule": crontab(hour=3, minute=30),
    },
    # Trackunit recommends pulling the ISO 15143-3 export once a day for ERP use.
    "telematics-daily-pull": {
        "task": "sync.tasks.pull_telematics",
        "schedule": crontab(hour=env.int("TELEMATICS_PULL_HOUR", default=4), minute=0),
    },
    # The audit trail's hash chain is checked daily (result in AuditVerification); old bodies are blanked.
    "audit-verify-chain": {
        "task": "sync.tasks.verify_audit_trail",
        "schedule": crontab(hour=5, minute=0),
    },
    "audit-prune-bodies": {
        "task": "sync.tasks.prune_audit_bodies",
        "schedule": crontab(hour=5, minute=30),
    },
    # Plans never applied within SYNC_PLAN_EXPIRES_AFTER_H are closed as expired (sync/expiry.py).
    "sync-expire-unapplied-plans": {
        "task": "sync.tasks.expire_unapplied_plans",
        "schedule": crontab(minute=15),
    },
}
# "xml" (Trackunit's default format) or "json" (its JSON binding), for the telematics pull.
TELEMATICS_FORMAT = env.str("TELEMATICS_FORMAT", default="xml")

# --- Trackunit ----------------------------------------------------------------------------------------
TRACKUNIT_API_URL = env.str("TRACKUNIT_API_URL", default="https://iris.trackunit.com/api")
TRACKUNIT_AUTH_URL = env.str("TRACKUNIT_AUTH_URL", default="https://auth.trackunit.com")
TRACKUNIT_AEMP_URL = env.str(
    "TRACKUNIT_AEMP_URL", default="https://iris.trackunit.com/public/api/aemp/v2/15143/-3"
)
TRACKUNIT_AUTH_FLOW = env.str("TRACKUNIT_AUTH_FLOW", default="password")
TRACKUNIT_CLIENT_ID = env.str("TRACKUNIT_CLIENT_ID", default="")
TRACKUNIT_CLIENT_SECRET = env.str("TRACKUNIT_CLIENT_SECRET", default="")
TRACKUNIT_USERNAME = env.str("TRACKUNIT_USERNAME", default="")
TRACKUNIT_PASSWORD = env.str("TRACKUNIT_PASSWORD", default="")
TRACKUNIT_SCOPES = env.str("TRACKUNIT_SCOPES", default="api")
# Client behaviour (sync/trackunit/client.py). Retries are bounded: a call gives up after MAX_ATTEMPTS,
# and a Retry-After longer than MAX_RETRY_AFTER_S is raised for the caller to reschedule instead.
TRACKUNIT_CONNECT_TIMEOUT_S = env.float("TRACKUNIT_CONNECT_TIMEOUT_S", default=5.0)
TRACKUNIT_READ_TIMEOUT_S = env.float("TRACKUNIT_READ_TIMEOUT_S", default=30.0)
TRACKUNIT_MAX_ATTEMPTS = env.int("TRACKUNIT_MAX_ATTEMPTS", default=5)
TRACKUNIT_BACKOFF_BASE_S = env.float("TRACKUNIT_BACKOFF_BASE_S", default=0.5)
TRACKUNIT_BACKOFF_MAX_S = env.float("TRACKUNIT_BACKOFF_MAX_S", default=30.0)
TRACKUNIT_MAX_RETRY_AFTER_S = env.float("TRACKUNIT_MAX_RETRY_AFTER_S", default=60.0)
TRACKUNIT_TOKEN_RENEW_MARGIN_S = env.float("TRACKUNIT_TOKEN_RENEW_MARGIN_S", default=60.0)
TRACKUNIT_REDIS_PREFIX = env.str("TRACKUNIT_REDIS_PREFIX", default="trackunit")
# Requests per second shared by every process, per endpoint class; the REST classes also share the
# account-wide REST budget. 0 leaves a class unlimited on its own. Pacing runs at SAFETY x the limit.
TRACKUNIT_RATE_LIMITS = {
    "account_rest": env.float("TRACKUNIT_RATE_LIMIT_REST_PER_S", default=20.0),
    "rental": env.float("TRACKUNIT_RATE_LIMIT_RENTAL_PER_S", default=0.0),
    "customers": env.float("TRACKUNIT_RATE_LIMIT_CUSTOMERS_PER_S", default=0.0),
    "custom_fields": env.float("TRACKUNIT_RATE_LIMIT_CUSTOM_FIELDS_PER_S", default=0.0),
    "assets": env.float("TRACKUNIT_RATE_LIMIT_ASSETS_PER_S", default=0.0),
    "sites": env.float("TRACKUNIT_RATE_LIMIT_SITES_PER_S", default=0.0),
    "aemp_fleet": env.float("TRACKUNIT_RATE_LIMIT_AEMP_FLEET_PER_S", default=50.0),
    "aemp_element": env.float("TRACKUNIT_RATE_LIMIT_AEMP_ELEMENT_PER_S", default=500.0),
}
# Each second's requests leave spread over its first half: one sent late, or delayed up to half a second on
# its way, still reaches Trackunit within its own second (sync/trackunit/ratelimit.py).
TRACKUNIT_RATE_LIMIT_SAFETY = env.float("TRACKUNIT_RATE_LIMIT_SAFETY", default=0.5)
TRACKUNIT_RATE_LIMIT_MAX_WAIT_S = env.float("TRACKUNIT_RATE_LIMIT_MAX_WAIT_S", default=30.0)
# ISO 15143-3: one request per URL per this many seconds, remembered in the database.
TRACKUNIT_AEMP_URL_INTERVAL_S = env.float("TRACKUNIT_AEMP_URL_INTERVAL_S", default=900.0)
# Longest answer (after decompression) the client reads; a bigger one is refused before it fills memory.
TRACKUNIT_MAX_RESPONSE_BYTES = env.int("TRACKUNIT_MAX_RESPONSE_BYTES", default=16 * 2**20)

# --- Record history (rentalbridge/history.py) --------------------------------------------------------------
# History is for reading: no "Revert" button, and the version page refuses every POST (history_admin.py).
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Imports -----------------------------------------------------------------------------------------
# Roles grant import_<model>/export_<model> (rentalbridge/roles); django-import-export checks exactly those.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
# Files with more data rows than this are validated and written by a Celery worker, not in the request.
IMPORTS_ASYNC_THRESHOLD_ROWS = env.int("IMPORTS_ASYNC_THRESHOLD_ROWS", default=2000)
IMPORTS_MAX_FILE_BYTES = env.int("IMPORTS_MAX_FILE_BYTES", default=100 * 2**20)
IMPORTS_BATCH_SIZE = env.int("IMPORTS_BATCH_SIZE", default=2000)
# Uploaded files (and rejected-rows files) of import jobs finished this many days ago are removed daily.
IMPORTS_FILE_RETENTION_DAYS = env.int("IMPORTS_FILE_RETENTION_DAYS", default=30)

# --- Sync ------------------------------------------------------------------------------------------------
# Request and response bodies of audit rows older than this are blanked (rows and digests are kept).
AUDIT_BODY_RETENTION_DAYS = env.int("AUDIT_BODY_RETENTION_DAYS", default=365)
# Saving synced data asks for one coalesced sync this many seconds after commit.
SYNC_ON_CHANGE = env.bool("SYNC_ON_CHANGE", default=True)
SYNC_DEBOUNCE_S = env.int("SYNC_DEBOUNCE_S", default=5)
# Which automatic syncs wait for an operator (sync/approval.py): "threshold" holds the first sync of a
# database, any plan that deletes, and plans larger than SYNC_AUTO_APPLY_MAX_OPERATIONS; "always" holds
# every automatic plan; "never" applies them all. Plans an operator starts are applied as asked.
SYNC_APPROVAL = env.str("SYNC_APPROVAL", default="threshold")
SYNC_AUTO_APPLY_MAX_OPERATIONS = env.int("SYNC_AUTO_APPLY_MAX_OPERATIONS", default=200)
# A record whose push failed this many times in a row is set aside as "needs attention" (sync/attention.py).
SYNC_SET_ASIDE_AFTER_FAILURES = env.int("SYNC_SET_ASIDE_AFTER_FAILURES", default=3)
# A plan (or a plan awaiting approval) nobody applied for this many hours expires (sync/expiry.py).
SYNC_PLAN_EXPIRES_AFTER_H = env.int("SYNC_PLAN_EXPIRES_AFTER_H", default=24)
# Operations per Celery task: small enough to spread a phase over the workers, large enough to be cheap.
SYNC_CHUNK_SIZE = env.int("SYNC_CHUNK_SIZE", default=25)
# A running run that finished no operation for this long, though resumed, is closed; its records are
# planned again.
SYNC_STALLED_AFTER_S = env.int("SYNC_STALLED_AFTER_S", default=900)
# Each worker process renews the leases of the runs it works on every SYNC_HEARTBEAT_S; a run whose
# lease is SYNC_LEASE_S old lost its worker and is resumed by any live worker (sync/watchdog.py).
SYNC_HEARTBEAT_S = env.float("SYNC_HEARTBEAT_S", default=5.0)
SYNC_LEASE_S = env.float("SYNC_LEASE_S", default=30.0)

# Every handler redacts credentials (sync/trackunit/logredact.py), whoever logs them and at any level.
# Django's own handlers are redefined here so none is left without the filter; Celery's get it when
# Celery installs them in a worker or beat.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "sync.trackunit.logredact.RedactSecrets"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact_secrets"],
        },
    },
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # redis-py gives this logger an unfiltered handler of its own unless the logger already exists.
        "push_response": {"level": "INFO"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
