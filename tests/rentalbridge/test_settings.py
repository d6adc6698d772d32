import sqlite3

import pytest
import redis
from django.conf import settings

from rentalbridge import settings as settings_module
from rentalbridge.celery import app as celery_app


def test_sqlite_is_the_default_with_wal_and_a_busy_timeout(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = settings_module._database()
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 5

    # The init command really switches a database to WAL.
    connection = sqlite3.connect(tmp_path / "probe.sqlite3")
    connection.executescript(config["OPTIONS"]["init_command"])
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_database_url_switches_to_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:pw@db.internal:5433/rentals")
    config = settings_module._database()
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "db.internal",
        5433,
        "rentals",
    )
    assert "init_command" not in config.get("OPTIONS", {})


def test_celery_uses_redis_from_the_environment():
    assert celery_app.conf.broker_url == settings.REDIS_URL
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.worker_prefetch_multiplier == 1
    assert redis.Redis.from_url(settings.REDIS_URL).ping() is True


@pytest.mark.django_db
def test_the_suite_runs_on_postgresql():
    from django.db import connection

    assert connection.vendor == "postgresql"
