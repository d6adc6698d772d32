"""The sync status column and filter on every synced model's changelist.

Domain apps never import sync, so sync adds itself to their registered admins at start-up: sync/admin.py for
the records keyed by one of their columns, and this module for contacts, contract items and contracts,
whose status comes from a record keyed by an expression or from several records.
"""

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from django.contrib import admin
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Exists,
    Expression,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat, Greatest
from django.utils.html import format_html

from contracts.models import Contract, ContractItem
from customers.models import CustomerContact
from sync.kinds import contacts
from sync.models import SyncState, SyncStatus

# A contract without items sends nothing: its rental data travel with the assets on its items.
NOTHING_TO_SEND = "nothing"
# Keyed by the status text the annotations give (SyncStatus values, or NOTHING_TO_SEND).
PENDING_LABEL: dict[str, str] = {
    SyncStatus.IN_SYNC: "In sync",
    SyncStatus.PENDING: "Pending",
    SyncStatus.FAILED: "Failed",
    SyncStatus.DRIFT: "Drift",
    SyncStatus.NEEDS_ATTENTION: "Needs attention",
    SyncStatus.WAITING: "Waiting for Trackunit",
    SyncStatus.IGNORED: "Ignored until changed",
}
CONTRACT_LABELS: dict[str, str] = {**PENDING_LABEL, NOTHING_TO_SEND: "Nothing to send"}
COLOURS: dict[str, str] = {
    SyncStatus.IN_SYNC: "#2e7d32",
    SyncStatus.PENDING: "#9e6a03",
    SyncStatus.FAILED: "#c62828",
    SyncStatus.DRIFT: "#6a1b9a",
    SyncStatus.NEEDS_ATTENTION: "#c62828",
    SyncStatus.WAITING: "#9e6a03",
    SyncStatus.IGNORED: "#666666",
}
RENTAL_KIND = "asset"  # the rental data of one asset: what carries contracts and their items to Trackunit

Annotate = Callable[[QuerySet], QuerySet]
# The annotation behind each model's column, so a record's own page shows the same status as its list.
STATUS_OF: dict[type[Model], Annotate] = {}


def annotate_sync_status(
    queryset: QuerySet,
    kind: str,
    key: str | Expression,
    changed_field: str | Expression | None = "updated_at",
) -> QuerySet:
    """Adds `sync_status`: the ledger's status, or pending when never pushed or edited since.

    `key` is the column (or expression) holding the ledger key; `changed_field` the row's last-edit time,
    None for rows that keep none (their ledger status then stands as it is).
    """
    if not isinstance(key, str):
        queryset = queryset.annotate(_sync_key=key)
        key = "_sync_key"
    if changed_field is not None and not isinstance(changed_field, str):
        queryset = queryset.annotate(_sync_changed_at=changed_field)
        changed_field = "_sync_changed_at"
    state = SyncState.objects.filter(kind=kind, key=OuterRef(key))
    queryset = queryset.annotate(
        _state_status=Subquery(state.values("status")[:1]),
        _state_version=Subquery(state.values("source_version")[:1]),
    )
    edited_since = (
        [
            When(
                Q(_state_status=SyncStatus.IN_SYNC) & Q(**{f"{changed_field}__gt": F("_state_version")}),
                then=Value(SyncStatus.PENDING),
            )
        ]
        if changed_field
        else []
    )
    return queryset.annotate(
        sync_status=Case(
            When(_state_status__isnull=True, then=Value(SyncStatus.PENDING)),
            *edited_since,
            default=F("_state_status"),
            output_field=CharField(),
        )
    )


def annotate_contract_sync_status(queryset: QuerySet) -> QuerySet:
    """Adds `sync_status` to contracts: the worst status of the rental data of the assets on its items.

    A contract reaches Trackunit inside each of its assets' rental data, so it is in sync when every one of
    them was accepted after the contract and the item last changed.
    """
    items = ContractItem.objects.filter(contract=OuterRef("pk"))
    # Inside Exists(states...) the contract is two queries out.
    assets = ContractItem.objects.filter(contract=OuterRef(OuterRef("pk"))).values(
        "asset__external_reference"
    )
    states = SyncState.objects.filter(kind=RENTAL_KIND, key__in=assets)
    accepted_since_edit = SyncState.objects.filter(
        kind=RENTAL_KIND,
        key=OuterRef("asset__external_reference"),
        status=SyncStatus.IN_SYNC,
        source_version__gte=Greatest(OuterRef("updated_at"), OuterRef(OuterRef("updated_at"))),
    )
    return queryset.annotate(
        sync_status=Case(
            When(~Exists(items), then=Value(NOTHING_TO_SEND)),
            When(
                Exists(states.filter(status__in=(SyncStatus.FAILED, SyncStatus.NEEDS_ATTENTION))),
                then=Value(SyncStatus.FAILED),
            ),
            When(Exists(states.filter(status=SyncStatus.DRIFT)), then=Value(SyncStatus.DRIFT)),
            When(Exists(items.filter(~Exists(accepted_since_edit))), then=Value(SyncStatus.PENDING)),
            default=Value(SyncStatus.IN_SYNC),
            output_field=CharField(),
        )
    )


def status_html(status: str) -> str:
    """The coloured dot and label the columns and a record's page show."""
    return format_html(
        '<span class="sync-status sync-status-{}" style="color:{};white-space:nowrap">● {}</span>',
        status,
        COLOURS.get(status, "inherit"),
        CONTRACT_LABELS.get(status, status),
    )


class SyncStatusFilter(admin.SimpleListFilter):
    title = "sync status"
    parameter_name = "sync_status"

    def lookups(self, request, model_admin):
        return list(getattr(model_admin, "sync_labels", PENDING_LABEL).items())

    def queryset(self, request, queryset):
        return queryset.filter(sync_status=self.value()) if self.value() else queryset


class StatusOnPagePaginator(Paginator):
    """Pages whose status subqueries run for the page's rows only, not for every row the OFFSET skips.

    `SELECT status subqueries ... ORDER BY name LIMIT 100 OFFSET 49900` evaluates the subqueries for all
    50,000 rows up to the page (PostgreSQL projects below the Limit), and its cost estimate then switches
    JIT compilation on: page 500 of 100,000 assets took over a second. The page's ids are picked by a lean
    subquery (filters and ordering only; the status is computed there only when filtered or sorted by), and
    the annotated rows are read for those ids alone.
    """

    def _get_page(self, object_list, number, paginator) -> Page:
        if isinstance(object_list, QuerySet) and isinstance(self.object_list, QuerySet):
            object_list = self.object_list.filter(pk__in=object_list.values("pk"))
        # Django's own hook between page() and Page, private and so absent from django-stubs.
        return super()._get_page(object_list, number, paginator)  # type: ignore[misc]


if TYPE_CHECKING:  # what the mixin is combined with, so its super() calls are checked
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


class SyncStatusMixin(_ModelAdmin):
    sync_annotate: Annotate
    sync_labels: dict[str, str] = PENDING_LABEL
    paginator = StatusOnPagePaginator

    def get_queryset(self, request):
        return self.sync_annotate(super().get_queryset(request))

    @admin.display(description="sync", ordering="sync_status")
    def sync_status(self, obj) -> str:
        return status_html(obj.sync_status)


def add_sync_status_column(
    site: admin.AdminSite, model: type[Model], annotate: Annotate, labels: dict[str, str] = PENDING_LABEL
) -> None:
    """Re-register `model` with its admin extended by the status column and filter.

    The column goes after the one the admin names in `sync_column_after` (so it stays on screen beside the
    columns that matter), or last.
    """
    base = type(site._registry[model])
    columns = list(base.list_display)
    after = getattr(base, "sync_column_after", None)
    position = columns.index(after) + 1 if after in columns else len(columns)
    extended = type(
        base.__name__,
        (SyncStatusMixin, base),
        {
            "sync_annotate": staticmethod(annotate),
            "sync_labels": labels,
            "list_display": [*columns[:position], "sync_status", *columns[position:]],
            "list_filter": [*base.list_filter, SyncStatusFilter],
            "__module__": base.__module__,
        },
    )
    site.unregister(model)
    site.register(model, extended)
    STATUS_OF[model] = annotate


def add_sync_status(site: admin.AdminSite, model: type[Model], kind: str, key_field: str) -> None:
    """The column for a model pushed as one record keyed by one of its columns."""
    add_sync_status_column(site, model, partial(annotate_sync_status, kind=kind, key=key_field))


def add_derived_sync_status(site: admin.AdminSite) -> None:
    """The column for records whose status is another's (items, contracts) or keyed by an expression."""
    contact_key = Concat(
        "customer__external_reference", Value(contacts.SEPARATOR), "name", output_field=CharField()
    )
    add_sync_status_column(
        site,
        CustomerContact,
        partial(annotate_sync_status, kind=contacts.ContactKind.name, key=contact_key, changed_field=None),
    )
    # An item reaches Trackunit in its asset's rental data, which also changes when its contract does.
    add_sync_status_column(
        site,
        ContractItem,
        partial(
            annotate_sync_status,
            kind=RENTAL_KIND,
            key="asset__external_reference",
            changed_field=Greatest("updated_at", "contract__updated_at"),
        ),
    )
    add_sync_status_column(site, Contract, annotate_contract_sync_status, CONTRACT_LABELS)
