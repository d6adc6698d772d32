"""Dry-run plans nobody applied expire after SYNC_PLAN_EXPIRES_AFTER_H (issue 14, item 5)."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from rentalbridge.celery import app
from sync.apply import PlanNotApplicable, apply_plan
from sync.expiry import expire_unapplied_plans
from sync.models import RunStatus, SyncRun

pytestmark = pytest.mark.django_db


def run_created(hours_ago: float, status: str, message: str = "") -> SyncRun:
    run = SyncRun.objects.create(trigger="test", status=status, message=message)
    SyncRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))
    return run


def test_plans_older_than_the_setting_expire_and_say_why(settings):
    settings.SYNC_PLAN_EXPIRES_AFTER_H = 24
    old_plan = run_created(25, RunStatus.PLANNED)
    old_awaiting = run_created(30, RunStatus.AWAITING_APPROVAL, message="kept note")
    fresh_plan = run_created(23, RunStatus.PLANNED)
    old_queued = run_created(48, RunStatus.QUEUED)
    old_done = run_created(48, RunStatus.SUCCEEDED)

    assert expire_unapplied_plans() == 2

    statuses = dict(SyncRun.objects.values_list("pk", "status"))
    assert statuses[old_plan.pk] == RunStatus.EXPIRED
    assert statuses[old_awaiting.pk] == RunStatus.EXPIRED
    assert statuses[fresh_plan.pk] == RunStatus.PLANNED
    assert statuses[old_queued.pk] == RunStatus.QUEUED
    assert statuses[old_done.pk] == RunStatus.SUCCEEDED
    old_plan.refresh_from_db()
    assert old_plan.message.startswith("Expired: planned 1 d 1 h ago and never applied")
    assert "plans expire after 24 h" in old_plan.message
    old_awaiting.refresh_from_db()
    assert old_awaiting.message.endswith("\nkept note")
    assert expire_unapplied_plans() == 0


def test_the_expiry_age_is_a_setting(settings):
    settings.SYNC_PLAN_EXPIRES_AFTER_H = 2
    plan = run_created(3, RunStatus.PLANNED)
    assert expire_unapplied_plans() == 1
    plan.refresh_from_db()
    assert plan.status == RunStatus.EXPIRED


def test_an_expired_plan_is_refused_when_applied(admin_client_for, operator_user):
    plan = run_created(1, RunStatus.EXPIRED)
    with pytest.raises(PlanNotApplicable, match="expired"):
        apply_plan(plan)
    page = admin_client_for(operator_user).post(
        reverse("admin:sync_syncrun_apply", args=[plan.pk]), follow=True
    )
    assert "expired (never applied), not a plan to apply" in page.content.decode()
    assert b'id="apply-plan"' not in page.content
    plan.refresh_from_db()
    assert plan.status == RunStatus.EXPIRED


def test_expiry_runs_hourly_from_celery_beat():
    entry = next(e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if "expire_unapplied" in e["task"])
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == {15}
    assert len(entry["schedule"].hour) == 24
