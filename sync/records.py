"""The local record behind a sync ledger key: (kind, key) -> its admin page, so an auditor can click through.

Keys are what sync/kinds/ push by: an external reference for customers, depots and assets (both the
`asset_reference` and the `asset` rental-data kind), the definition key, `customer/name` for contacts,
`customer/asset` for assignments (linked to the asset) and `ENTITY:reference` for custom-field values.
A page of attempts is resolved with one query per model, not one per row.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import CharField, F, Model, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.urls import NoReverseMatch, reverse

from assets.models import Asset, Depot
from customers.models import Customer, CustomerContact
from rentalbridge.customfields.models import CustomFieldDefinition, EntityType
from sync.kinds import assignments, contacts, values

Record = tuple[str, str]  # (kind, key)
_REFERENCE = "_record_reference"

_BY_REFERENCE: dict[str, type[Model]] = {
    "customer": Customer,
    "depot": Depot,
    "asset": Asset,
    "asset_reference": Asset,
}


def _candidates(kind: str, key: str) -> list[tuple[type[Model], str]]:
    """(model, reference) pairs that may hold the record, most likely first."""
    if kind in _BY_REFERENCE:
        return [(_BY_REFERENCE[kind], key)]
    if kind == "definition":
        return [(CustomFieldDefinition, key)]
    if kind == "contact":
        return [(CustomerContact, key)]
    if kind == "customer_asset":
        # Customer references may contain the separator too: try every split, longest asset part first.
        return [(Asset, key[i + 1 :]) for i, char in enumerate(key) if char == assignments.SEPARATOR]
    if kind == "custom_fields" and values.SEPARATOR in key:
        entity, reference = key.split(values.SEPARATOR, 1)
        if entity in values.ENTITIES:
            return [(values.ENTITIES[entity][0], reference)]
    return []


def _rows(model: type[Model]) -> QuerySet:
    """The model's rows with the reference the ledger knows them by."""
    reference: Concat | F
    if model is CustomerContact:
        reference = Concat(
            "customer__external_reference", Value(contacts.SEPARATOR), "name", output_field=CharField()
        )
    elif model is CustomFieldDefinition:
        reference = F("key")
    else:
        reference = F("external_reference")
    return model._default_manager.annotate(**{_REFERENCE: reference})


def _admin_url(model: type[Model], pk: int) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
    except NoReverseMatch:
        return None


def record_urls(records: Iterable[Record]) -> dict[Record, str]:
    """Admin URL of each record's local object; records with none (deleted, unknown kind) are left out."""
    candidates = {record: _candidates(*record) for record in set(records)}
    wanted: dict[type[Model], set[str]] = defaultdict(set)
    for pairs in candidates.values():
        for model, reference in pairs:
            wanted[model].add(reference)
    found: dict[tuple[type[Model], str], int] = {}
    for model, references in wanted.items():
        rows = _rows(model).filter(**{f"{_REFERENCE}__in": references}).values_list(_REFERENCE, "pk")
        found.update({(model, reference): pk for reference, pk in rows})
    urls = {}
    for record, pairs in candidates.items():
        pk_of = next(((model, found[model, ref]) for model, ref in pairs if (model, ref) in found), None)
        url = pk_of and _admin_url(*pk_of)
        if url:
            urls[record] = url
    return urls


def record_url(kind: str, key: str) -> str | None:
    """Admin URL of one record's local object, or None when it has none."""
    return record_urls([(kind, key)]).get((kind, key))


ASSETS_SEARCHED = 500
ASSET_KINDS = ("asset", "asset_reference")


def asset_record_filter(term: str) -> Q | None:
    """Ledger rows (kind, key) of the assets whose PIN, serial number or reference contains `term`.

    Attempts are keyed by an asset's external reference, but an auditor holds a PIN or serial number from
    the machine plate; at most ASSETS_SEARCHED assets are taken, so a one-letter search stays cheap.
    None when no asset matches.
    """
    term = term.strip()
    if not term:
        return None
    matching = Asset.objects.filter(
        Q(pin__icontains=term) | Q(serial_number__icontains=term) | Q(external_reference__icontains=term)
    ).order_by("pk")
    references = list(matching.values_list("external_reference", flat=True)[:ASSETS_SEARCHED])
    if not references:
        return None
    valued = [f"{EntityType.ASSET.value}{values.SEPARATOR}{reference}" for reference in references]
    return Q(kind__in=ASSET_KINDS, key__in=references) | Q(kind=values.ValuesKind.name, key__in=valued)


def records_of(obj: Model) -> list[Record]:
    """The ledger records (kind, key) a local object is pushed as: the reverse of record_urls.

    Assignments are left out: their key joins a customer's reference to the asset's, and the asset's own
    records already show what was pushed about it.
    """
    if isinstance(obj, CustomFieldDefinition):
        return [("definition", obj.key)] if obj.key else []
    if isinstance(obj, CustomerContact):
        return [
            (contacts.ContactKind.name, f"{obj.customer.external_reference}{contacts.SEPARATOR}{obj.name}")
        ]
    reference = getattr(obj, "external_reference", "")
    if not reference:
        return []
    own = [kind for kind, model in _BY_REFERENCE.items() if isinstance(obj, model)]
    entity = next((entity for entity, spec in values.ENTITIES.items() if isinstance(obj, spec[0])), None)
    valued = [(values.ValuesKind.name, f"{entity!s}{values.SEPARATOR}{reference}")] if entity else []
    return [(kind, reference) for kind in own] + valued
