"""The seeded fleet: owned assets with PINs and telematics, plus a few assets other accounts share with us.

Assets are stored as api-docs/asset-api-introduction.md's "Example Asset Object" shows them; the PIN is
not part of that object and lives with the unit's telematics, where the ISO 15143-3 export reads it.
Shared assets look like the v1beta1 list example in api-docs/service-management-intro.md: another
account's `ownerAccountId`, `permissions.edit: false` and no `createdAt`.

Readings are a pure function of the seed and the sandbox clock (wall time plus what `/_sandbox/clock`
added), so tests can move hours and positions forward without sleeping and two runs see the same fleet.
A few units report nothing fresh (stale readings) and a few send only a header, as real feeds do.
"""

import math
import random
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from rentalbridge.demo.machines import Machine
from sync.sandbox.state import Store

# (brand, WMI-like prefix, model, assetType, free-text type)
MODELS = (
    ("Caterpillar", "CAT", "320", "MACHINE", "Excavator"),
    ("Caterpillar", "CAT", "950M", "MACHINE", "Wheel loader"),
    ("JCB", "JCB", "3CX", "MACHINE", "Backhoe loader"),
    ("JCB", "JCB", "540-140", "MACHINE", "Telehandler"),
    ("Komatsu", "KMT", "PC210LC-11", "MACHINE", "Excavator"),
    ("Volvo", "VCE", "A30G", "MACHINE", "Articulated hauler"),
    ("Takeuchi", "JTB", "TB290-2", "MACHINE", "Compact excavator"),
    ("Genie", "GEN", "S-65", "MACHINE", "Boom lift"),
    ("Genie", "GEN", "GS-1930", "MACHINE", "Scissor lift"),
    ("JLG", "JLG", "600S", "MACHINE", "Boom lift"),
    ("Bobcat", "BOB", "S650", "MACHINE", "Skid steer"),
    ("Wacker Neuson", "WNC", "803", "MACHINE", "Mini excavator"),
    ("Atlas Copco", "ACP", "XAS 185", "EQUIPMENT", "Compressor"),
    ("Ford", "WF0", "Transit", "VEHICLE", "Van"),
    ("Hilti", "HLT", "TE 3000-AVR", "TOOL", "Breaker"),
    ("Rototilt", "RTT", "R6", "ATTACHMENT", "Tiltrotator"),
    ("Trackunit", "TRK", "IO 610", "GATEWAY", "Gateway"),
)
# The two owners of example B's shared machines (api-docs/service-management-intro.md).
FOREIGN_ACCOUNTS = ("7045120f-5ee7-4613-9977-7e2d8b01ce8c", "01a0dcc2-4365-4cd6-9450-ea271133c047")
CITIES = (
    (55.676, 12.568),
    (56.162, 10.203),
    (53.551, 9.993),
    (52.520, 13.405),
    (52.370, 4.895),
    (59.329, 18.068),
)
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # VINs never use I, O or Q


def now(store: Store) -> float:
    """The sandbox clock: wall time plus whatever tests advanced it by."""
    return time.time() + store.clock_offset


def seed_fleet(
    store: Store, *, account_id: str, owned: int, foreign: int, seed: int, machines: Sequence[Machine] = ()
) -> None:
    """Fill an empty store with the fleet; the same seed always gives the same ids, PINs and readings.

    `machines` (the demo company's) become the first owned assets, keeping their serial numbers and PINs;
    the demo data names no free-text type, so theirs is empty.
    """
    rng = random.Random(seed)
    store.epoch = time.time()
    store.clock_offset = 0.0
    assets = store.kind("assets")
    for index in range(owned + foreign):
        brand, wmi, model, asset_type, kind = MODELS[rng.randrange(len(MODELS))]
        asset_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        pin = wmi + "".join(rng.choice(_VIN_CHARS) for _ in range(14))
        # Trackunit's own feed: SerialNumber often is not the PIN, and sometimes the PIN is missing.
        serial = pin if rng.random() < 0.9 else f"{wmi}{rng.randrange(10**8, 10**9)}"
        name = f"{brand} {model} #{index + 1:04d}"
        if index < min(len(machines), owned):
            machine = machines[index]
            brand, model, asset_type, name = machine.make, machine.model, machine.asset_class, machine.name
            pin, serial, kind = machine.pin, machine.serial_number, ""
        is_owned = index < owned
        installed_at = store.epoch - rng.randrange(30, 2000) * 86400
        lat, lon = CITIES[rng.randrange(len(CITIES))]
        unit = {
            "pin": pin if index < len(machines) or rng.random() >= 0.01 else None,
            "equipmentId": str(rng.randrange(10**9, 10**10)),
            "telematicSerialNumber": f"TU{rng.randrange(10**7, 10**8)}",
            "unitId": str(rng.randrange(10**6, 10**7)),
            "installedAt": _iso(installed_at),
            "hours0": round(rng.uniform(5, 9000), 1),
            "hoursPerHour": rng.uniform(0.05, 0.7),
            "idleShare": rng.uniform(0.1, 0.35),
            "fuelPerHour": rng.uniform(2, 18),
            "odometerPerHour": rng.uniform(20, 60) if asset_type == "VEHICLE" else None,
            "lat0": lat + rng.uniform(-0.3, 0.3),
            "lon0": lon + rng.uniform(-0.3, 0.3),
            "radius": rng.uniform(0.0005, 0.01),
            "period": rng.uniform(3600, 86400),
            "phase": rng.uniform(0, 2 * math.pi),
            "staleForS": rng.randrange(3, 60) * 86400 if rng.random() < 0.05 else 0,
            "headerOnly": rng.random() < 0.02,
        }
        store.telematics[asset_id] = unit
        assets[asset_id] = {
            "id": asset_id,
            "assetType": asset_type,
            "type": kind,
            "name": name,
            "externalReference": "",
            "model": model,
            "brand": brand,
            "serialNumber": serial,
            "productionYear": rng.randrange(2012, 2026),
            "ownerAccountId": account_id if is_owned else FOREIGN_ACCOUNTS[index % len(FOREIGN_ACCOUNTS)],
            "createdAt": _iso(installed_at, millis=True) if is_owned else None,
            "permissions": {"edit": is_owned},
            "telematicsDevices": [{"id": unit["unitId"], "serialNumber": unit["telematicSerialNumber"]}],
        }


def readings(store: Store, asset_id: str, at: float) -> dict[str, Any] | None:
    """The unit's latest readings at sandbox time `at`; None for a unit that only sends its header.

    Hours only ever grow with time, so a reading taken later is never lower than one taken earlier.
    """
    unit = store.telematics[asset_id]
    if unit["headerOnly"]:
        return None
    reported = at - unit["staleForS"]
    elapsed_h = max(0.0, reported - store.epoch) / 3600.0
    hours = unit["hours0"] + unit["hoursPerHour"] * elapsed_h
    angle = 2 * math.pi * (reported - store.epoch) / unit["period"] + unit["phase"]
    result = {
        "at": _iso(reported),
        "hours": round(hours, 2),
        "idleHours": round(hours * unit["idleShare"], 2),
        "fuelUsedLitres": round(hours * unit["fuelPerHour"], 1),
        "fuelRemainingPercent": round(50 + 45 * math.sin(angle * 3), 1),
        "latitude": round(unit["lat0"] + unit["radius"] * math.sin(angle), 6),
        "longitude": round(unit["lon0"] + unit["radius"] * math.cos(angle), 6),
        "altitude": round(20 + 10 * math.cos(angle), 1),
        "engineRunning": math.sin(angle * 7) > 0,
        "odometerKm": round(hours * unit["odometerPerHour"], 1) if unit["odometerPerHour"] else None,
    }
    return result


def _iso(epoch_seconds: float, *, millis: bool = False) -> str:
    """ISO 8601 in UTC; `millis` writes createdAt's form, 2023-06-23T09:26:24.279Z."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(epoch_seconds))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z" if millis else "%Y-%m-%dT%H:%M:%SZ")
