"""Retention of audit bodies: old request and response bodies are blanked, their rows and digests kept.

The rows stay, so every exchange remains on record, and the hash chain covers the bodies' digests rather
than the bodies, so the trail still verifies. This is the one UPDATE the database allows on an audit row
(sync/migrations/0008): blank both bodies and set bodies_pruned_at, nothing else. The ORM's update stays
refused for attempts, so this is raw SQL in one clearly named place.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone


def blank_bodies_older_than(days: int) -> int:
    """Blank the bodies of attempts created more than `days` days ago; returns how many rows changed."""
    if days < 1:
        raise ValueError(f"retention must be at least 1 day, got {days}")
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sync_syncattempt SET request_body = '', response_body = '', bodies_pruned_at = %s "
            "WHERE bodies_pruned_at IS NULL AND created_at < %s",
            [now, now - timedelta(days=days)],
        )
        return cursor.rowcount
