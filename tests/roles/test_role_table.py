"""Who may do what: every admin URL and every changelist action, by role, by method.

The URLs are read from the resolver and the actions from the admin registry, so a view added later fails
here until it has a row. What each role gets is written down from the roles as the product defines them
(README, issue 10): anonymous users get the login page; auditors read and change nothing; back office
staff also edit, import and export the rental data; sync operators also plan, apply and resolve syncs.
Users, groups and the login-attempt log are for superusers only; sync history is read-only for everyone.

An outcome is what the user sees: a page (200), a redirect elsewhere, a refusal (403, or a redirect back
with a warning or error message), not found (404), method not allowed (405), or the login page. Where a
request has an effect (a deletion, a confirmed import, a sync service called), the effect is checked too:
it happens exactly when the role is allowed.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assets.models import Asset
from customers.models import CustomerContact
from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue
from rentalbridge.imports.models import ImportJob, JobStatus
from rentalbridge.imports.registry import entity_for_model, resource_for
from rentalbridge.roles.definitions import AUDITOR, BACK_OFFICE, SYNC_OPERATOR
from sync import admin as sync_admin
from sync import admin_decisions, admin_telematics, approval, attention
from sync.models import (
    AempRequestLog,
    RemoteAsset,
    SyncAttempt,
    SyncDrift,
    SyncJob,
    SyncOperation,
    SyncRun,
    SyncState,
    TelematicsPull,
    TelematicsSkip,
)
from tests import factories

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ROLES = (AUDITOR, BACK_OFFICE, SYNC_OPERATOR)
USERNAMES = {AUDITOR: "auditor", BACK_OFFICE: "clerk", SYNC_OPERATOR: "operator"}

# Outcomes.
LOGIN = "login page"
OK = "page"
REDIRECT = "redirect"
REFUSED = "refused"
FORBIDDEN = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"

# What (auditor, back office, operator) get; anonymous users always get the login page.
READS = (OK, OK, OK)
EDITS = (FORBIDDEN, OK, OK)
DENIED = (FORBIDDEN, FORBIDDEN, FORBIDDEN)
REDIRECTED = (REDIRECT, REDIRECT, REDIRECT)
OPERATORS_ONLY = (REFUSED, REFUSED, REDIRECT)
EVERYONE_REFUSED = (REFUSED, REFUSED, REFUSED)
NOT_THERE = (NOT_FOUND, NOT_FOUND, NOT_FOUND)
WRONG_METHOD = (NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)

# The rental data: customers, contacts, assets, depots, contracts, items, custom fields.
DOMAIN = {
    "customers.customer",
    "customers.customercontact",
    "assets.asset",
    "assets.depot",
    "contracts.contract",
    "contracts.contractitem",
    "customfields.customfielddefinition",
    "customfields.customfieldvalue",
}
# What RentalBridge recorded about its syncs: read by every role, written by none.
SYNC_HISTORY = {
    "sync.syncrun",
    "sync.syncoperation",
    "sync.syncattempt",
    "sync.syncstate",
    "sync.syncdrift",
    "sync.remoteasset",
    "sync.aemprequestlog",
    "sync.telematicspull",
    "sync.telematicsskip",
}
SUPERUSERS_ONLY = {"auth.user", "auth.group", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}

# (family, view) -> (GET, POST). POSTs carry no form data unless the view needs some to act (see `body`).
TABLE: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("domain", "changelist"): (READS, READS),
    ("domain", "add"): (EDITS, EDITS),
    ("domain", "change"): (READS, EDITS),
    ("domain", "delete"): (EDITS, (FORBIDDEN, REDIRECT, REDIRECT)),
    ("domain", "history"): (READS, READS),
    # One version of a record's history: read by every role; a POST (a revert) refused to all (issue 12).
    ("domain", "simple_history"): (READS, DENIED),
    ("domain", "object"): (REDIRECTED, REDIRECTED),  # <id>/ -> <id>/change/
    ("domain", "export"): (EDITS, EDITS),
    ("domain", "import"): (EDITS, EDITS),
    ("domain", "import_template"): (EDITS, EDITS),
    ("domain", "import_job"): (EDITS, EDITS),
    ("domain", "import_status"): (EDITS, EDITS),
    ("domain", "import_rejected"): (EDITS, EDITS),
    ("domain", "process_import"): (DENIED, (FORBIDDEN, REDIRECT, REDIRECT)),  # confirming is a POST
    ("domain", "action delete_selected"): (None, (REFUSED, REDIRECT, REDIRECT)),
    ("domain", "refresh_telematics"): (EVERYONE_REFUSED, OPERATORS_ONLY),  # an asset's readings, now
    ("sync", "changelist"): (READS, READS),
    ("sync", "add"): (DENIED, DENIED),
    ("sync", "change"): (READS, DENIED),
    ("sync", "delete"): (DENIED, DENIED),
    ("sync", "history"): (READS, READS),
    ("sync", "object"): (REDIRECTED, REDIRECTED),
    ("sync", "action delete_selected"): (None, EVERYONE_REFUSED),
    # Triggering work at Trackunit: a POST, by operators; a GET never triggers anything.
    ("sync", "plan"): (EVERYONE_REFUSED, OPERATORS_ONLY),
    ("sync", "sync_now"): (EVERYONE_REFUSED, OPERATORS_ONLY),
    ("sync", "drift"): (EVERYONE_REFUSED, OPERATORS_ONLY),
    ("sync", "apply"): (EVERYONE_REFUSED, OPERATORS_ONLY),
    ("sync", "match"): (EVERYONE_REFUSED, OPERATORS_ONLY),
    ("sync", "progress"): (READS, READS),
    ("sync", "job"): (READS, READS),  # a plan, drift check or sync now being done by a worker
    ("sync", "job_status"): (READS, READS),
    ("sync", "export"): (READS, READS),  # the attempt list as CSV: auditors export what they read
    ("sync", "action apply_selected"): (None, OPERATORS_ONLY),
    ("sync", "action overwrite_remote"): (None, OPERATORS_ONLY),
    # Deciding about automatic syncs and failures (issue 14): operators only, and only by POST.
    ("sync", "approve"): (EVERYONE_REFUSED, OPERATORS_ONLY),
    ("sync", "discard"): (EVERYONE_REFUSED, OPERATORS_ONLY),
    ("sync", "retry_failed"): (EVERYONE_REFUSED, OPERATORS_ONLY),
    ("sync", "retry"): (EVERYONE_REFUSED, OPERATORS_ONLY),
    ("sync", "ignore"): (EVERYONE_REFUSED, OPERATORS_ONLY),
    ("sync", "action retry_operations"): (None, OPERATORS_ONLY),
    ("sync", "action ignore_operations"): (None, OPERATORS_ONLY),
    ("sync", "action retry_records"): (None, OPERATORS_ONLY),
    ("sync", "action ignore_records"): (None, OPERATORS_ONLY),
    ("sync", "action adopt_remote"): (None, OPERATORS_ONLY),
    ("superusers", "changelist"): (DENIED, DENIED),
    ("superusers", "add"): (DENIED, DENIED),
    ("superusers", "change"): (DENIED, DENIED),
    ("superusers", "delete"): (DENIED, DENIED),
    ("superusers", "history"): (DENIED, DENIED),
    ("superusers", "object"): (REDIRECTED, REDIRECTED),  # to a change page that is then refused
    ("superusers", "password_change"): (DENIED, DENIED),  # another user's password
    ("superusers", "action delete_selected"): (None, DENIED),
    ("superusers", "action cleanup_expired_attempts"): (None, DENIED),
    ("site", "root"): (REDIRECTED, REDIRECTED),
    ("site", "index"): (READS, READS),
    ("site", "login"): (REDIRECTED, READS),  # already logged in: to the index; a POST is a login attempt
    ("site", "logout"): (WRONG_METHOD, READS),  # logging out is a POST
    ("site", "password_change"): (READS, READS),
    ("site", "password_change_done"): (READS, WRONG_METHOD),
    ("site", "autocomplete"): (READS, WRONG_METHOD),
    ("site", "jsi18n"): (READS, WRONG_METHOD),
    ("site", "view_on_site"): (NOT_THERE, NOT_THERE),  # no record has a public page
    ("site", "app_list customers"): (READS, READS),
    ("site", "app_list assets"): (READS, READS),
    ("site", "app_list contracts"): (READS, READS),
    ("site", "app_list customfields"): (READS, READS),
    ("site", "app_list sync"): (READS, READS),
    ("site", "app_list auth"): (NOT_THERE, NOT_THERE),
    ("site", "app_list axes"): (NOT_THERE, NOT_THERE),
    ("site", "catch_all"): (NOT_THERE, NOT_THERE),
}
SITE_VIEWS = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
}


def family(model: str) -> str:
    if model in DOMAIN:
        return "domain"
    if model in SYNC_HISTORY:
        return "sync"
    if model in SUPERUSERS_ONLY:
        return "superusers"
    return f"unknown model {model}"


@dataclass(frozen=True)
class Row:
    family: str
    view: str
    model: str = ""  # app_label.model_name, for the admin's model views and actions
    url_name: str = ""

    @property
    def label(self) -> str:
        return f"{self.model or self.family} {self.view}"


def url_rows(resolver: URLResolver | None = None, prefix: str = "") -> list[Row]:
    """One row per URL pattern the project serves (app_list once per app label it accepts)."""
    rows = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            rows += url_rows(entry, prefix + str(entry.pattern))
            continue
        assert isinstance(entry, URLPattern)
        route, name = prefix + str(entry.pattern), entry.name
        if route == "":
            rows.append(Row("site", "root"))
        elif name == "app_list":
            labels = re.search(r"\(\?P<app_label>([\w|]+)\)", route).group(1)
            rows += [Row("site", f"app_list {label}", url_name=name) for label in labels.split("|")]
        elif name in SITE_VIEWS:
            rows.append(Row("site", name, url_name=name))
        elif name is None and route.endswith("(?P<url>.*)$"):
            rows.append(Row("site", "catch_all"))
        else:
            app, model_name = route.removeprefix("admin/").split("/")[:2]
            model = f"{app}.{model_name}"
            view = name.removeprefix(f"{app}_{model_name}_") if name else "object"
            rows.append(Row(family(model), view, model, name or ""))
    return rows


def action_rows() -> list[Row]:
    # _get_base_actions lists every action a model admin has, before any permission filtering.
    return [
        Row(family(model._meta.label_lower), f"action {name}", model._meta.label_lower)
        for model, model_admin in admin.site._registry.items()
        for _, name, _ in model_admin._get_base_actions()
    ]


ROWS = url_rows() + action_rows()


@pytest.fixture(autouse=True)
def _quick_pages(settings, monkeypatch) -> None:
    """Over 1,500 requests: a cheap password hasher for the role users, and no navigation sidebar (the whole
    app list again on every page). Neither takes part in permission checks."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(admin.site, "enable_nav_sidebar", False)


class Services:
    """The sync services the admin calls, replaced by recorders: only whether they were called matters."""

    def __init__(self, monkeypatch, world: "World") -> None:
        self.called: list[str] = []

        def recorder(name: str, result=None):
            def record(*args, **kwargs):
                self.called.append(name)
                return result() if callable(result) else result

            return record

        monkeypatch.setattr(sync_admin, "start_job", recorder("start_job", lambda: world.sync_job))
        monkeypatch.setattr(sync_admin, "apply_plan", recorder("apply_plan"))
        monkeypatch.setattr(sync_admin, "match_assets", recorder("match_assets", "0 assets matched"))
        monkeypatch.setattr(sync_admin.drift_service, "resolve", recorder("resolve"))
        monkeypatch.setattr(admin_decisions, "start_job", recorder("start_job", lambda: world.sync_job))
        monkeypatch.setattr(approval, "approve", recorder("approve"))
        monkeypatch.setattr(approval, "discard", recorder("discard"))
        monkeypatch.setattr(attention, "retry", recorder("retry", 1))
        monkeypatch.setattr(attention, "ignore", recorder("ignore", 1))
        pulled = TelematicsPull(status=TelematicsPull.Status.SUCCEEDED, stored=0)
        monkeypatch.setattr(admin_telematics, "refresh_asset", recorder("refresh_asset", pulled))


class World:
    """The records the URLs point at, made when first needed."""

    def __init__(self) -> None:
        self.users = {
            role: User.objects.create_user(USERNAMES[role], password="x", is_staff=True) for role in ROLES
        }
        for role, user in self.users.items():
            user.groups.add(Group.objects.get(name=role))
        self._targets: dict[str, object] = {}
        self._jobs: dict[tuple[str, str], ImportJob] = {}

    @cached_property
    def run(self) -> SyncRun:
        return SyncRun.objects.create(trigger="test")

    @cached_property
    def sync_job(self) -> SyncJob:
        return SyncJob.objects.create(action=SyncJob.Action.PLAN)

    @cached_property
    def asset(self) -> Asset:
        return factories.asset()

    @cached_property
    def pull(self) -> TelematicsPull:
        return TelematicsPull.objects.create(trigger="test", scope="fleet")

    def target(self, model: str):
        """One record of the model that nothing else depends on, so that it can be deleted."""
        now = timezone.now()
        make = {
            "customers.customer": factories.customer,
            "customers.customercontact": lambda: CustomerContact.objects.create(
                customer=factories.customer(), name="Anna"
            ),
            "assets.asset": factories.asset,
            "assets.depot": factories.depot,
            "contracts.contract": factories.contract,
            "contracts.contractitem": lambda: factories.item(
                factories.contract(), self.asset, date(2026, 1, 1)
            ),
            "customfields.customfielddefinition": lambda: CustomFieldDefinition.objects.create(
                entity_type="ASSET", key="colour", title="Colour", type="STRING"
            ),
            "customfields.customfieldvalue": lambda: CustomFieldValue.objects.create(
                definition=CustomFieldDefinition.objects.create(
                    entity_type="ASSET", key="paint", title="Paint", type="STRING"
                ),
                content_type=ContentType.objects.get_for_model(Asset),
                object_id=self.asset.pk,
                value="red",
            ),
            "sync.syncrun": lambda: self.run,
            "sync.syncoperation": lambda: SyncOperation.objects.create(
                run=self.run, phase=1, kind="customer", key="CUS-1", action="create"
            ),
            "sync.syncattempt": lambda: SyncAttempt.objects.create(
                method="GET",
                url="http://trackunit.test/x",
                duration_ms=1,
                outcome="success",
                triggered_by="t",
            ),
            "sync.syncstate": lambda: SyncState.objects.create(kind="customer", key="CUS-1"),
            "sync.syncdrift": lambda: SyncDrift.objects.create(kind="customer", key="CUS-1", fields={}),
            "sync.remoteasset": lambda: RemoteAsset.objects.create(
                trackunit_id="tu-1", editable=True, status="unmatched", seen_at=now
            ),
            "sync.aemprequestlog": lambda: AempRequestLog.objects.create(
                url="http://trackunit.test/fleet", last_requested_at=now
            ),
            "sync.telematicspull": lambda: self.pull,
            "sync.telematicsskip": lambda: TelematicsSkip.objects.create(
                pull=self.pull, outcome="unmatched", reason="no asset has this PIN"
            ),
            "auth.user": lambda: User.objects.create_user("someone", is_staff=True),
            "auth.group": lambda: Group.objects.create(name="Temporary"),
            "axes.accessattempt": lambda: AccessAttempt.objects.create(failures_since_start=1, **_access()),
            "axes.accesslog": lambda: AccessLog.objects.create(**_access()),
            "axes.accessfailurelog": lambda: AccessFailureLog.objects.create(**_access()),
        }[model]
        if model not in self._targets:
            self._targets[model] = make()
        return self._targets[model]

    def job(self, model: str, role: str) -> ImportJob:
        """An import of the model's entity, uploaded by the role's user, waiting for confirmation."""
        if (model, role) not in self._jobs:
            entity = entity_for_model(apps.get_model(model))
            header = resource_for(entity).template_csv().splitlines()[0]
            self._jobs[(model, role)] = ImportJob.objects.create(
                entity=entity,
                file_name="upload.csv",
                source=(header + "\r\n").encode(),
                created_by=self.users.get(role, self.users[BACK_OFFICE]),
                status=JobStatus.PREVIEW,
                rejected_csv=b"error\r\n",
            )
        return self._jobs[(model, role)]

    def url(self, row: Row, role: str) -> str:
        if row.view == "root":
            return "/"
        if row.view == "catch_all":
            return "/admin/no-such-page/"
        if row.view.startswith("app_list "):
            return reverse("admin:app_list", kwargs={"app_label": row.view.split()[1]})
        if row.view == "autocomplete":
            return (
                reverse("admin:autocomplete")
                + "?app_label=contracts&model_name=contractitem&field_name=asset"
            )
        if row.view == "view_on_site":
            customer = self.target("customers.customer")
            return reverse(
                "admin:view_on_site", args=[ContentType.objects.get_for_model(customer).pk, customer.pk]
            )
        if row.family == "site":
            return reverse(f"admin:{row.url_name}")
        app, model_name = row.model.split(".")
        if row.view.startswith("action ") or row.view == "changelist":
            return reverse(f"admin:{app}_{model_name}_changelist")
        if row.view == "object":
            return f"/admin/{app}/{model_name}/{self.target(row.model).pk}/"
        if row.view in ("import_job", "import_status", "import_rejected"):
            return reverse(f"admin:{row.url_name}", args=[self.job(row.model, role).pk])
        if row.view in ("apply", "progress", "approve", "discard", "retry_failed"):
            return reverse(f"admin:{row.url_name}", args=[self.run.pk])
        if row.view in ("job", "job_status"):
            return reverse(f"admin:{row.url_name}", args=[self.sync_job.pk])
        if row.view in (
            "change",
            "delete",
            "history",
            "password_change",
            "refresh_telematics",
            "retry",
            "ignore",
        ):
            return reverse(f"admin:{row.url_name}", args=[self.target(row.model).pk])
        if row.view == "simple_history":
            target = self.target(row.model)
            return reverse(f"admin:{row.url_name}", args=[target.pk, target.history.first().history_id])
        return reverse(f"admin:{row.url_name}")

    def body(self, row: Row, role: str) -> dict:
        """Form data a POST needs to act at all; without it every role would just see the form again."""
        if row.view == "delete":
            return {"post": "yes"}
        if row.view == "process_import":
            return {"job": self.job(row.model, role).pk}
        if row.view.startswith("action "):
            return {
                "action": row.view.removeprefix("action "),
                "_selected_action": [self.target(row.model).pk],
                "post": "yes",  # delete_selected: the confirmation
            }
        return {}

    def effect(self, row: Row, role: str, services: Services):
        """A probe of whether the request did its work (None where it has no effect to look for)."""
        if row.view in ("delete", "action delete_selected") and row.family == "domain":
            target = self.target(row.model)
            return lambda: not type(target).objects.filter(pk=target.pk).exists()
        if row.view == "process_import":
            job = self.job(row.model, role)
            return lambda: ImportJob.objects.get(pk=job.pk).status != JobStatus.PREVIEW
        service = {
            "plan": "start_job",
            "sync_now": "start_job",
            "drift": "start_job",
            "apply": "apply_plan",
            "match": "match_assets",
            "action apply_selected": "apply_plan",
            "action overwrite_remote": "resolve",
            "action adopt_remote": "resolve",
            "refresh_telematics": "refresh_asset",
            "approve": "approve",
            "discard": "discard",
            "retry_failed": "start_job",
            "retry": "retry",
            "ignore": "ignore",
            "action retry_operations": "retry",
            "action ignore_operations": "ignore",
            "action retry_records": "retry",
            "action ignore_records": "ignore",
        }.get(row.view)
        return None if service is None else lambda: service in services.called


def _access() -> dict:
    return {
        "user_agent": "test",
        "ip_address": "192.0.2.1",
        "username": "x",
        "http_accept": "*/*",
        "path_info": "/",
    }


def outcome(response, action: bool) -> str:
    if response.status_code == 200:
        # An action the role is not offered (and no other action either): the changelist, nothing done.
        return REFUSED if action else OK
    if response.status_code in (301, 302):
        levels = [message.level for message in get_messages(response.wsgi_request)]
        return REFUSED if any(level >= messages.WARNING for level in levels) else REDIRECT
    return {403: FORBIDDEN, 404: NOT_FOUND, 405: NOT_ALLOWED}.get(
        response.status_code, str(response.status_code)
    )


def request(
    client: Client, world: World, row: Row, method: str, role: str, services: Services
) -> tuple[str, bool | None]:
    """The role's outcome, and whether the effect happened; the request's writes are rolled back."""
    client.cookies.pop("messages", None)  # only this request's messages count
    # Records are made before the savepoint: made inside, they would be rolled back with the request.
    url, body, effect = world.url(row, role), world.body(row, role), world.effect(row, role, services)
    services.called.clear()
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, body)
        seen = where_anonymous_ends(client, response) if role == ANONYMOUS else None
        happened = effect() if effect else None
        transaction.set_rollback(True)
    return seen or outcome(response, row.view.startswith("action ")), happened


def where_anonymous_ends(client: Client, response) -> str:
    """LOGIN when the redirects lead to the login page (or it is the page itself)."""
    login = reverse("admin:login")
    for _hop in range(3):
        if response.status_code == 200 and response.request["PATH_INFO"] == login:
            return LOGIN
        if response.status_code != 302:
            break
        if response.url.startswith(login):
            return LOGIN
        response = client.get(response.url)
    return f"HTTP {response.status_code} at {response.request['PATH_INFO']}"


@pytest.mark.parametrize("row", ROWS, ids=[row.label for row in ROWS])
def test_each_role_gets_what_its_definition_says(row, monkeypatch):
    assert (row.family, row.view) in TABLE, f"{row.label}: a URL or action without a row in the role table"
    expected = {
        method: {ANONYMOUS: LOGIN, **dict(zip(ROLES, cells, strict=True))}
        for method, cells in zip(("GET", "POST"), TABLE[(row.family, row.view)], strict=True)
        if cells is not None
    }
    world = World()
    services = Services(monkeypatch, world)
    seen = {method: {} for method in expected}
    effects = {method: {} for method in expected}

    for role in (ANONYMOUS, *ROLES):
        client = Client()
        if role != ANONYMOUS:
            client.force_login(world.users[role])
        for method in expected:  # GET first: a POST may log the client out
            seen[method][role], effects[method][role] = request(client, world, row, method, role, services)

    assert seen == expected
    for method, happened in effects.items():
        if None not in happened.values():
            assert happened == {role: outcome == REDIRECT for role, outcome in expected[method].items()}


def test_the_table_covers_the_whole_admin():
    """The floor of what the resolver must list; a smaller number would mean views went missing."""
    assert {row.model for row in ROWS if row.model} == DOMAIN | SYNC_HISTORY | SUPERUSERS_ONLY
    assert sum(len([c for c in TABLE.get((r.family, r.view), ()) if c]) for r in ROWS) > 350
