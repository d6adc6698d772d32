"""The admin side of imports and exports, mixed into each domain ModelAdmin.

django-import-export supplies the buttons, the upload form, the export form (current filters, CSV and
XLSX) and the permission checks; this mixin swaps its row-by-row import for an ImportJob run by the bulk
engine: upload -> checked preview (in the request, or in Celery for large files) -> confirm -> written,
and its in-memory export for a streamed one (rentalbridge.imports.export) over the same filtered rows.
The upload is bounded while it streams in (uploads.limit_uploads): no more than the limit is ever stored.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.signals import post_export

from rentalbridge.imports import columns, export, jobs, uploads, views
from rentalbridge.imports.decoding import FileRefused
from rentalbridge.imports.forms import CsvFirstExportForm
from rentalbridge.imports.models import ImportJob, JobStatus
from rentalbridge.imports.registry import entity_for_model


class ConfirmJobForm(forms.Form):
    job = forms.IntegerField(widget=forms.HiddenInput)
    valid_only = forms.BooleanField(required=False)


class BulkImportExportMixin(ImportExportMixin):
    import_formats = [CSV]
    export_formats = [CSV, XLSX]
    export_form_class = CsvFirstExportForm
    # Excel opens UTF-8 CSV correctly only with a BOM; the importer accepts both.
    to_encoding = "utf-8-sig"
    import_template_name = "admin/imports/import.html"

    @property
    def import_entity(self) -> str:
        return entity_for_model(self.model)

    def get_urls(self):
        info = self.get_model_info()
        wrap = self.admin_site.admin_view
        import_name = "{}_{}_import".format(*info)
        urls = [
            path("import/", uploads.limit_uploads(wrap(self.import_action)), name=import_name),
            path("import/template.csv", wrap(self.template_view), name="{}_{}_import_template".format(*info)),
            path("import/job/<int:job_id>/", wrap(self.job_view), name="{}_{}_import_job".format(*info)),
            path(
                "import/job/<int:job_id>/status/",
                wrap(self.job_status_view),
                name="{}_{}_import_status".format(*info),
            ),
            path(
                "import/job/<int:job_id>/rejected.csv",
                wrap(self.job_rejected_view),
                name="{}_{}_import_rejected".format(*info),
            ),
        ]
        return urls + [url for url in super().get_urls() if getattr(url, "name", None) != import_name]

    def get_import_context_data(self, **kwargs):
        return {**super().get_import_context_data(**kwargs), "expected_columns": self._expected_columns()}

    def _expected_columns(self) -> list[columns.ExpectedColumn]:
        return columns.expected_columns(self.import_entity)

    def import_action(self, request, **kwargs):
        """Upload: refuse bad files on the form, otherwise create the job and show its preview page."""
        if request.method != "POST":
            return super().import_action(request, **kwargs)
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        limit = settings.IMPORTS_MAX_FILE_BYTES
        if uploads.upload_exceeded(request):
            # The file was dropped while it streamed in; say why instead of "this field is required".
            form.errors["import_file"] = form.error_class([uploads.too_large_message(limit)])
        elif form.is_valid():
            upload = form.cleaned_data["import_file"]
            try:
                data = uploads.read_limited(upload.chunks(uploads.CHUNK_BYTES), limit)
                job = jobs.create_job(self.import_entity, data, upload.name, request.user)
            except FileRefused as exc:
                form.add_error("import_file", str(exc))
            else:
                jobs.start(job)
                return HttpResponseRedirect(self._job_url(job))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import",
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "fields_list": [],
            "expected_columns": self._expected_columns(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def process_import(self, request, **kwargs):
        """Confirm: write the checked file (all rows, or the valid ones only)."""
        if request.method != "POST" or not self.has_import_permission(request):
            raise PermissionDenied
        form = ConfirmJobForm(request.POST)
        if not form.is_valid():
            raise PermissionDenied
        job = self._job(request, form.cleaned_data["job"])
        if job.status != JobStatus.PREVIEW:
            messages.warning(request, "This import was already confirmed.")
            return HttpResponseRedirect(self._job_url(job))
        job = jobs.start(job, confirmed=True, valid_only=form.cleaned_data["valid_only"])
        if job.status == JobStatus.DONE and not job.rows_rejected:
            messages.success(request, f"Import finished: {jobs.summary(job)}")
            return HttpResponseRedirect(reverse("admin:{}_{}_changelist".format(*self.get_model_info())))
        return HttpResponseRedirect(self._job_url(job))

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        """The filtered changelist exported as a stream (rentalbridge.imports.export), not built in memory."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        resource_class = self.choose_export_resource_class(export_form, request)
        response = export.export_response(
            resource_class(**self.get_export_resource_kwargs(request)),
            queryset,
            self.get_export_resource_fields_from_form(export_form),
            xlsx=isinstance(file_format, XLSX),
            filename=self.get_export_filename(request, queryset, file_format),
        )
        post_export.send(sender=None, model=self.model)
        return response

    def template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        return views.template_csv(self.import_entity)

    def job_view(self, request, job_id: int):
        job = self._job(request, job_id)
        rows, filters = views.preview_rows(job)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import of {job.file_name}",
            "opts": self.model._meta,
            "job": job,
            "preview_rows": rows,
            "preview_filters": filters,
            "date_columns": columns.date_columns(self.import_entity),
            "confirm_url": reverse("admin:{}_{}_process_import".format(*self.get_model_info())),
            "status_url": reverse("admin:{}_{}_import_status".format(*self.get_model_info()), args=[job.pk]),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/imports/job.html", context)

    def job_status_view(self, request, job_id: int):
        return views.job_status(self._job(request, job_id))

    def job_rejected_view(self, request, job_id: int):
        return views.rejected_csv(self._job(request, job_id))

    def _job(self, request, job_id: int) -> ImportJob:
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=job_id, entity=self.import_entity)
        if job.created_by_id != request.user.pk and not request.user.is_superuser:
            raise PermissionDenied
        return job

    def _job_url(self, job: ImportJob) -> str:
        return reverse("admin:{}_{}_import_job".format(*self.get_model_info()), args=[job.pk])
