"""CSV columns of depots and assets.

An asset row finds its record by external reference. When the reference cell is blank, it finds the one
existing asset with the row's PIN/VIN, or (no PIN given) with its serial number, and updates that asset;
no match, or several assets sharing the PIN/serial, rejects the row (a new asset always needs a reference).
The telematics columns (operating hours, last location and their times) are exported read-only: they come
from Trackunit, and an import ignores them.
"""

from collections import defaultdict

from import_export.fields import Field
from import_export.widgets import DateTimeWidget, DecimalWidget, FloatWidget

from assets.models import Asset, Depot, RentalStatus, polygon_problem
from rentalbridge.imports import cells
from rentalbridge.imports.batch import Batch
from rentalbridge.imports.bulk_resource import BulkModelResource, lookup_keys, reference_field
from rentalbridge.imports.prefetch import rows_where_in


class DepotResource(BulkModelResource):
    entity = "depots"
    required_columns = ("external_reference", "name")
    example_row = {
        "external_reference": "DEP-AAR",
        "name": "Aarhus Nord",
        "street": "Industrivej 4",
        "postal_code": "8200",
        "city": "Aarhus N",
        "country": "DK",
        "latitude": "56.196",
        "longitude": "10.175",
        "polygon": "",
    }

    class Meta:
        model = Depot
        fields = (
            "external_reference",
            "name",
            "street",
            "postal_code",
            "city",
            "country",
            "latitude",
            "longitude",
            "polygon",
        )
        import_id_fields = ("external_reference",)
        skip_unchanged = True
        report_skipped = True

    def check_rows(self, batch: Batch) -> None:
        for index in batch.ok_indexes():
            polygon = batch.get("polygon", index)
            if polygon is not None and (problem := polygon_problem(polygon)):
                batch.reject_attr(index, "polygon", "polygon", problem)

    def check_set(self, batch: Batch) -> None:
        """A point needs both coordinates, counting the stored one when the file has only one column."""
        if not (batch.has("latitude") or batch.has("longitude")):
            return
        for index, point in self.effective_values(batch, ["latitude", "longitude"]).items():
            if (point["latitude"] is None) == (point["longitude"] is None):
                continue
            missing = "latitude" if point["latitude"] is None else "longitude"
            if batch.has(missing):
                batch.reject_attr(
                    index, missing, "point_incomplete", "give both latitude and longitude, or neither"
                )
            else:
                given = "longitude" if missing == "latitude" else "latitude"
                batch.reject_attr(
                    index,
                    given,
                    "point_incomplete",
                    f"the depot has no {missing} and the file no {missing} column: give both, or neither",
                )


class _UnknownStatus(str):
    """A rental status the enum does not know: accepted only when it is what the asset already has."""


def _rental_status(text: str) -> str:
    text = text.strip()
    if not text:
        return RentalStatus.AVAILABLE
    try:
        return _KNOWN_STATUS(text)
    except cells.CellError:
        return _UnknownStatus(text)


_KNOWN_STATUS = cells.choices_parser(list(RentalStatus.choices))


class AssetResource(BulkModelResource):
    entity = "assets"
    required_columns = ("external_reference", "name")
    column_parsers = {
        "external_reference": cells.text_parser(max_length=100),
        "rental_status": _rental_status,
    }
    example_row = {
        "external_reference": "FLT-00001",
        "name": "Volvo EC220E #1",
        "identifier_type": "EXTERNAL_REFERENCE",
        "identifier": "",
        "serial_number": "VCEC220EV00012345",
        "pin": "YV1EC220E00000001",
        "make": "Volvo",
        "model": "EC220E",
        "asset_type": "MACHINE",
        "rental_status": "AVAILABLE",
        "owning_depot_reference": "DEP-AAR",
    }

    owning_depot = reference_field("owning_depot", Depot)
    operating_hours = Field(attribute="operating_hours", readonly=True, widget=DecimalWidget())
    operating_hours_at = Field(attribute="operating_hours_at", readonly=True, widget=DateTimeWidget())
    last_latitude = Field(attribute="last_latitude", readonly=True, widget=DecimalWidget())
    last_longitude = Field(attribute="last_longitude", readonly=True, widget=DecimalWidget())
    last_altitude = Field(attribute="last_altitude", readonly=True, widget=FloatWidget())
    last_location_at = Field(attribute="last_location_at", readonly=True, widget=DateTimeWidget())

    class Meta:
        model = Asset
        fields = (
            "external_reference",
            "name",
            "identifier_type",
            "identifier",
            "serial_number",
            "pin",
            "make",
            "model",
            "asset_type",
            "rental_status",
            "owning_depot",
            "operating_hours",
            "operating_hours_at",
            "last_latitude",
            "last_longitude",
            "last_altitude",
            "last_location_at",
        )
        import_id_fields = ("external_reference",)
        skip_unchanged = True
        report_skipped = True

    def match(self, batch: Batch) -> list[int | None]:
        references = batch.values["external_reference"]
        existing = lookup_keys(
            Asset, ("external_reference",), [(ref,) if ref else None for ref in references]
        )
        unreferenced = [index for index, ref in enumerate(references) if not ref and batch.is_ok(index)]
        by_pin = _assets_by(batch, "pin", unreferenced)
        by_serial = _assets_by(batch, "serial_number", unreferenced)
        for index in unreferenced:
            pin, serial = batch.get("pin", index) or "", batch.get("serial_number", index) or ""
            attname, value, candidates = (
                ("pin", pin, by_pin[pin]) if pin else ("serial_number", serial, by_serial[serial])
            )
            what = "PIN" if attname == "pin" else "serial number"
            if not value:
                batch.reject_attr(
                    index,
                    "external_reference",
                    "required",
                    "give the external reference, or the PIN or serial number of an existing asset",
                )
            elif not candidates:
                batch.reject_attr(
                    index,
                    attname,
                    "unknown_asset",
                    f"no asset has the {what} {value!r}; a new asset needs an external reference",
                )
            elif len(candidates) > 1:
                references_ = ", ".join(sorted(ref for _, ref in candidates))
                batch.reject_attr(
                    index,
                    attname,
                    "ambiguous",
                    f"{len(candidates)} assets have the {what} {value!r} ({references_}); "
                    "give the external reference",
                )
            else:
                existing[index], references[index] = candidates[0]
        return existing

    def check_set(self, batch: Batch) -> None:
        if not batch.has("rental_status"):
            return
        statuses = batch.values["rental_status"]
        for index, status in enumerate(statuses):
            if type(status) is not _UnknownStatus:
                continue
            pk = batch.existing[index]
            if pk is not None and batch.stored[pk]["rental_status"] == status:
                statuses[index] = str(status)
            else:
                allowed = ", ".join(RentalStatus.values)
                batch.reject_attr(index, "rental_status", "choices", f"{status!r} is not one of: {allowed}")


def _assets_by(batch: Batch, attname: str, indexes: list[int]) -> dict[str, list[tuple[int, str]]]:
    wanted = {batch.get(attname, index) for index in indexes}
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for value, pk, reference in rows_where_in(
        Asset.objects.all(), attname, wanted, "pk", "external_reference"
    ):
        found[value].append((pk, reference))
    return found
