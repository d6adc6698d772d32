"""The history view of a record's admin page, for reading only.

django-simple-history's version page posts its form back to save the record as it was (a "revert"), and
hiding the button (SIMPLE_HISTORY_REVERT_DISABLED) does not stop a hand-made POST: here every POST to it is
refused (403), for superusers too, and the version shows read-only exactly the fields its history holds
(not the bookkeeping and telematics columns, which would show today's values). History rows have no admin
of their own, so nobody changes or deletes them through the app.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

_VIEWING_VERSION = "_viewing_history_version"


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """A ModelAdmin base in place of admin.ModelAdmin, after the mixins (which must stay ahead of any
    ModelAdmin in the method order): adds "History" and keeps everything else."""

    def history_view(self, request, object_id, extra_context=None):
        _require_id(self.model._meta.pk, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("History is read-only: a record cannot be reverted to an earlier version.")
        _require_id(self.model._meta.pk, unquote(object_id))
        _require_id(self.model.history.model._meta.pk, version_id)
        setattr(request, _VIEWING_VERSION, True)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not getattr(request, _VIEWING_VERSION, False):
            return fieldsets
        kept = {field.name for field in self.model.history.model.tracked_fields}
        trimmed = []
        for name, options in fieldsets:
            fields = [_kept(entry, kept) for entry in options["fields"]]
            if any(fields):
                trimmed.append((name, {**options, "fields": [entry for entry in fields if entry]}))
        return trimmed

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if getattr(request, _VIEWING_VERSION, False):
            readonly += [f.name for f in self.model._meta.fields if f.editable and f.name not in readonly]
        return readonly

    def has_change_history_permission(self, request, obj=None) -> bool:
        return False


def _require_id(field: models.Field, value: str) -> None:
    """A 404 for an id the column cannot hold (letters, NUL, beyond its integer range), not a 500."""
    try:
        parsed = field.to_python(value)
    except ValidationError:
        raise Http404(f"{value!r} is not an id") from None
    low, high = connection.ops.integer_field_ranges.get(field.get_internal_type(), (None, None))
    if isinstance(parsed, int) and low is not None and high is not None and not low <= parsed <= high:
        raise Http404(f"{value!r} is not an id")


def _kept(entry, kept: set[str]):
    """A fieldset entry (a field name, or a row of them) reduced to the fields history holds."""
    if isinstance(entry, list | tuple):
        return tuple(name for name in entry if name in kept)
    return entry if entry in kept else None


class ReadableChanges(HistoricalRecordContextHelper):
    """The history list's old -> new values as the forms show them: a choice's label, not its code."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and value is not None:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)
