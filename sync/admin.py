import json
from datetime import timedelta
from typing import cast

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from assets.models import Asset, Depot
from customers.models import Customer
from rentalbridge.customfields.models import CustomFieldDefinition
from sync import drift as drift_service
from sync import durations, readable_diff, records, workers
from sync.admin_decisions import (
    LedgerDecisions,
    RecordDecisions,
    RunDecisions,
    ignore_operations,
    ignore_records,
    retry_operations,
    retry_records,
)
from sync.admin_export import attempts_csv
from sync.admin_filters import CreatedBetweenFilter, RunNumberFilter
from sync.admin_readonly import ReadOnlyAdmin
from sync.admin_status import add_derived_sync_status, add_sync_status
from sync.admin_telematics import add_telematics_refresh
from sync.apply import PlanNotApplicable, apply_plan, progress
from sync.models import (
    AempRequestLog,
    DriftResolution,
    OperationStatus,
    RemoteAsset,
    RunStatus,
    SyncAttempt,
    SyncDrift,
    SyncJob,
    SyncOperation,
    SyncRun,
    SyncState,
)
from sync.service import match_assets, start_job
from sync.timestamps import precise
from sync.trackunit.errors import TrackunitError

OPERATIONS_PER_PAGE = 100
# The progress poll reports the status of at most this many operations (the rows of one page).
LIVE_ROWS_MAX = OPERATIONS_PER_PAGE


def can_run(request: HttpRequest) -> bool:
    return request.user.has_perm("sync.run_syncrun")


def pretty_json(value) -> str:
    return format_html(
        "<pre style='white-space:pre-wrap;margin:0'>{}</pre>",
        json.dumps(value, indent=2, ensure_ascii=False, default=str),
    )


def diff_table(fields: dict) -> str:
    """{field: [before, after]} as one row per changed leaf, e.g. `contractItems[RI-7].rentalRate`."""
    found = readable_diff.field_changes(fields or {})
    if not found:
        return "—"
    rows = format_html_join(
        "",
        "<tr><td><code>{}</code></td><td>{}</td><td>→</td><td>{}</td></tr>",
        (
            (change.path, readable_diff.render(change.before), readable_diff.render(change.after))
            for change in found
        ),
    )
    return format_html("<table class='sync-diff'>{}</table>", rows)


@admin.register(SyncRun)
class SyncRunAdmin(RunDecisions, ReadOnlyAdmin):
    list_display = [
        "__str__",
        "status",
        "trigger",
        "triggered_by",
        "started",
        "summary_text",
        "took",
    ]
    list_filter = ["status", "trigger"]
    date_hierarchy = "created_at"
    change_form_template = "admin/sync/syncrun/change_form.html"
    change_list_template = "admin/sync/syncrun/change_list.html"
    actions = ["apply_selected"]
    fields = [
        "status",
        "trigger",
        "triggered_by",
        "trigger_detail",
        "approval_reason",
        "applied_by",
        "applied_at",
        "created_at",
        "finished_at",
        "summary_text",
        "message",
        "scope",
    ]
    readonly_fields = cast(list[str], fields)  # every entry is a plain field name

    @admin.display(description="plan")
    def summary_text(self, run: SyncRun) -> str:
        s = run.summary or {}
        counts = [f"{s.get(action, 0)} {action}" for action in ("create", "update", "delete", "unchanged")]
        if s.get("skipped"):
            counts.append(f"{s['skipped']} not to be sent (an asset another account owns)")
        if s.get("set_aside"):
            counts.append(f"{s['set_aside']} set aside (needs attention or waiting for Trackunit)")
        return " · ".join(counts)

    @admin.display(description="created", ordering="created_at")
    def started(self, run: SyncRun) -> str:
        return format_html(
            '<span title="{}">{}</span>', precise(run.created_at), durations.ago(run.created_at)
        )

    @admin.display(description="push took")
    def took(self, run: SyncRun) -> str:
        return durations.humanize(run_push_duration(run))

    def get_urls(self):
        own = [
            path("plan/", self.admin_site.admin_view(self.plan_view), name="sync_syncrun_plan"),
            path("sync-now/", self.admin_site.admin_view(self.sync_now_view), name="sync_syncrun_sync_now"),
            path("drift/", self.admin_site.admin_view(self.drift_view), name="sync_syncrun_drift"),
            path(
                "<int:run_id>/apply/", self.admin_site.admin_view(self.apply_view), name="sync_syncrun_apply"
            ),
            path(
                "<int:run_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="sync_syncrun_progress",
            ),
            path("jobs/<int:job_id>/", self.admin_site.admin_view(self.job_view), name="sync_syncrun_job"),
            path(
                "jobs/<int:job_id>/status/",
                self.admin_site.admin_view(self.job_status_view),
                name="sync_syncrun_job_status",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "can_run_sync": can_run(request)})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, unquote(object_id))
        if run is None:  # a malformed or unknown id: the admin's own "doesn't exist" message
            return super().change_view(request, object_id, form_url, extra_context)
        page = Paginator(run.operations.order_by("phase", "id"), OPERATIONS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context = {
            "can_run_sync": can_run(request),
            "run": run,
            "progress": progress(run),
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "operations": [(op, diff_table(op.changes)) for op in page],
            "push_took": run_push_duration(run),
            "worker_warning": _push_worker_warning(run),
            "operations_url": reverse("admin:sync_syncoperation_changelist") + f"?run__id__exact={run.pk}",
            "attempts_url": reverse("admin:sync_syncattempt_changelist") + f"?run__id__exact={run.pk}",
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    def _refuse(self, request):
        self.message_user(request, "Only sync operators may plan or apply syncs.", messages.ERROR)
        return HttpResponseRedirect(reverse("admin:sync_syncrun_changelist"))

    def plan_view(self, request):
        return self._start(request, SyncJob.Action.PLAN)

    def sync_now_view(self, request):
        return self._start(request, SyncJob.Action.SYNC_NOW)

    def drift_view(self, request):
        return self._start(request, SyncJob.Action.DRIFT)

    def _start(self, request, action: str):
        """Work that grows with the fleet goes to a worker; the request only queues it."""
        if request.method != "POST" or not can_run(request):
            return self._refuse(request)
        job = start_job(action, user=request.user)
        return HttpResponseRedirect(reverse("admin:sync_syncrun_job", args=[job.pk]))

    def job_view(self, request, job_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(SyncJob.objects.select_related("run", "created_by"), pk=job_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(job),
            "job": job,
            "next_url": _job_result_url(job),
            "status_url": reverse("admin:sync_syncrun_job_status", args=[job.pk]),
            "summary": self.summary_text(job.run) if job.run else "",
            "worker_warning": _job_worker_warning(job),
        }
        return TemplateResponse(request, "admin/sync/syncjob/progress.html", context)

    def job_status_view(self, request, job_id: int):
        """What the progress bar polls: small, and enough to know when to move on."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(SyncJob, pk=job_id)
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "stage": job.stage,
                "percent": job.percent,
                "finished": job.is_finished,
                "next_url": _job_result_url(job),
                "worker_warning": _job_worker_warning(job),
            }
        )

    def apply_view(self, request, run_id: int):
        if request.method != "POST" or not can_run(request):
            return self._refuse(request)
        run = get_object_or_404(SyncRun, pk=run_id)
        try:
            apply_plan(run, user=request.user)
            self.message_user(request, f"{run} is being pushed.")
        except PlanNotApplicable as error:
            self.message_user(request, str(error), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:sync_syncrun_change", args=[run.pk]))

    def progress_view(self, request, run_id: int):
        """What the run page polls: counts, whether a worker takes the push, and the status of the
        operations listed on the page (`?ops=1,2,3`, read in one query)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(SyncRun, pk=run_id)
        ids = [int(part) for part in request.GET.get("ops", "").split(",") if part.isdigit()][:LIVE_ROWS_MAX]
        labels = dict(OperationStatus.choices)
        rows = run.operations.filter(pk__in=ids).values_list("pk", "status", "error_message")
        return JsonResponse(
            {
                "status": run.status,
                "status_display": run.get_status_display(),
                **progress(run),
                "worker_warning": _push_worker_warning(run),
                "operations": {
                    pk: {"status": status, "status_label": labels.get(status, status), "error": error}
                    for pk, status, error in rows
                },
            }
        )

    def has_run_permission(self, request: HttpRequest) -> bool:
        return can_run(request)

    @admin.action(description="Apply this plan", permissions=["run"])
    def apply_selected(self, request, queryset):
        if not can_run(request):
            self._refuse(request)
            return
        for run in queryset.filter(status=RunStatus.PLANNED):
            try:
                apply_plan(run, user=request.user)
                self.message_user(request, f"{run} is being pushed.")
            except PlanNotApplicable as error:
                self.message_user(request, str(error), messages.ERROR)


def run_push_duration(run: SyncRun) -> timedelta | None:
    """How long the push took (so far, while it runs); None for a plan never pushed."""
    if run.started_at is None:
        return None
    return (run.finished_at or timezone.now()) - run.started_at


def _push_worker_warning(run: SyncRun) -> str:
    """Said while a run waits in the queue: the pushes go to their own queue, which a worker may not read."""
    if run.status != RunStatus.QUEUED:
        return ""
    return workers.no_consumer_warning(workers.queue_of(workers.PUSH_TASK))


def _job_worker_warning(job: SyncJob) -> str:
    if job.status != SyncJob.Status.QUEUED:
        return ""
    return workers.no_consumer_warning(workers.queue_of(workers.JOB_TASK))


def _job_result_url(job: SyncJob) -> str:
    """Where a finished job's outcome is shown: the plan (or run) it made, or the open drift."""
    if job.status != SyncJob.Status.DONE:
        return ""
    if job.action == SyncJob.Action.DRIFT:
        return reverse("admin:sync_syncdrift_changelist") + "?resolution__exact=open"
    return reverse("admin:sync_syncrun_change", args=[job.run_id]) if job.run_id else ""


class AttemptInline(admin.TabularInline):
    model = SyncAttempt
    fields = [
        "created_at",
        "method",
        "url",
        "status_code",
        "outcome",
        "error_code",
        "error_message",
        "took",
        "attempt",
    ]
    readonly_fields = cast(list[str], fields)  # every entry is a plain field name
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="duration")
    def took(self, attempt: SyncAttempt) -> str:
        return durations.humanize_ms(attempt.duration_ms)


@admin.register(SyncOperation)
class SyncOperationAdmin(RecordDecisions, ReadOnlyAdmin):
    list_display = ["run", "phase", "kind", "key", "action", "status", "error_message"]
    actions = [retry_operations, ignore_operations]
    list_filter = ["status", "kind", "action"]
    list_select_related = ["run"]
    search_fields = ["key", "error_message"]
    show_full_result_count = False
    fields = [
        "run",
        "phase",
        "kind",
        "key",
        "action",
        "status",
        "diff",
        "depends_on",
        "error_code",
        "error_message",
        "remote_id",
        "finished_at",
        "payload_pretty",
    ]
    readonly_fields = cast(list[str], fields)  # every entry is a plain field name
    inlines = [AttemptInline]

    @admin.display(description="changes (before → after)")
    def diff(self, op: SyncOperation) -> str:
        return diff_table(op.changes)

    @admin.display(description="payload sent")
    def payload_pretty(self, op: SyncOperation) -> str:
        return pretty_json(op.payload)


@admin.register(SyncAttempt)
class SyncAttemptAdmin(ReadOnlyAdmin):
    """Every HTTP exchange with Trackunit, as an auditor searches, reads and exports it."""

    list_display = [
        "created",
        "run_link",
        "kind",
        "record",
        "method",
        "url",
        "status_code",
        "outcome",
        "error_code",
        "took",
        "attempt",
        "triggered_by",
    ]
    list_filter = [
        CreatedBetweenFilter,
        "outcome",
        "kind",
        "method",
        "status_code",
        "error_code",
        "triggered_by",
        RunNumberFilter,
    ]
    list_select_related = ["run"]
    search_fields = ["key", "url", "error_code"]
    search_help_text = (
        "Key, URL, error code, or an asset's PIN, serial number or external reference (or part)."
    )
    date_hierarchy = "created_at"
    show_full_result_count = False
    change_list_template = "admin/sync/syncattempt/change_list.html"
    change_form_template = "admin/sync/syncattempt/change_form.html"
    fields = [
        "created",
        "run",
        "operation",
        "kind",
        "record",
        "action",
        "method",
        "url",
        "status_code",
        "outcome",
        "error_code",
        "error_message",
        "took",
        "attempt",
        "triggered_by",
    ]
    readonly_fields = cast(list[str], fields)  # every entry is a plain field name

    @admin.display(description="time", ordering="created_at")
    def created(self, attempt: SyncAttempt) -> str:
        return precise(attempt.created_at)

    @admin.display(description="duration", ordering="duration_ms")
    def took(self, attempt: SyncAttempt) -> str:
        return durations.humanize_ms(attempt.duration_ms)

    @admin.display(description="run", ordering="run")
    def run_link(self, attempt: SyncAttempt) -> str:
        if attempt.run_id is None:
            return "—"
        url = reverse("admin:sync_syncrun_change", args=[attempt.run_id])
        return format_html('<a href="{}">{}</a>', url, attempt.run)

    @admin.display(description="key", ordering="key")
    def record(self, attempt: SyncAttempt) -> str:
        if not attempt.key:
            return "—"
        # The changelist resolved its page at once; the detail page resolves its one record.
        url = attempt.record_url if hasattr(attempt, "record_url") else records.record_url(*_record(attempt))
        return format_html('<a href="{}">{}</a>', url, attempt.key) if url else attempt.key

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        of_assets = records.asset_record_filter(search_term)
        if of_assets is not None:
            results = results | queryset.filter(of_assets)
        return results, may_have_duplicates

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # One query per model for the page's record links, instead of one per row.
        page = list(changelist.result_list)
        urls = records.record_urls(_record(attempt) for attempt in page)
        for attempt in page:
            attempt.record_url = urls.get(_record(attempt))
        return changelist

    def get_urls(self):
        export = path(
            "export.csv", self.admin_site.admin_view(self.export_view), name="sync_syncattempt_export"
        )
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest):
        """The list exactly as filtered and searched on the changelist, as CSV (auditors may export)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:sync_syncattempt_changelist") + "?e=1")
        return attempts_csv(changelist.queryset)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        attempt = self.get_object(request, unquote(object_id))
        context = {}
        if attempt is not None:
            context = {
                "operation_diff": diff_table(attempt.operation.changes) if attempt.operation else None,
                "request_pretty": _pretty_text(attempt.request_body),
                "response_pretty": _pretty_text(attempt.response_body),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})


def _record(attempt: SyncAttempt) -> records.Record:
    return attempt.kind, attempt.key


def _pretty_text(text: str) -> str:
    """A body as indented JSON with its text readable (no \\u escapes); non-JSON bodies as they came."""
    try:
        return pretty_json(json.loads(text))
    except ValueError:
        return format_html("<pre style='white-space:pre-wrap;margin:0'>{}</pre>", text or "—")


@admin.register(SyncState)
class SyncStateAdmin(LedgerDecisions, ReadOnlyAdmin):
    list_display = ["kind", "key", "status", "failures", "remote_id", "synced_at", "last_error"]
    actions = [retry_records, ignore_records]
    list_filter = ["status", "kind"]
    search_fields = ["key", "remote_id"]
    show_full_result_count = False


@admin.register(SyncDrift)
class SyncDriftAdmin(ReadOnlyAdmin):
    list_display = ["kind", "key", "sides", "detected_at", "resolution", "resolved_by"]
    list_filter = ["resolution", "kind"]
    search_fields = ["key"]
    actions = ["overwrite_remote", "adopt_remote"]
    fields = ["kind", "key", "sides", "detected_at", "resolution", "resolved_by", "resolved_at"]
    readonly_fields = cast(list[str], fields)  # every entry is a plain field name

    @admin.display(description="RentalBridge pushed → Trackunit has now")
    def sides(self, drift: SyncDrift) -> str:
        return diff_table({name: (s["pushed"], s["remote"]) for name, s in drift.fields.items()})

    def _resolve(self, request, queryset, resolution: str) -> None:
        if not can_run(request):
            self.message_user(request, "Only sync operators may resolve drift.", messages.ERROR)
            return
        done = 0
        for drift in queryset.filter(resolution=DriftResolution.OPEN):
            try:
                drift_service.resolve(drift, resolution, user=request.user)
                done += 1
            except Exception as error:
                self.message_user(request, f"{drift.kind} {drift.key}: {error}", messages.ERROR)
        self.message_user(request, f"{done} record(s) resolved.")

    def has_run_permission(self, request: HttpRequest) -> bool:
        return can_run(request)

    @admin.action(description="Overwrite Trackunit with the local values", permissions=["run"])
    def overwrite_remote(self, request, queryset):
        self._resolve(request, queryset, DriftResolution.OVERWRITE_REMOTE)

    @admin.action(description="Adopt Trackunit's values locally", permissions=["run"])
    def adopt_remote(self, request, queryset):
        self._resolve(request, queryset, DriftResolution.ADOPT_REMOTE)


@admin.register(RemoteAsset)
class RemoteAssetAdmin(ReadOnlyAdmin):
    """Trackunit's asset list as last matched: what RentalBridge writes to, and what it leaves alone."""

    list_display = [
        "name",
        "serial_number",
        "status",
        "reason",
        "local_asset",
        "asset_type",
        "owner_account_id",
    ]
    list_filter = ["status", "asset_type"]
    search_fields = ["name", "serial_number", "external_reference", "trackunit_id"]
    list_select_related = ["asset"]
    show_full_result_count = False
    fields = [
        "trackunit_id",
        "name",
        "serial_number",
        "external_reference",
        "asset_type",
        "type",
        "owner_account_id",
        "editable",
        "status",
        "reason",
        "local_asset",
        "seen_at",
    ]
    readonly_fields = cast(list[str], fields)  # every entry is a plain field name
    change_list_template = "admin/sync/remoteasset/change_list.html"

    @admin.display(description="local asset")
    def local_asset(self, remote: RemoteAsset) -> str:
        if remote.asset is None:
            return "—"
        url = reverse("admin:assets_asset_change", args=[remote.asset_id])
        return format_html('<a href="{}">{}</a>', url, remote.asset)

    def get_urls(self):
        view = self.admin_site.admin_view(self.match_view)
        return [path("match/", view, name="sync_remoteasset_match"), *super().get_urls()]

    def match_view(self, request: HttpRequest):
        changelist = reverse("admin:sync_remoteasset_changelist")
        if request.method != "POST" or not can_run(request):
            self.message_user(request, "Only sync operators may read Trackunit's asset list.", messages.ERROR)
            return HttpResponseRedirect(changelist)
        try:
            report = match_assets(trigger="admin", user=request.user)
        except TrackunitError as error:
            self.message_user(request, f"Trackunit did not answer: {error}", messages.ERROR)
            return HttpResponseRedirect(changelist)
        self.message_user(request, str(report))
        return HttpResponseRedirect(changelist)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "can_run": can_run(request)})


@admin.register(AempRequestLog)
class AempRequestLogAdmin(ReadOnlyAdmin):
    list_display = ["url", "last_requested_at"]


for synced_model, kind, key_field in [
    (Customer, "customer", "external_reference"),
    (Depot, "depot", "external_reference"),
    (Asset, "asset", "external_reference"),
    (CustomFieldDefinition, "definition", "key"),
]:
    add_sync_status(admin.site, synced_model, kind, key_field)
add_derived_sync_status(admin.site)
add_telematics_refresh(admin.site)
