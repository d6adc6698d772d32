"""Sidebar filters an auditor types into: a date range (from/to, in the site's zone) and a run number.

The admin's date hierarchy only drills into one year, month or day; an audit asks for "from the 3rd to the
17th". A run is typed as its number, since a list of every run ever would not fit a sidebar.
"""

from datetime import date, datetime, time, timedelta
from typing import cast

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.utils import timezone


class InputFilter(admin.ListFilter):
    """A filter rendered as a small GET form of text inputs that keeps every other filter and the search."""

    template = "admin/sync/input_filter.html"
    inputs: tuple[tuple[str, str, str], ...] = ()  # (parameter, label, input type)

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name, _, _ in self.inputs:
            if name in params:
                value = params.pop(name)
                value = value[-1] if isinstance(value, list) else value
                if value.strip():
                    self.used_parameters[name] = value.strip()

    def _text(self, name: str) -> str:
        """A parameter's value: __init__ stores only the stripped text of each input."""
        return cast(str, self.used_parameters[name])

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str | None]:
        return [name for name, _, _ in self.inputs]

    def choices(self, changelist):
        mine = set(self.expected_parameters()) | {"p"}
        yield {
            "inputs": [
                (name, label, kind, self.used_parameters.get(name, "")) for name, label, kind in self.inputs
            ],
            "kept": [(name, value) for name, value in changelist.params.items() if name not in mine],
            "clear_url": changelist.get_query_string(remove=list(mine)),
            "used": bool(self.used_parameters),
        }


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise IncorrectLookupParameters(f"{text!r} is not a date (YYYY-MM-DD)") from error


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class CreatedBetweenFilter(InputFilter):
    """Attempts made from the start of `from` to the end of `to`, both days included."""

    title = "date (from / to)"
    inputs = (("created_from", "from", "date"), ("created_to", "to", "date"))

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if "created_from" in self.used_parameters:
            queryset = queryset.filter(created_at__gte=_start_of(_day(self._text("created_from"))))
        if "created_to" in self.used_parameters:
            end = _day(self._text("created_to")) + timedelta(days=1)
            queryset = queryset.filter(created_at__lt=_start_of(end))
        return queryset


class RunNumberFilter(InputFilter):
    title = "run"
    inputs = (("run__id__exact", "run number", "number"),)

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if "run__id__exact" not in self.used_parameters:
            return queryset
        run = self._text("run__id__exact")
        if not run.isdigit():
            raise IncorrectLookupParameters(f"{run!r} is not a run number")
        return queryset.filter(run_id=int(run))
