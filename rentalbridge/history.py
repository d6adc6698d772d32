"""Field-level history of the ERP records (django-simple-history): who changed a record, when, through
what, and each field's value after the change (old -> new is the difference to the row before).

"Through what" is the history row's change reason, and the database refuses a row without one. It comes
from the innermost `recorded_as(...)` block (an import job, a drift adoption), else from what is running:
the admin request ("admin form"), a Celery task ("task <name>") or a management command
("command <name>"), else "code".

Bookkeeping columns are no history: timestamps, the Trackunit ids the sync writes back with UPDATEs, and the
asset's telematics columns that the daily pull writes with raw UPDATEs (no signal, so no history row: 10,000
assets would otherwise add 10,000 rows a day). A save that touches only such columns writes no row either,
nor does a save that changes no tracked field (a form saved as it was).

Bulk writers (the CSV import) call `record_bulk` after each batch: one INSERT ... SELECT copies the written
rows into the history table inside the caller's transaction, so no row goes through Python twice.
"""

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

CREATED, CHANGED, DELETED = "+", "~", "-"
_ROWS_PER_STATEMENT = 2000


@dataclass(frozen=True)
class Source:
    reason: str
    user: Any = None


_source: ContextVar[Source | None] = ContextVar("history_source", default=None)


@contextmanager
def recorded_as(reason: str, user: Any = None) -> Iterator[None]:
    """History rows written inside this block say `reason` (and `user`, when given) made the change."""
    token = _source.set(Source(reason, user if getattr(user, "pk", None) else None))
    try:
        yield
    finally:
        _source.reset(token)


def current_source() -> Source:
    """What is changing records right now, as the history row will name it."""
    explicit = _source.get()
    if explicit is not None:
        return explicit
    request = getattr(HistoricalRecords.context, "request", None)
    if request is not None:
        user = getattr(request, "user", None)
        return Source(_request_reason(request), user if getattr(user, "is_authenticated", False) else None)
    task = _celery_task_name()
    if task:
        return Source(f"task {task}")
    command = _command_name()
    return Source(f"command {command}" if command else "code")


def _request_reason(request) -> str:
    url_name = getattr(getattr(request, "resolver_match", None), "url_name", "") or ""
    if url_name.endswith(("_change", "_add")):
        return "admin form"
    if url_name.endswith("_delete"):
        return "admin delete"
    if url_name.endswith("_changelist"):
        return "admin list action"
    return f"admin ({url_name or request.path})"


def _celery_task_name() -> str:
    from celery import current_task

    return current_task.name if current_task and current_task.request.id else ""


def _command_name() -> str:
    """The management command this process runs (`manage.py seed_demo` -> seed_demo), or ''."""
    if len(sys.argv) > 1 and Path(sys.argv[0]).name in ("manage.py", "django-admin"):
        return sys.argv[1]
    return ""


class RecordHistory(HistoricalRecords):
    """HistoricalRecords as RentalBridge keeps them: a reason on every row, a deleted user's id kept
    (deleting a user never rewrites an append-only history row), the model's bookkeeping columns left out."""

    def __init__(self, *, bookkeeping: Iterable[str], indexed: Iterable[str] = ("id",)) -> None:
        # Only the columns history is looked up by keep an index: the record's id (its history page) and
        # `indexed`; each index more would cost every bulk import its upkeep.
        self.indexed = set(indexed)
        super().__init__(
            excluded_fields=list(bookkeeping),
            history_change_reason_field=models.TextField(),
            # Imports add a row per record they write: a 32-bit id would run out within the app's life.
            history_id_field=models.BigAutoField(primary_key=True),
        )

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            field.db_index = name in self.indexed
        return fields

    def _get_history_user_fields(self):
        # simple-history's own field is SET_NULL, an UPDATE the append-only guard refuses; DO_NOTHING
        # without a database constraint keeps the id of a deleted user.
        return {
            "history_user": models.ForeignKey(
                settings.AUTH_USER_MODEL,
                null=True,
                related_name="+",
                on_delete=models.DO_NOTHING,
                db_constraint=False,
                db_index=False,
            )
        }

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        name = model._meta.model_name
        options["constraints"] = [
            models.CheckConstraint(
                condition=~Q(history_change_reason=""), name=f"history_{name}_says_through_what"
            ),
            models.CheckConstraint(
                condition=Q(history_type__in=[CREATED, CHANGED, DELETED]), name=f"history_{name}_type_valid"
            ),
        ]
        return options

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields and set(update_fields) <= set(self.excluded_fields):
            return  # only bookkeeping changed
        super().post_save(instance, created, using=using, **kwargs)

    def create_historical_record(self, instance, history_type, using=None):
        if history_type == CHANGED and not self._changed_since_last_row(instance):
            return
        super().create_historical_record(instance, history_type, using=using)

    def _changed_since_last_row(self, instance) -> bool:
        history = getattr(instance, self.manager_name)
        last = history.order_by("-history_date", "-history_id").first()
        fields = self.fields_included(instance)
        return last is None or any(getattr(last, f.attname) != getattr(instance, f.attname) for f in fields)

    def get_change_reason_for_object(self, instance, history_type, using):
        return super().get_change_reason_for_object(instance, history_type, using) or current_source().reason

    def get_history_user(self, instance):
        if hasattr(instance, "_history_user"):
            return instance._history_user
        return current_source().user or super().get_history_user(instance)


def history_model(model: type[models.Model]) -> Any:
    """The model's historical model (simple-history adds the manager under this attribute)."""
    return getattr(model, model._meta.simple_history_manager_attribute).model  # type: ignore[attr-defined]


def record_bulk(
    model: type[models.Model], pks: list[int], history_type: str, *, reason: str, user: Any = None
) -> None:
    """History rows for records a bulk path just wrote, copied from the table by the database itself.

    Run it inside the write's transaction, after the write: the rows then hold exactly what was stored.
    """
    if not pks:
        return
    historical = history_model(model)
    quote = connection.ops.quote_name
    # A historical column has the name of the column it copies.
    tracked = [field.column for field in historical.tracked_fields]
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    date = connection.ops.adapt_datetimefield_value(timezone.now())
    values = [date, reason, history_type, getattr(user, "pk", None)]
    head = (
        f"INSERT INTO {quote(historical._meta.db_table)} ({', '.join(quote(c) for c in tracked + extra)}) "
        f"SELECT {', '.join(quote(c) for c in tracked)}, %s, %s, %s, %s "
        f"FROM {quote(model._meta.db_table)} WHERE {quote(str(model._meta.pk.column))} "
    )
    with connection.cursor() as cursor:
        for start in range(0, len(pks), _ROWS_PER_STATEMENT):
            chunk = list(pks[start : start + _ROWS_PER_STATEMENT])
            if connection.vendor == "postgresql":
                cursor.execute(head + "= ANY(%s)", [*values, chunk])
            else:
                cursor.execute(head + f"IN ({', '.join(['%s'] * len(chunk))})", [*values, *chunk])
