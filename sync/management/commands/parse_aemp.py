"""What RentalBridge reads from an ISO 15143-3 feed file: how an integrator checks a new OEM's feed."""

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sync.trackunit.aemp import Equipment, InvalidDocument, parse_document


class Command(BaseCommand):
    help = (
        "Parse an ISO 15143-3 (AEMP 2.0) fleet snapshot or single-element file (XML or JSON) and print, per "
        "equipment, what RentalBridge reads: header, metadata, location, hours and the other data points. "
        "Touches no database."
    )
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the feed file (XML or JSON, told apart by its content)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            page = parse_document(path.read_bytes())
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        except InvalidDocument as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            document = {"links": page.links, "equipment": [_plain(asdict(eq)) for eq in page.equipment]}
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        for index, equipment in enumerate(page.equipment, start=1):
            self.stdout.write(_describe(index, equipment))
        links = ", ".join(f"{rel} {href}" for rel, href in page.links.items()) or "none"
        self.stdout.write(f"{len(page.equipment)} equipment; links: {links}")


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _describe(index: int, eq: Equipment) -> str:
    def when(group) -> str:
        return f" at {group.at.isoformat()}" if group is not None and group.at else ""

    lines = [
        f"#{index} {eq.oem_name or '?'} {eq.model or '?'}: PIN {eq.pin or '-'}, "
        f"serial {eq.serial_number or '-'}, equipment id {eq.equipment_id or '-'}"
    ]
    if eq.metadata:
        meta = eq.metadata
        lines.append(
            f"   metadata: MachineId {meta.machine_id or '-'}, ExternalReferenceNumber "
            f"{meta.external_reference_number or '-'}, unit {meta.unit_id or '-'}, "
            f"telematics serial {meta.telematic_serial_number or '-'}"
        )
    if eq.location:
        loc = eq.location
        altitude = (
            f", altitude {loc.altitude} {loc.altitude_units or ''}".rstrip()
            if loc.altitude is not None
            else ""
        )
        lines.append(f"   location: {loc.latitude}, {loc.longitude}{altitude}{when(loc)}")
    if eq.operating_hours:
        lines.append(f"   operating hours: {eq.operating_hours.hours}{when(eq.operating_hours)}")
    if eq.idle_hours:
        lines.append(f"   idle hours: {eq.idle_hours.hours}{when(eq.idle_hours)}")
    if eq.fuel_used:
        lines.append(f"   fuel used: {eq.fuel_used.consumed} {eq.fuel_used.units or ''}{when(eq.fuel_used)}")
    if eq.fuel_remaining:
        lines.append(f"   fuel remaining: {eq.fuel_remaining.percent} %{when(eq.fuel_remaining)}")
    if eq.distance:
        lines.append(f"   distance: {eq.distance.odometer} {eq.distance.units or ''}{when(eq.distance)}")
    if eq.engine_status and eq.engine_status.running is not None:
        state = "running" if eq.engine_status.running else "off"
        lines.append(f"   engine: {state}{when(eq.engine_status)}")
    if not any((eq.location, eq.operating_hours, eq.idle_hours, eq.fuel_used, eq.distance, eq.engine_status)):
        lines.append("   no readings (header only)")
    return "\n".join(lines)
