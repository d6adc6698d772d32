"""What a sync operator decides in the admin: approve or discard a plan that waits, retry what failed, or
ignore a failure. The decisions themselves are services (sync/approval.py, sync/attention.py); this module
only turns buttons and list actions into calls and messages.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from sync import approval, attention
from sync.apply import PlanNotApplicable
from sync.models import SyncJob, SyncOperation, SyncRun, SyncState
from sync.service import start_job


def can_retry(request: HttpRequest) -> bool:
    return request.user.has_perm("sync.retry_syncrun")


def deciding_user(request: HttpRequest) -> User:
    """Who decides: the admin lets only signed-in staff this far, so anyone else is refused outright."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


class RunDecisions(admin.ModelAdmin):
    """Approve / Discard on a plan awaiting approval, Retry failed on a run that finished with failures."""

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        own = [
            path("<int:run_id>/approve/", view(self.approve_view), name="sync_syncrun_approve"),
            path("<int:run_id>/discard/", view(self.discard_view), name="sync_syncrun_discard"),
            path(
                "<int:run_id>/retry-failed/", view(self.retry_failed_view), name="sync_syncrun_retry_failed"
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {**(extra_context or {}), "can_retry": can_retry(request)}
        return super().change_view(request, object_id, form_url, context)

    def _back(self, run_id: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:sync_syncrun_change", args=[run_id]))

    def approve_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        return self._decide_run(request, run_id, "approve", "was approved and is being pushed")

    def discard_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        return self._decide_run(request, run_id, "discard", "was discarded: nothing of it was sent")

    def _decide_run(self, request: HttpRequest, run_id: int, verb: str, done: str) -> HttpResponse:
        run = get_object_or_404(SyncRun, pk=run_id)
        if request.method != "POST" or not request.user.has_perm("sync.run_syncrun"):
            self.message_user(request, f"Only sync operators may {verb} plans.", messages.ERROR)
            return self._back(run.pk)
        decide = approval.approve if verb == "approve" else approval.discard
        try:
            decide(run, deciding_user(request))
            self.message_user(request, f"{run} {done}.", messages.SUCCESS)
        except PlanNotApplicable as error:
            self.message_user(request, str(error), messages.ERROR)
        return self._back(run.pk)

    def retry_failed_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        run = get_object_or_404(SyncRun, pk=run_id)
        if request.method != "POST" or not can_retry(request):
            self.message_user(request, "Only sync operators may retry failed syncs.", messages.ERROR)
            return self._back(run.pk)
        count = attention.retry(attention.failed_in_run(run.pk), deciding_user(request), ask_sync=False)
        job = start_job(SyncJob.Action.RETRY_FAILED, user=deciding_user(request))
        self.message_user(
            request, f"Retrying {count:,} record(s) that {run} could not push.", messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:sync_syncrun_job", args=[job.pk]))


def _decide(
    modeladmin: admin.ModelAdmin, request: HttpRequest, states: QuerySet[SyncState], verb: str
) -> None:
    if verb == "retry":
        count = attention.retry(states, deciding_user(request))
        modeladmin.message_user(
            request,
            f"{count:,} record(s) will be sent again by the next sync, asked for now.",
            messages.SUCCESS,
        )
    else:
        count = attention.ignore(states)
        modeladmin.message_user(
            request,
            f"{count:,} record(s) set aside until they change (only failed records can be ignored).",
            messages.SUCCESS,
        )


@admin.action(description="Retry: send again with the next sync", permissions=["retry"])
def retry_records(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[SyncState]) -> None:
    _decide(modeladmin, request, queryset, "retry")


@admin.action(description="Ignore: leave aside until the record changes", permissions=["retry"])
def ignore_records(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[SyncState]) -> None:
    _decide(modeladmin, request, queryset, "ignore")


@admin.action(description="Retry these operations' records with the next sync", permissions=["retry"])
def retry_operations(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[SyncOperation]
) -> None:
    _decide(modeladmin, request, attention.states_of(queryset), "retry")


@admin.action(description="Ignore these operations' records until they change", permissions=["retry"])
def ignore_operations(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[SyncOperation]
) -> None:
    _decide(modeladmin, request, attention.states_of(queryset), "ignore")


class RecordDecisions(admin.ModelAdmin):
    """Retry / Ignore as list actions on the ledger and on operations (needs the retry permission)."""

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return can_retry(request)


class LedgerDecisions(RecordDecisions):
    """Retry / Ignore buttons for one ledger record, as a record's own page shows them."""

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        own = [
            path("<int:state_id>/retry/", view(self.retry_view), name="sync_syncstate_retry"),
            path("<int:state_id>/ignore/", view(self.ignore_view), name="sync_syncstate_ignore"),
        ]
        return own + super().get_urls()

    def retry_view(self, request: HttpRequest, state_id: int) -> HttpResponse:
        return self._decide_one(request, state_id, "retry")

    def ignore_view(self, request: HttpRequest, state_id: int) -> HttpResponse:
        return self._decide_one(request, state_id, "ignore")

    def _decide_one(self, request: HttpRequest, state_id: int, verb: str) -> HttpResponse:
        get_object_or_404(SyncState, pk=state_id)
        if request.method != "POST" or not can_retry(request):
            self.message_user(request, "Only sync operators may retry or ignore failures.", messages.ERROR)
        else:
            _decide(self, request, SyncState.objects.filter(pk=state_id), verb)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("admin:sync_syncstate_change", args=[state_id])
        return HttpResponseRedirect(back)
