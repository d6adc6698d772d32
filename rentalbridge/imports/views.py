"""Small responses of the import pages: progress as JSON, the rejected rows, the per-entity template, and the
rows of the preview as its page shows them."""

from collections import Counter, defaultdict

from django.http import Http404, HttpResponse, JsonResponse

from rentalbridge.imports.models import ImportJob, JobStatus
from rentalbridge.imports.registry import resource_for

# The preview's filter buttons: the engine's action -> what staff call it.
PREVIEW_FILTERS = {"new": "New", "update": "Changed", "unchanged": "Unchanged", "rejected": "Rejected"}


def job_status(job: ImportJob) -> JsonResponse:
    """What the progress bar polls: small, and enough to know when to reload the page."""
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "stage": job.stage,
            "percent": job.percent,
            "finished": job.is_finished,
            "resting": job.is_finished or job.status == "PREVIEW",
            "rows_total": job.rows_total,
            "rows_new": job.rows_new,
            "rows_updated": job.rows_updated,
            "rows_unchanged": job.rows_unchanged,
            "rows_rejected": job.rows_rejected,
        }
    )


def rejected_csv(job: ImportJob) -> HttpResponse:
    if job.rejected_csv is None:
        raise Http404("This import has no rejected rows, or they were removed after the retention period.")
    response = HttpResponse(bytes(job.rejected_csv), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{job.entity}-{job.pk}.csv"'
    return response


def template_csv(entity: str) -> HttpResponse:
    response = HttpResponse(resource_for(entity).template_csv().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{entity}-template.csv"'
    return response


def preview_rows(job: ImportJob) -> tuple[list[dict], list[dict]]:
    """The preview's rows, each with its changed cells (before -> after) or its errors, and the filter
    buttons with how many of the shown rows each one keeps."""
    if job.status != JobStatus.PREVIEW:
        return [], []
    errors = defaultdict(list)
    for error in job.errors:
        errors[error["line"]].append(
            f"{error['column']}: {error['message']}" if error["column"] else error["message"]
        )
    rows = [
        {**row, "changes": row.get("changes", []), "errors": errors.get(row["line"], [])}
        for row in job.preview
    ]
    counts = Counter(row["action"] for row in rows)
    filters = [
        {"action": action, "label": label, "count": counts[action]}
        for action, label in PREVIEW_FILTERS.items()
    ]
    return rows, filters
