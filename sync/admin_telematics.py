"""Telematics in the admin: the pulls and what they could not store, and "Refresh telematics" on an asset.

Domain apps never import sync, so sync adds the refresh button's view to the registered asset admin.
"""

from typing import TYPE_CHECKING, cast

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from assets.models import Asset
from sync.admin_readonly import ReadOnlyAdmin
from sync.models import TelematicsPull, TelematicsSkip
from sync.telematics.pull import refresh_asset

RUN_PERMISSION = "sync.run_telematicspull"


class TelematicsSkipInline(admin.TabularInline):
    model = TelematicsSkip
    fields = ["outcome", "pin", "serial_number", "machine_id", "external_reference", "reason"]
    readonly_fields = cast(list[str], fields)  # every entry is a plain field name
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(TelematicsPull)
class TelematicsPullAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "scope",
        "status",
        "pages",
        "equipment",
        "matched",
        "stored",
        "unchanged",
        "flagged",
        "unmatched",
        "foreign",
        "trigger",
    ]
    list_filter = ["status", "trigger"]
    fields = [
        "scope",
        "status",
        "message",
        "trigger",
        "triggered_by",
        "started_at",
        "finished_at",
        "pages",
        "equipment",
        "matched",
        "stored",
        "unchanged",
        "older",
        "flagged",
        "unmatched",
        "ambiguous",
        "foreign",
    ]
    readonly_fields = cast(list[str], fields)  # every entry is a plain field name
    inlines = [TelematicsSkipInline]


@admin.register(TelematicsSkip)
class TelematicsSkipAdmin(ReadOnlyAdmin):
    """Equipment in Trackunit's feed that no local asset matched (or several did), with the reason."""

    list_display = ["pin", "serial_number", "make", "model", "outcome", "reason", "pull"]
    list_filter = ["outcome"]
    search_fields = ["pin", "serial_number", "machine_id", "external_reference"]
    list_select_related = ["pull"]
    show_full_result_count = False


if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin
else:
    # A mixin for whatever admin the assets app registered (add_telematics_refresh).
    _AdminBase = object


class TelematicsRefreshMixin(_AdminBase):
    """Adds the "Refresh telematics" view to the asset admin."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.refresh_telematics_view)
        own = [path("<path:object_id>/refresh-telematics/", view, name="assets_asset_refresh_telematics")]
        return own + super().get_urls()

    def refresh_telematics_view(self, request: HttpRequest, object_id: str):
        object_id = unquote(object_id)
        if not object_id.isdigit():
            raise Http404("No asset has that id.")
        asset = get_object_or_404(Asset, pk=object_id)
        back = reverse("admin:assets_asset_change", args=[asset.pk])
        if request.method != "POST" or not request.user.has_perm(RUN_PERMISSION):
            self.message_user(request, "Only sync operators may ask Trackunit for readings.", messages.ERROR)
            return HttpResponseRedirect(back)
        # admin_view lets only signed-in staff through, never an anonymous user.
        pull = refresh_asset(asset, user=cast(User, request.user))
        if pull.status == TelematicsPull.Status.SUCCEEDED:
            self.message_user(request, f"Telematics refreshed: {pull.stored} new reading(s). {pull.message}")
        else:
            self.message_user(request, pull.message, messages.WARNING)
        return HttpResponseRedirect(back)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra = {**(extra_context or {}), "can_pull_telematics": request.user.has_perm(RUN_PERMISSION)}
        return super().changeform_view(request, object_id, form_url, extra)


def add_telematics_refresh(site: admin.AdminSite) -> None:
    """Re-register the asset admin with the refresh view."""
    base = type(site._registry[Asset])
    extended = type(base.__name__, (TelematicsRefreshMixin, base), {"__module__": base.__module__})
    site.unregister(Asset)
    site.register(Asset, extended)
