"""When to sync: a change to synced data asks for one coalesced sync shortly after it commits.

A burst of saves or an import of 100,000 rows sets one Redis key and enqueues one delayed task; the task
clears the key before it plans, so changes made while it runs ask for the next run. Deleting a child
row (a contract item, a contact, a custom-field value) touches its parent, because the planner finds
changed records by `updated_at` and a deleted row leaves none behind.

Each change also says what it was ("clerk saved asset EX-1 through admin form", "import job #12
(assets.csv): 1,200 assets"); the run the burst leads to records them, so an automatic run names who and
what asked for it.
"""

import json
import logging
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from assets.models import Asset, Depot
from contracts.models import Contract, ContractItem
from customers.models import Customer, CustomerContact
from rentalbridge.changes import records_changed
from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue
from rentalbridge.history import current_source
from sync import dispatch

log = logging.getLogger(__name__)
PENDING_KEY = "rentalbridge:sync:requested"
CAUSES_KEY = "rentalbridge:sync:causes"
# A burst of 100,000 saves needs no 100,000 lines: the run names the first ones and counts the rest.
CAUSES_KEPT = 50
CAUSES_NAMED = 5
SYNCED_MODELS = (
    Customer,
    CustomerContact,
    Depot,
    Asset,
    Contract,
    ContractItem,
    CustomFieldDefinition,
    CustomFieldValue,
)


@dataclass(frozen=True)
class Causes:
    """What asked for a sync since the last one planned: the user, when one user did it all, and words."""

    user_id: int | None
    detail: str


def request_sync(cause: str = "", user_id: int | None = None) -> None:
    """Ask for one sync a few seconds after the current transaction commits (coalesced)."""
    if settings.SYNC_ON_CHANGE:
        transaction.on_commit(lambda: _schedule(cause, user_id))


def _schedule(cause: str, user_id: int | None) -> None:
    try:
        connection = redis.Redis.from_url(settings.REDIS_URL)
        if cause:
            with connection.pipeline() as pipe:
                pipe.rpush(CAUSES_KEY, json.dumps({"user": user_id, "cause": cause}))
                pipe.ltrim(CAUSES_KEY, 0, CAUSES_KEPT - 1)
                pipe.incr(f"{CAUSES_KEY}:count")
                pipe.execute()
        if not connection.set(PENDING_KEY, "1", nx=True, ex=settings.SYNC_DEBOUNCE_S * 10):
            return
    except redis.RedisError as error:
        # The nightly reconcile picks the change up; losing a nudge must not fail the user's save.
        log.warning("could not reach Redis to schedule a sync after a change: %s", error)
        return
    dispatch.enqueue("sync_now", trigger="auto", countdown=settings.SYNC_DEBOUNCE_S)


def take_causes() -> Causes:
    """The changes that asked for a sync since the last call, and forget them: the run about to be
    planned covers them all."""
    with redis.Redis.from_url(settings.REDIS_URL).pipeline() as pipe:
        pipe.lrange(CAUSES_KEY, 0, -1)
        pipe.get(f"{CAUSES_KEY}:count")
        pipe.delete(CAUSES_KEY, f"{CAUSES_KEY}:count")
        entries, count, _ = pipe.execute()
    causes = [json.loads(entry) for entry in entries]
    named = list(dict.fromkeys(cause["cause"] for cause in causes))
    users = {cause["user"] for cause in causes}
    total = int(count or 0)
    detail = "; ".join(named[:CAUSES_NAMED])
    if total > len(named[:CAUSES_NAMED]):
        detail += f"; {total:,} changes in all"
    lone_user = next(iter(users)) if len(users) == 1 and total <= CAUSES_KEPT else None
    return Causes(user_id=lone_user, detail=detail)


def clear_request() -> None:
    redis.Redis.from_url(settings.REDIS_URL).delete(PENDING_KEY)


def _touch(model: type[Model], pk: int | None) -> None:
    if pk is not None:
        model._default_manager.filter(pk=pk).update(updated_at=timezone.now())


def _on_save(sender: type[Model], instance: Model, created: bool = False, **kwargs: Any) -> None:
    request_sync(*_cause("added" if created else "saved", instance))


def _on_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if isinstance(instance, ContractItem):
        _touch(Asset, instance.asset_id)
    elif isinstance(instance, CustomerContact):
        _touch(Customer, instance.customer_id)
    elif isinstance(instance, CustomFieldValue):
        model = instance.content_type.model_class()
        if model in SYNCED_MODELS:
            _touch(model, instance.object_id)
    request_sync(*_cause("deleted", instance))


def _on_bulk_change(
    sender: type[Model], pks: list[int], actor: object, reason: str = "", **kwargs: Any
) -> None:
    who = actor.get_username() if hasattr(actor, "get_username") else str(actor or "")
    what = f"{len(pks):,} {sender._meta.verbose_name_plural if len(pks) != 1 else sender._meta.verbose_name}"
    cause = f"{reason or 'a bulk change'}: {what}" + (f" by {who}" if who else "")
    request_sync(cause, getattr(actor, "pk", None))


def _cause(verb: str, instance: Model) -> tuple[str, int | None]:
    """'clerk saved asset EX-1 through admin form', and the user's id, from what is changing it now."""
    source = current_source()
    user = source.user
    who = user.get_username() if user is not None else source.reason
    how = f" through {source.reason}" if user is not None else ""
    return f"{who} {verb} {instance._meta.verbose_name} {instance}{how}", getattr(user, "pk", None)


def connect() -> None:
    for model in SYNCED_MODELS:
        post_save.connect(_on_save, sender=model, dispatch_uid=f"sync-save-{model._meta.label}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"sync-delete-{model._meta.label}")
    records_changed.connect(_on_bulk_change, dispatch_uid="sync-bulk-change")
