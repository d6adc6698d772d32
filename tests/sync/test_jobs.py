"""Plan sync, Detect drift and Sync now from the admin: the request queues a job, a worker does it.

Here the worker is this process (`run_job`, what the Celery task calls); tests/e2e/test_sync_jobs_browser.py
runs the same through a real Celery worker in Chromium.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sync import leases, service, tasks, watchdog
from sync.models import RunStatus, SyncJob, SyncRun
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """What the admin hands to Celery, recorded instead of sent."""
    calls = []
    monkeypatch.setattr(tasks.run_sync_job, "apply_async", lambda **options: calls.append(options))
    return calls


def test_plan_sync_queues_a_job_and_shows_its_page_without_planning_in_the_request(
    admin_client_for, operator_user, queued, django_capture_on_commit_callbacks
):
    factories.customer(external_reference="CUS-9", name="Kystbyg ApS")
    client = admin_client_for(operator_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:sync_syncrun_plan"))
    job = SyncJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sync_syncrun_job", args=[job.pk])
    assert (job.action, job.status, job.created_by) == ("plan", "queued", operator_user)
    assert queued == [{"args": (job.pk,)}]
    assert not SyncRun.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert 'id="sync-job-progress"' in page
    assert "waiting for a worker" in page


def test_the_worker_plans_and_the_page_then_offers_the_plan_for_review(
    admin_client_for, operator_user, queued, django_capture_on_commit_callbacks
):
    factories.customer(external_reference="CUS-9", name="Kystbyg ApS")
    client = admin_client_for(operator_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:sync_syncrun_plan"))
    job = service.run_job(SyncJob.objects.get().pk)
    run = SyncRun.objects.get()
    assert (job.status, job.run, job.finished_at is not None) == ("done", run, True)
    assert (run.status, run.trigger, run.triggered_by) == (RunStatus.PLANNED, "admin", operator_user)
    status = client.get(reverse("admin:sync_syncrun_job_status", args=[job.pk])).json()
    run_url = reverse("admin:sync_syncrun_change", args=[run.pk])
    assert (status["finished"], status["percent"], status["next_url"]) == (True, 100, run_url)
    page = client.get(reverse("admin:sync_syncrun_job", args=[job.pk])).content.decode()
    assert "1 create · 0 update · 0 delete · 0 unchanged" in page
    assert f'href="{run_url}"' in page
    review = client.get(run_url).content.decode()
    assert "<td>Kystbyg ApS</td>" in review
    assert 'id="apply-plan"' in review


def test_a_redelivered_job_does_not_plan_twice(operator_user):
    factories.customer()
    job = SyncJob.objects.create(action=SyncJob.Action.PLAN, created_by=operator_user)
    service.run_job(job.pk)
    service.run_job(job.pk)
    assert SyncRun.objects.count() == 1


def test_a_plan_job_reports_its_progress_while_it_works(operator_user, monkeypatch):
    factories.customer()
    job = SyncJob.objects.create(action=SyncJob.Action.PLAN, created_by=operator_user)
    seen = []
    real_plan = service.make_plan

    def plan_and_look(**kwargs):
        report = kwargs["on_progress"]

        def look(stage, done, total):
            report(stage, done, total)
            row = SyncJob.objects.get(pk=job.pk)
            seen.append((row.status, row.stage, row.progress_done, row.progress_total))

        return real_plan(**{**kwargs, "on_progress": look})

    monkeypatch.setattr(service, "make_plan", plan_and_look)
    service.run_job(job.pk)
    assert seen[0] == ("running", "custom-field definition", 0, 8)
    assert ("running", "customer", 2, 8) in seen
    assert seen[-1] == ("running", "planned", 8, 8)


def test_a_failed_job_says_why(operator_user, monkeypatch):
    job = SyncJob.objects.create(action=SyncJob.Action.PLAN, created_by=operator_user)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "make_plan", broken)
    service.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "disk full" in job.message


def test_a_running_job_keeps_its_lease_while_its_worker_lives(operator_user, monkeypatch, settings):
    settings.SYNC_LEASE_S = 30
    factories.customer()
    job = SyncJob.objects.create(action=SyncJob.Action.PLAN, created_by=operator_user)
    leases_seen = []
    real_plan = service.make_plan

    def plan_while_the_watchdog_beats(**kwargs):
        SyncJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() + timedelta(seconds=1))
        leases.renew_held()
        leases_seen.append(SyncJob.objects.get(pk=job.pk).lease_until - timezone.now())
        return real_plan(**kwargs)

    monkeypatch.setattr(service, "make_plan", plan_while_the_watchdog_beats)
    service.run_job(job.pk)
    [lease_left] = leases_seen
    assert timedelta(seconds=25) < lease_left <= timedelta(seconds=30)
    # Once done, the job is no longer this process's to renew.
    job.refresh_from_db()
    assert job.status == "done"
    before = job.lease_until
    leases.renew_held()
    job.refresh_from_db()
    assert job.lease_until == before


def test_a_job_whose_worker_died_is_closed_as_failed_once_its_lease_ran_out(
    transactional_db, roles, operator_user, admin_client_for
):
    """Any live worker's watchdog round does it (outside a test transaction: the round closes old
    connections, as a worker's must)."""
    now = timezone.now()
    lost = SyncJob.objects.create(
        action=SyncJob.Action.PLAN, status="running", lease_until=now - timedelta(seconds=1)
    )
    alive = SyncJob.objects.create(
        action=SyncJob.Action.DRIFT, status="running", lease_until=now + timedelta(seconds=20)
    )
    waiting = SyncJob.objects.create(action=SyncJob.Action.SYNC_NOW)
    watchdog.beat()
    lost.refresh_from_db()
    assert (lost.status, lost.finished_at is not None) == ("failed", True)
    assert lost.message == (
        "The worker doing this job stopped before it finished (killed or restarted): start it again."
    )
    assert SyncJob.objects.get(pk=alive.pk).status == "running"
    assert SyncJob.objects.get(pk=waiting.pk).status == "queued"
    page = admin_client_for(operator_user).get(reverse("admin:sync_syncrun_job", args=[lost.pk]))
    assert "stopped before it finished" in page.content.decode()


def test_detect_drift_reads_trackunit_in_the_worker(trackunit_settings, operator_user, admin_client_for):
    job = SyncJob.objects.create(action=SyncJob.Action.DRIFT, created_by=operator_user)
    job = service.run_job(job.pk)
    assert (job.status, job.drift_found) == ("done", 0)
    page = admin_client_for(operator_user).get(reverse("admin:sync_syncrun_job", args=[job.pk])).content
    assert "0 record(s) differ in Trackunit" in page.decode()


def test_sync_now_plans_and_hands_the_plan_to_the_pushers(
    push, operator_user, django_capture_on_commit_callbacks
):
    factories.customer(external_reference="CUS-1", name="Nordbyg A/S")
    job = SyncJob.objects.create(action=SyncJob.Action.SYNC_NOW, created_by=operator_user)
    with django_capture_on_commit_callbacks(execute=True):
        job = service.run_job(job.pk)
    job.run.refresh_from_db()
    assert job.status == "done"
    assert job.run.status == RunStatus.SUCCEEDED
    assert job.run.applied_by == operator_user
