"""Every kind of record RentalBridge pushes, in dependency order."""

from sync.kinds.assets import AssetKind
from sync.kinds.assignments import AssignmentKind
from sync.kinds.base import Kind
from sync.kinds.contacts import ContactKind
from sync.kinds.customers import CustomerKind
from sync.kinds.definitions import DefinitionKind
from sync.kinds.depots import DepotKind
from sync.kinds.rental import RentalKind
from sync.kinds.values import ValuesKind

KINDS: tuple[Kind, ...] = (
    DefinitionKind(),
    DepotKind(),
    CustomerKind(),
    ContactKind(),
    AssetKind(),
    RentalKind(),
    AssignmentKind(),
    ValuesKind(),
)
BY_NAME = {kind.name: kind for kind in KINDS}
