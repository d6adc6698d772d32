"""When to sync: a change to synced data asks for one coalesced sync shortly after it commits.

A burst of saves or an import of 100,000 rows sets one Redis key and enqueues one delayed task; the task
clears the key before it plans, so changes made while it runs ask for the next run. Deleting a child
row (a contract item, a contact, a custom-field value) touches its parent, because the planner finds
changed records by `updated_at` and a deleted row leaves none behind.
"""

import logging
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
from sync import dispatch

log = logging.getLogger(__name__)
PENDING_KEY = "rentalbridge:sync:requested"
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


def request_sync(reason: str = "auto") -> None:
    """Ask for one sync a few seconds after the current transaction commits (coalesced)."""
    if settings.SYNC_ON_CHANGE:
        transaction.on_commit(lambda: _schedule(reason))


def _schedule(reason: str) -> None:
    try:
        connection = redis.Redis.from_url(settings.REDIS_URL)
        if not connection.set(PENDING_KEY, reason, nx=True, ex=settings.SYNC_DEBOUNCE_S * 10):
            return
    except redis.RedisError as error:
        # The nightly reconcile picks the change up; losing a nudge must not fail the user's save.
        log.warning("could not reach Redis to schedule a sync after a change: %s", error)
        return
    dispatch.enqueue("sync_now", trigger="auto", countdown=settings.SYNC_DEBOUNCE_S)


def clear_request() -> None:
    redis.Redis.from_url(settings.REDIS_URL).delete(PENDING_KEY)


def _touch(model: type[Model], pk: int | None) -> None:
    if pk is not None:
        model._default_manager.filter(pk=pk).update(updated_at=timezone.now())


def _on_save(sender: type[Model], **kwargs: Any) -> None:
    request_sync()


def _on_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if isinstance(instance, ContractItem):
        _touch(Asset, instance.asset_id)
    elif isinstance(instance, CustomerContact):
        _touch(Customer, instance.customer_id)
    elif isinstance(instance, CustomFieldValue):
        model = instance.content_type.model_class()
        if model in SYNCED_MODELS:
            _touch(model, instance.object_id)
    request_sync()


def _on_bulk_change(sender: type[Model], pks: list[int], actor: object, **kwargs: Any) -> None:
    request_sync()


def connect() -> None:
    for model in SYNCED_MODELS:
        post_save.connect(_on_save, sender=model, dispatch_uid=f"sync-save-{model._meta.label}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"sync-delete-{model._meta.label}")
    records_changed.connect(_on_bulk_change, dispatch_uid="sync-bulk-change")
