"""The sync status column and filter on every synced model's changelist.

Domain apps never import sync, so sync adds itself to their registered admins at start-up.
"""

from django.contrib import admin
from django.db.models import Case, CharField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.html import format_html

from sync.models import SyncState, SyncStatus

PENDING_LABEL = {
    SyncStatus.IN_SYNC: "In sync",
    SyncStatus.PENDING: "Pending",
    SyncStatus.FAILED: "Failed",
    SyncStatus.DRIFT: "Drift",
}
COLOURS = {
    SyncStatus.IN_SYNC: "#2e7d32",
    SyncStatus.PENDING: "#9e6a03",
    SyncStatus.FAILED: "#c62828",
    SyncStatus.DRIFT: "#6a1b9a",
}


def annotate_sync_status(queryset: QuerySet, kind: str, key_field: str) -> QuerySet:
    """Adds `sync_status`: the ledger's status, or pending when never pushed or edited since."""
    state = SyncState.objects.filter(kind=kind, key=OuterRef(key_field))
    return queryset.annotate(
        _state_status=Subquery(state.values("status")[:1]),
        _state_version=Subquery(state.values("source_version")[:1]),
    ).annotate(
        sync_status=Case(
            When(_state_status__isnull=True, then=Value(SyncStatus.PENDING)),
            When(
                Q(_state_status=SyncStatus.IN_SYNC) & Q(updated_at__gt=F("_state_version")),
                then=Value(SyncStatus.PENDING),
            ),
            default=F("_state_status"),
            output_field=CharField(),
        )
    )


class SyncStatusFilter(admin.SimpleListFilter):
    title = "sync status"
    parameter_name = "sync_status"

    def lookups(self, request, model_admin):
        return list(PENDING_LABEL.items())

    def queryset(self, request, queryset):
        return queryset.filter(sync_status=self.value()) if self.value() else queryset


class SyncStatusMixin:
    sync_kind: str
    sync_key_field: str

    def get_queryset(self, request):
        return annotate_sync_status(super().get_queryset(request), self.sync_kind, self.sync_key_field)

    @admin.display(description="sync", ordering="sync_status")
    def sync_status(self, obj) -> str:
        status = obj.sync_status
        return format_html(
            '<span style="color:{}">● {}</span>',
            COLOURS.get(status, "inherit"),
            PENDING_LABEL.get(status, status),
        )


def add_sync_status(site: admin.AdminSite, model, kind: str, key_field: str) -> None:
    """Re-register `model` with its admin extended by the status column and filter."""
    base = type(site._registry[model])
    extended = type(
        base.__name__,
        (SyncStatusMixin, base),
        {
            "sync_kind": kind,
            "sync_key_field": key_field,
            "list_display": [*base.list_display, "sync_status"],
            "list_filter": [*base.list_filter, SyncStatusFilter],
            "__module__": base.__module__,
        },
    )
    site.unregister(model)
    site.register(model, extended)
