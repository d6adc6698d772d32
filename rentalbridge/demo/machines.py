"""The demo rental company's machines, as both its ERP and Trackunit know them.

In real life the same machine is in the ERP (typed in by staff) and in Trackunit (where its telematics
unit was installed), and they are matched by serial number or PIN. `seed_demo` fills the ERP side from this
list and the sandbox's `--demo-fleet` seeds its Trackunit side from it, so a demo sync matches every machine.
Plain data, no Django: the sandbox imports it too.
"""

import random
from dataclasses import dataclass

# (make, model, Trackunit asset class, daily rate in EUR)
MACHINE_TYPES = [
    ("JCB", "3CX Eco", "MACHINE", 210),
    ("Caterpillar", "320 GC", "MACHINE", 420),
    ("Volvo", "EC220E", "MACHINE", 450),
    ("Takeuchi", "TB290-2", "MACHINE", 260),
    ("Kubota", "U27-4", "MACHINE", 150),
    ("Hitachi", "ZX135US-7", "MACHINE", 330),
    ("Bobcat", "S650", "MACHINE", 180),
    ("Wacker Neuson", "ET90", "MACHINE", 290),
    ("Genie", "S-65 XC", "EQUIPMENT", 240),
    ("JLG", "450AJ", "EQUIPMENT", 220),
    ("Manitou", "MT 1840", "MACHINE", 310),
    ("Ammann", "ARX 26", "MACHINE", 170),
    ("Atlas Copco", "XAS 88", "EQUIPMENT", 90),
    ("Hilti", "TE 3000-AVR", "TOOL", 35),
    ("Mercedes-Benz", "Sprinter 316", "VEHICLE", 120),
]
DEMO_FLEET_SIZE = 210
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # VINs never use I, O or Q


@dataclass(frozen=True)
class Machine:
    number: int
    make: str
    model: str
    asset_class: str
    daily_rate: int
    serial_number: str
    pin: str

    @property
    def name(self) -> str:
        return f"{self.make} {self.model} #{self.number}"


def demo_machines(count: int = DEMO_FLEET_SIZE) -> list[Machine]:
    rng = random.Random(2026)
    machines = []
    for number in range(1, count + 1):
        make, model, asset_class, rate = MACHINE_TYPES[number % len(MACHINE_TYPES)]
        pin = "".join(rng.choice(_VIN_CHARS) for _ in range(17))
        serial = f"{make[:3].upper()}{rng.randint(100000, 999999)}"
        machines.append(Machine(number, make, model, asset_class, rate, serial, pin))
    return machines
