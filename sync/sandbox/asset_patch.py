"""JSON Patch (RFC 6902) bodies of PATCH /asset/v1/assets/{assetId}, read into plain field changes.

developers.trackunit.com/reference/patchasset_v1: "update an asset using a partial update approach through
the use of JSON Patch defined in RFC 6902"; the paths and their limits are that page's fields ("length
between 0 and 127", "Minimum allowed production year is 1900", ...). Rules that depend on the asset itself
(owner, gateway, assetType changes) are assets.py's.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sync.sandbox import spec

# [A] the page names no media type: RFC 6902's own, and plain JSON, which clients commonly send.
MEDIA_TYPES = ("application/json-patch+json", "application/json")
# [A] test, move and copy have no use on the asset's flat object.
OPS = ("add", "replace", "remove")
# [A] an asset always has a name and an assetType, so those two cannot be removed.
NOT_REMOVABLE = ("name", "assetType")


@dataclass
class Patch:
    """The net effect of the operations, applied in order: `changes` to write, `removed` among them."""

    changes: dict[str, Any] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    violations: list[spec.Violation] = field(default_factory=list)


def _text(max_length: int, blank: bool = True) -> Callable[[spec.Checker, str, int], None]:
    def check(checker: spec.Checker, name: str, this_year: int) -> None:
        checker.text(name, max_length=max_length, blank=blank)

    return check


def _asset_type(checker: spec.Checker, name: str, this_year: int) -> None:
    checker.enum(name, spec.ASSET_TYPES)


def _production_year(checker: spec.Checker, name: str, this_year: int) -> None:
    checker.whole(name, spec.PRODUCTION_YEAR_MIN, this_year + 1)


def _production_date(checker: spec.Checker, name: str, this_year: int) -> None:
    day = checker.day(name)
    if day is not None and not spec.PRODUCTION_YEAR_MIN <= day.year <= this_year + 1:
        checker.fail(name, f"the year must be between {spec.PRODUCTION_YEAR_MIN} and {this_year + 1}")


PATHS: dict[str, Callable[[spec.Checker, str, int], None]] = {
    "/name": _text(spec.ASSET_NAME_MAX, blank=False),
    "/externalReference": _text(spec.EXTERNAL_REFERENCE_MAX),
    "/serialNumber": _text(spec.SERIAL_NUMBER_MAX),
    "/brand": _text(spec.BRAND_MAX),
    "/model": _text(spec.MODEL_MAX),
    "/type": _text(spec.ASSET_KIND_MAX),
    "/assetType": _asset_type,
    "/productionYear": _production_year,
    "/productionDate": _production_date,
}
# What `remove` leaves behind: text fields read back as "" (the docs' example shows an unset
# externalReference as ""), numbers and dates as null.
CLEARED = {"productionYear": None, "productionDate": None}


def read_patch(body: Any, this_year: int) -> Patch:
    """Check every operation and fold them into one set of changes; `violations` lists all problems."""
    patch = Patch()
    if not isinstance(body, list) or not body:
        patch.violations.append(spec.violation("body", "must be a non-empty JSON Patch array"))
        return patch
    for index, operation in enumerate(body):
        _read_operation(patch, f"patch[{index}]", operation, this_year)
    if not patch.violations:
        _production_rules(patch)
    return patch


def _read_operation(patch: Patch, where: str, operation: Any, this_year: int) -> None:
    if not isinstance(operation, dict):
        patch.violations.append(spec.violation(where, "must be an operation object"))
        return
    checker = spec.Checker(operation, f"{where}.", patch.violations)
    op, path = operation.get("op"), operation.get("path")
    checker.enum("op", OPS, required=True)
    checker.enum("path", tuple(PATHS), required=True)
    if op not in OPS or path not in tuple(PATHS):
        return
    name = path[1:]
    if op == "remove":
        checker.only(("op", "path"))
        if name in NOT_REMOVABLE:
            checker.fail("path", f"{name} cannot be removed")
            return
        patch.changes[name] = CLEARED.get(name, "")
        patch.removed.add(name)
        return
    checker.only(("op", "path", "value"))
    if operation.get("value") is None:
        checker.fail("value", "must not be null (the remove operation clears a field)")
        return
    before = len(patch.violations)
    PATHS[path](spec.Checker({name: operation["value"]}, violations=patch.violations), name, this_year)
    if len(patch.violations) == before:
        patch.changes[name] = operation["value"]
        patch.removed.discard(name)


def _production_rules(patch: Patch) -> None:
    """patchasset_v1: "The year of Production Date must match Production Year if both are provided together.
    Updating one while deleting the other is an error." """
    both = {"productionDate", "productionYear"}
    if not both <= patch.changes.keys():
        return
    if patch.removed & both and not both <= patch.removed:
        patch.violations.append(
            spec.violation(
                "productionDate", "updating productionDate or productionYear while removing the other"
            )
        )
    elif (
        not patch.removed & both
        and int(patch.changes["productionDate"][:4]) != patch.changes["productionYear"]
    ):
        patch.violations.append(spec.violation("productionDate", "its year must equal productionYear"))
