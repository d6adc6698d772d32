"""Customer asset assignments: a customer has access to the assets on its open contracts.

Trackunit publishes how to assign (POST .../customers/{id}/assets) but no way to remove an assignment
(changelogs/customer-api-v1.md); un-assigning happens through the rental data, whose contracts "can be used
for assigning and unassigning assets to and from customers" (custom-erp-integration-guide.md). So an
assignment is never deleted here: when a contract completes, the asset's rental data drops its items.
"""

from collections.abc import Collection, Iterator

from django.db.models import CharField, Max, QuerySet, Value
from django.db.models.functions import Concat, Greatest

from assets.models import Asset
from contracts.models import ContractItem, ContractStatus
from sync import remote_assets
from sync.kinds.base import (
    SYNC_KEY,
    Desired,
    Kind,
    NotReady,
    Push,
    changed_since_accepted,
    changed_since_planned,
    chunked,
    keyed,
)
from sync.ledger import remote_id_of
from sync.models import SyncState
from sync.planned import PlannedOperation
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi

SEPARATOR = "/"


def _open_items() -> QuerySet:
    return ContractItem.objects.filter(contract__status=ContractStatus.OPEN).annotate(
        pair=Concat(
            "contract__customer__external_reference",
            Value(SEPARATOR),
            "asset__external_reference",
            output_field=CharField(),
        )
    )


def _suffixes(key: str) -> list[str]:
    """Every way `key` may end in an asset reference (references may contain the separator)."""
    return [key[i + 1 :] for i, char in enumerate(key) if char == SEPARATOR]


class AssignmentKind(Kind):
    name = "customer_asset"
    label = "customer asset assignment"
    phase = 7
    deletable = False

    def present(self) -> QuerySet:
        return keyed(_open_items(), "pair")

    def present_count(self) -> int:
        # A customer may rent one asset on two open items: one assignment. Counted by ids, not by the
        # computed key, which costs a string per item (references are unique, so the count is the same).
        pairs = _open_items().values("contract__customer_id", "asset_id").distinct()
        return pairs.count()

    def changed(self, mapping_version: int) -> list[str]:
        return changed_since_accepted(
            _open_items(),
            kind=self.name,
            mapping_version=mapping_version,
            key="pair",
            changed_at=Greatest("updated_at", "contract__updated_at"),
        )

    def changed_since_planned(self, run_id: int) -> list[str]:
        return changed_since_planned(
            _open_items(),
            run_id=run_id,
            kind=self.name,
            key="pair",
            changed_at=Greatest("updated_at", "contract__updated_at"),
        )

    def existing(self, keys: list[str]) -> set[str]:
        # The key is computed: find the pairs through their indexed asset references, then match exactly.
        assets = sorted({suffix for key in keys for suffix in _suffixes(key)})
        pairs = _open_items().filter(asset__external_reference__in=assets).values_list("pair", flat=True)
        return set(pairs) & set(keys)

    def gone(self) -> set[str]:
        # The key is computed (customer/asset), so no index serves a correlated lookup: compare sets.
        stored = set(SyncState.objects.filter(kind=self.name).values_list("key", flat=True))
        return stored - set(self.present().values_list(SYNC_KEY, flat=True))

    def desired(self, keys: Collection[str] | None = None) -> Iterator[Desired]:
        items = _open_items()
        # Pairs are found through their indexed asset reference, then matched exactly.
        assets = None if keys is None else sorted({suffix for key in keys for suffix in _suffixes(key)})
        for chunk in [None] if assets is None else chunked(assets):
            pairs = items if chunk is None else items.filter(asset__external_reference__in=chunk)
            rows = (
                pairs.values("pair", "contract__customer__external_reference", "asset__external_reference")
                .annotate(version=Greatest(Max("updated_at"), Max("contract__updated_at")))
                .order_by()
            )
            for row in rows.iterator(chunk_size=5000):
                if keys is not None and row["pair"] not in keys:
                    continue
                customer, asset = (
                    row["contract__customer__external_reference"],
                    row["asset__external_reference"],
                )
                payload = {"customer": customer, "asset": asset}
                depends = (f"customer:{customer}", f"asset_reference:{asset}")
                yield Desired(row["pair"], payload, row["version"], depends)

    def blocked(self, operations: list[PlannedOperation]) -> dict[str, str]:
        by_asset = {op.payload["asset"]: op.key for op in operations if op.payload}
        reasons = remote_assets.foreign_reasons(list(by_asset))
        return {by_asset[reference]: reason for reference, reason in reasons.items()}

    def push(self, api: TrackunitApi, push: Push) -> str:
        # References may contain the separator themselves, so the parts come from the payload, not the key.
        customer_reference, asset_reference = push.body["customer"], push.body["asset"]
        remote_assets.ensure_writable(asset_reference)
        customer_id = remote_id_of("customer", customer_reference)
        if not customer_id:
            raise NotReady(f"customer {customer_reference} is not in Trackunit yet")
        asset_id = (
            Asset.objects.filter(external_reference=asset_reference)
            .values_list("trackunit_asset_id", flat=True)
            .first()
        )
        if not asset_id:
            message = f"asset {asset_reference} is not matched to a Trackunit asset"
            raise remote_assets.not_in_trackunit(message)
        api.assign_customer_asset(customer_id, wire.customer_asset_body(asset_id=str(asset_id)))
        return str(asset_id)
