"""What the sync layer remembers between runs and restarts."""

from contextlib import nullcontext
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone

from sync.audit_chain import GENESIS, body_digest, content_digest, link


class AempRequestLog(models.Model):
    """When each ISO 15143-3 URL was last requested.

    Trackunit allows one request per URL per 15 minutes and counts failed requests too, so the time is
    written before the request leaves and survives restarts; the client refuses instead of earning a 429.
    """

    url = models.CharField(max_length=2048, unique=True)
    last_requested_at = models.DateTimeField()

    class Meta:
        verbose_name = "ISO 15143-3 request"

    def __str__(self) -> str:
        return f"{self.url} at {self.last_requested_at:%Y-%m-%d %H:%M:%S}"


class SyncStatus(models.TextChoices):
    IN_SYNC = "in_sync", "In sync"
    PENDING = "pending", "Pending"
    FAILED = "failed", "Failed"
    DRIFT = "drift", "Drift"
    # Set aside: not sent again until someone retries the record or it changes (sync/attention.py).
    NEEDS_ATTENTION = "attention", "Needs attention"
    WAITING = "waiting", "Waiting for Trackunit"
    IGNORED = "ignored", "Ignored until it changes"


class SyncState(models.Model):
    """The ledger: what Trackunit last accepted for one record, so the next plan sends only changes.

    Written only after Trackunit accepted a push; a record whose push failed keeps its old hash and is
    planned again. `source_version` is the newest `updated_at` of the local rows that built the payload,
    which lets the planner skip untouched records without building their payloads.
    """

    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=255)
    remote_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(null=True, blank=True)
    payload_hash = models.CharField(max_length=64, blank=True)
    source_version = models.DateTimeField(null=True, blank=True)
    mapping_version = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    last_error = models.TextField(blank=True)
    # Failed pushes in a row, and the hash of the payload that failed last: the same payload set aside
    # stays aside, a changed record is tried again.
    failures = models.PositiveSmallIntegerField(default=0)
    failed_hash = models.CharField(max_length=64, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sync state"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="syncstate_one_per_record")]
        indexes = [models.Index(fields=["kind", "status"], name="syncstate_kind_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.get_status_display()}"


class RunStatus(models.TextChoices):
    PLANNING = "planning", "Being planned"
    PLANNED = "planned", "Planned (dry run)"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Finished with failures"
    STALE = "stale", "Refused: stale plan"
    AWAITING_APPROVAL = "awaiting", "Awaiting approval"
    DISCARDED = "discarded", "Discarded"
    EXPIRED = "expired", "Expired (never applied)"


class SyncRun(models.Model):
    """One plan, and (once applied) the push of exactly that plan."""

    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.PLANNED)
    # The phase being pushed; advanced by a conditional UPDATE so only one worker moves a run forward.
    current_phase = models.PositiveSmallIntegerField(default=0)
    trigger = models.CharField(max_length=32, help_text="admin, command, auto, nightly, retry")
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger_detail = models.TextField(
        blank=True, help_text="What asked for an automatic run: whose save of which record, which import job."
    )
    approval_reason = models.CharField(
        max_length=255, blank=True, help_text="Why an automatic plan waits for an operator's approval."
    )
    scope = models.JSONField(default=dict, blank=True, help_text="What the plan covered.")
    summary = models.JSONField(default=dict, blank=True, help_text="Counts per action, unchanged included.")
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When it began pushing.")
    finished_at = models.DateTimeField(null=True, blank=True)
    # The Trackunit account the run pushes to (the client's account key): one run pushes per account.
    account = models.CharField(max_length=255, blank=True)
    # A worker working on the run keeps this in the future; a run past it lost its tasks and is resumed.
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "sync run"
        permissions = [
            ("run_syncrun", "Can plan and apply syncs"),
            ("retry_syncrun", "Can retry failed syncs"),
        ]
        constraints = [
            # Two runs pushing to one account at once could send an older payload after a newer one.
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(status="running") & ~models.Q(account=""),
                name="syncrun_one_running_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"Sync run #{self.pk}"

    @property
    def actor_label(self) -> str:
        user = self.applied_by or self.triggered_by
        return user.get_username() if user else self.trigger


class OperationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class SyncOperation(models.Model):
    """One create, update or delete of one record in a plan, with the payload reviewed and its diff."""

    # No index of its own: the unique constraint and the status index both lead with the run, and a third
    # index on it cost a tenth of writing a first plan's operations on SQLite.
    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="operations", db_index=False)
    phase = models.PositiveSmallIntegerField(help_text="Dependency order: lower phases run first.")
    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=255)
    action = models.CharField(
        max_length=8, choices=[("create", "create"), ("update", "update"), ("delete", "delete")]
    )
    fields = models.JSONField(
        default=dict, blank=True, help_text="{field: [before, after]} of an update (see `changes`)"
    )
    payload = models.JSONField(null=True, blank=True)
    payload_hash = models.CharField(max_length=64, blank=True)
    source_version = models.DateTimeField(null=True, blank=True)
    depends_on = models.JSONField(default=list, blank=True, help_text='["kind:key", ...] pushed first.')
    status = models.CharField(max_length=16, choices=OperationStatus.choices, default=OperationStatus.PENDING)
    remote_id = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=100, blank=True)
    error_message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Held by the one task pushing this operation, renewed while it works; redelivered or resumed
    # tasks leave a claimed operation alone, so an operation is never pushed twice at the same time.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["phase", "id"]
        verbose_name = "operation"
        constraints = [
            models.UniqueConstraint(fields=["run", "kind", "key"], name="operation_one_per_record_and_run")
        ]
        indexes = [models.Index(fields=["run", "status"], name="operation_run_status_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.kind} {self.key}"

    @property
    def changes(self) -> dict[str, list[Any]]:
        """{field: [before, after]} as operators review it. A create's is every field of its payload, from
        nothing: derived here rather than stored, since a first plan would otherwise write each payload twice.
        """
        if self.action == "create":
            return {name: [None, value] for name, value in sorted((self.payload or {}).items())}
        return self.fields

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.key}"


class SyncJob(models.Model):
    """A long piece of sync work an operator asked for in the admin (plan, drift check, sync now).

    A Celery worker does it; the admin page follows `stage` and the progress counts, so no request waits
    for work that grows with the fleet.
    """

    class Action(models.TextChoices):
        PLAN = "plan", "Plan sync"
        DRIFT = "drift", "Detect drift"
        SYNC_NOW = "sync_now", "Sync now"
        RETRY_FAILED = "retry_failed", "Retry failed"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    action = models.CharField(max_length=16, choices=Action.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=200, blank=True, help_text="What the worker is doing now.")
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    run = models.ForeignKey(
        SyncRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The plan made.",
    )
    drift_found = models.PositiveIntegerField(null=True, blank=True, help_text="Records that differ.")
    message = models.TextField(blank=True, help_text="Why the job failed.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Until when the worker doing the job answers for it; its watchdog renews this.",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "sync job"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["plan", "drift", "sync_now", "retry_failed"]),
                name="syncjob_action_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="syncjob_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["done", "failed"], finished_at__isnull=False)
                | models.Q(status__in=["queued", "running"], finished_at__isnull=True),
                name="syncjob_finished_iff_over",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Sync attempts are append-only.")

    def delete(self):
        raise PermissionError("Sync attempts are append-only.")

    def bulk_create(self, objs, *args, **kwargs):
        """Sealed into the hash chain like single inserts, so no way of writing attempts skips it."""
        objs = list(objs)
        with transaction.atomic(using=self.db):
            seal_into_chain(objs, self.db)
            return super().bulk_create(objs, *args, **kwargs)


class SyncAttempt(models.Model):
    """One HTTP exchange with Trackunit, exactly as sent and answered (secrets redacted). Append-only."""

    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts")
    operation = models.ForeignKey(
        SyncOperation, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts"
    )
    kind = models.CharField(max_length=32, blank=True)
    key = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=8, blank=True)
    method = models.CharField(max_length=8)
    url = models.TextField()
    request_body = models.TextField(blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    duration_ms = models.FloatField()
    attempt = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(max_length=16, help_text="success, http_error or transport_error")
    error_code = models.CharField(max_length=100, blank=True)
    error_message = models.TextField(blank=True)
    triggered_by = models.CharField(max_length=150)
    # Set when the row is sealed into the chain (seal_into_chain), which the hash covers.
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    # Tamper evidence (sync/audit_chain.py): digests of the bodies as stored, and the hash chain. Blank
    # only for a row written behind the application's back, which verify_audit then names.
    request_sha256 = models.CharField(max_length=64, editable=False, db_default="")
    response_sha256 = models.CharField(max_length=64, editable=False, db_default="")
    previous_hash = models.CharField(max_length=64, editable=False, db_default="")
    chain_hash = models.CharField(max_length=64, editable=False, db_default="")
    bodies_pruned_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When retention blanked the bodies (digests kept)."
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "sync attempt"
        indexes = [
            models.Index(fields=["kind", "key"], name="attempt_record_idx"),
            # Covers the dashboard's counts by day, outcome, status and error code without reading the
            # rows, whose bodies make them large.
            models.Index(
                fields=["created_at", "outcome", "status_code", "error_code"], name="attempt_time_outcome_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bodies_pruned_at__isnull=True)
                | models.Q(request_body="", response_body=""),
                name="syncattempt_pruned_bodies_blank",
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.url} -> {self.status_code or self.outcome}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("Sync attempts are append-only.")
        using = kwargs.get("using") or router.db_for_write(SyncAttempt, instance=self)
        if connections[using].vendor == "postgresql":
            _insert_sealed(self, using)
            return
        with transaction.atomic(using=using):
            seal_into_chain([self], using)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Sync attempts are append-only.")


# Any constant bigint, the same for every writer: the advisory lock that serialises appends to the chain.
CHAIN_LOCK_KEY = 0x5359_4E43_4841_494E


def seal_into_chain(attempts: list[SyncAttempt], using: str) -> None:
    """Stamp new attempts (in insert order) with their time, body digests and chain hashes.

    The way into the audit trail for bulk_create, and for SyncAttempt.save on SQLite (on PostgreSQL save
    seals and inserts in one round trip, `_insert_sealed`), inside the insert's transaction. On PostgreSQL
    the transaction-scoped advisory lock keeps two workers from both linking to the same last row (it is
    released at commit, once the rows are visible); SQLite already serialises writers (IMMEDIATE
    transactions).
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    last = SyncAttempt._base_manager.using(using).order_by("-id").values_list("chain_hash", flat=True).first()
    previous = last or GENESIS
    now = timezone.now()
    for attempt in attempts:
        _stamp(attempt, now)
        attempt.previous_hash = previous
        attempt.chain_hash = previous = link(previous, vars(attempt))


def _stamp(attempt: SyncAttempt, now: datetime) -> None:
    """What a new attempt carries before it is linked: its time and the digests of its bodies."""
    attempt.created_at = now
    attempt.request_sha256 = body_digest(attempt.request_body)
    attempt.response_sha256 = body_digest(attempt.response_body)


def _insert_sealed(attempt: SyncAttempt, using: str) -> None:
    """PostgreSQL: take the chain's lock, read the last hash and insert the sealed row in ONE round trip, so
    the lock is held for the server's work only, never while the client thread waits for the CPU or GIL.

    A multi-statement query runs as one transaction (or inside the caller's); in READ COMMITTED each of
    its statements takes a new snapshot, so the INSERT reads the last hash after the lock was granted.
    The time is stamped before the lock: two workers' rows of the same millisecond may be microseconds out
    of id order, and the chain's order is the id order (as verification walks it).
    """
    _stamp(attempt, timezone.now())
    digest = content_digest(vars(attempt))
    connection = connections[using]
    fields = [
        f
        for f in SyncAttempt._meta.concrete_fields
        if not f.primary_key and f.attname not in ("previous_hash", "chain_hash")
    ]
    values = [f.get_db_prep_save(getattr(attempt, f.attname), connection) for f in fields]
    table = connection.ops.quote_name(SyncAttempt._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        "SELECT pg_advisory_xact_lock(%s); "
        f"INSERT INTO {table} ({columns}, previous_hash, chain_hash) "
        f"SELECT {placeholders}, last.hash, encode(sha256(convert_to(last.hash || %s, 'UTF8')), 'hex') "
        f"FROM (SELECT COALESCE((SELECT chain_hash FROM {table} ORDER BY id DESC LIMIT 1), %s) AS hash) last "
        "RETURNING id, previous_hash, chain_hash"
    )
    params = [CHAIN_LOCK_KEY, *values, digest, GENESIS]
    # Inside a transaction, a savepoint keeps a refused insert from poisoning it.
    inside = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    with inside, connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.nextset()
        attempt.id, attempt.previous_hash, attempt.chain_hash = cursor.fetchone()
    attempt._state.adding = False
    attempt._state.db = using


class AuditVerification(models.Model):
    """One check of the audit trail's hash chain (verify_audit), so its last result can be shown."""

    verified_at = models.DateTimeField(default=timezone.now, db_index=True)
    intact = models.BooleanField()
    attempts_checked = models.PositiveBigIntegerField(help_text="Rows that held, in id order.")
    first_broken_id = models.BigIntegerField(
        null=True, blank=True, help_text="The first attempt that did not."
    )
    message = models.TextField()
    head_hash = models.CharField(
        max_length=64, help_text="Chain hash of the last row that held: compare with later verifications."
    )

    class Meta:
        ordering = ["-verified_at", "-id"]
        verbose_name = "audit verification"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(intact=True, first_broken_id__isnull=True)
                | models.Q(intact=False, first_broken_id__isnull=False),
                name="auditverification_broken_id_iff_not_intact",
            )
        ]

    def __str__(self) -> str:
        return self.message


class DriftResolution(models.TextChoices):
    OPEN = "open", "Open"
    OVERWRITE_REMOTE = "overwrite_remote", "Overwrite Trackunit"
    ADOPT_REMOTE = "adopt_remote", "Adopted locally"


class SyncDrift(models.Model):
    """A record someone changed in Trackunit after RentalBridge pushed it: both sides, and what was done."""

    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=255)
    fields = models.JSONField(help_text='{field: {"pushed": ..., "remote": ...}}')
    detected_at = models.DateTimeField(auto_now_add=True)
    resolution = models.CharField(
        max_length=20, choices=DriftResolution.choices, default=DriftResolution.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = "drift"
        verbose_name_plural = "drift"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=models.Q(resolution="open"),
                name="drift_one_open_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.get_resolution_display()})"


class RemoteAssetStatus(models.TextChoices):
    MATCHED = "matched", "Matched"
    FOREIGN = "foreign", "Owned by another account"
    UNMATCHED = "unmatched", "No local asset"
    AMBIGUOUS = "ambiguous", "Matches several local assets"


class RemoteAsset(models.Model):
    """Trackunit's asset list as last read, and what matching made of each asset.

    Rewritten whole at each read (at the start of every asset phase), so it is the report behind "which
    Trackunit assets are ours": foreign ones (another account owns them and shares them with ours) are never
    written to, and unmatched or ambiguous ones wait for the ERP data that would match them.
    """

    trackunit_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255, blank=True)
    serial_number = models.CharField(max_length=100, blank=True)
    external_reference = models.CharField(max_length=100, blank=True)
    asset_type = models.CharField("asset class", max_length=32, blank=True)
    type = models.CharField("type", max_length=100, blank=True)
    owner_account_id = models.CharField(max_length=64, blank=True)
    editable = models.BooleanField(help_text="Trackunit's permissions.edit for our account.")
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=RemoteAssetStatus.choices)
    reason = models.TextField(blank=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = "Trackunit asset"
        ordering = ["status", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RemoteAssetStatus.values), name="remoteasset_status_valid"
            ),
            # Nothing we may not write to counts as matched.
            models.CheckConstraint(
                condition=~models.Q(status="matched") | models.Q(editable=True),
                name="remoteasset_matched_is_editable",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="remoteasset_status_idx"),
            models.Index(fields=["serial_number"], name="remoteasset_serial_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.trackunit_id} ({self.get_status_display()})"


class TelematicsPull(models.Model):
    """One pull of Trackunit's ISO 15143-3 export into the assets, with what it found; its HTTP exchanges
    are sync attempts like every other."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not asked (one request per URL per 15 minutes)"

    trigger = models.CharField(max_length=32, help_text="schedule, command, admin or asset")
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scope = models.CharField(max_length=100, help_text="fleet, or the asset refreshed")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    pages = models.PositiveIntegerField(default=0)
    equipment = models.PositiveIntegerField(default=0, help_text="Equipment in the pages read.")
    matched = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0, help_text="New readings applied to their assets.")
    unchanged = models.PositiveIntegerField(default=0, help_text="Readings seen by an earlier pull.")
    older = models.PositiveIntegerField(default=0, help_text="Older than the asset's: kept in history only.")
    flagged = models.PositiveIntegerField(default=0, help_text="Hours went down: kept in history, flagged.")
    unmatched = models.PositiveIntegerField(default=0)
    ambiguous = models.PositiveIntegerField(default=0)
    foreign = models.PositiveIntegerField(default=0, help_text="Assets another account owns: not ours.")
    message = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "telematics pull"
        permissions = [("run_telematicspull", "Can pull telematics from Trackunit")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["running", "succeeded", "failed", "skipped"]),
                name="telematicspull_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"Telematics pull #{self.pk} ({self.get_status_display()})"


class TelematicsSkip(models.Model):
    """Equipment a pull read but did not store, and why: no local asset, several, or not ours."""

    pull = models.ForeignKey(TelematicsPull, on_delete=models.CASCADE, related_name="skips")
    outcome = models.CharField(
        max_length=16,
        choices=[
            ("unmatched", "No local asset"),
            ("ambiguous", "Several local assets"),
            ("foreign", "Not ours"),
        ],
    )
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pin = models.CharField("PIN", max_length=100, blank=True)
    serial_number = models.CharField(max_length=100, blank=True)
    machine_id = models.CharField("Trackunit asset id", max_length=64, blank=True)
    external_reference = models.CharField(max_length=100, blank=True)
    make = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    reason = models.TextField()

    class Meta:
        verbose_name = "equipment not stored"
        verbose_name_plural = "equipment not stored"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["unmatched", "ambiguous", "foreign"]),
                name="telematicsskip_outcome_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pin or self.serial_number or self.machine_id}: {self.reason}"
