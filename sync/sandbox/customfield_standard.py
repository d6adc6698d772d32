"""Trackunit's 22 standard asset fields, present in every account (api-docs/custom-field-intro.md).

"Trackunit defines a number of standard fields" and "It is however possible to retrieve all 3 types using
the API" (api-docs/custom-field-definitions.md): they are listed with the account's own definitions and
take values like them, by id or by key; "When creating a definition using this API it will always be owned
by your customer account", so [A] the account cannot PATCH or DELETE them (403). Keys, names, types and
units are the intro's table (the only version with a Key column); ids are fixed so a saved state and a
fresh sandbox agree.
"""

import uuid
from collections.abc import Mapping
from typing import Any

from sync.sandbox.state import Store

_ID_NAMESPACE = uuid.UUID("6f1d7c2e-4b1a-4f0e-9a57-0c3d2b8e1f40")
# [A] the intro lists no engine manufacturers; a few common ones stand in.
ENGINE_MANUFACTURERS = ("Caterpillar", "Cummins", "Deutz", "Kubota", "Perkins", "Volvo", "Yanmar", "Other")
FUEL_TYPES = ("Diesel", "Petrol", "CNG", "LPG", "HVO100", "Hydrogen", "Bio-diesel")

# (key, title, description, type, type-specific properties); [A] units in the table's own spelling.
STANDARD: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    ("engineManufacturer", "Engine manufacturer", "Manufacturer of the engine", "DROPDOWN",
     {"allValues": list(ENGINE_MANUFACTURERS)}),
    ("engineModel", "Engine model", "Model of the engine", "STRING", {}),
    ("engineSerialNumber", "Engine serial number", "Serial number of the engine", "STRING", {}),
    ("engineFuelType", "Engine Fuel Type", "The fuel type the main combustion engine consumes.", "DROPDOWN",
     {"allValues": list(FUEL_TYPES)}),
    ("fuelTankCapacityTotal", "Fuel Tank Capacity (Total)", "The total fuel capacity, summed over all tanks.",
     "NUMBER", {"unitSi": "L", "unitUs": "US Liquid Gallon"}),
    ("inputVoltageAC", "Input Voltage AC", "The input voltage of an alternating current input, could either "
     "be to operate directly or to charge a battery.", "NUMBER", {"unitSi": "V", "unitUs": "V"}),
    ("batterySystemRatedCapacity", "Battery System Rated Capacity", "Total rated capacity summed (only if "
     "batteries in parallel) over all traction batteries, in ampere-hours.", "NUMBER",
     {"unitSi": "Ah", "unitUs": "Ah"}),
    ("batterySystemRatedVoltage", "Battery System Rated Voltage",
     "The rated voltage of the traction battery.", "NUMBER", {"unitSi": "V", "unitUs": "V"}),
    ("batterySystemRatedPowerCapacity", "Battery System Rated Power Capacity", "Total rated energy capacity "
     "summed over all traction batteries, in kilo-watt-hours", "NUMBER", {"unitSi": "kWh", "unitUs": "kWh"}),
    ("enginePowerElectric", "Engine Power Electric", "Power output of the electric motor in kilo-Watts",
     "NUMBER", {"unitSi": "kW", "unitUs": "kW"}),
    ("enginePowerCombustion", "Engine Power Combustion", "Power output of the combustion motor in kilo-Watts",
     "NUMBER", {"unitSi": "kW", "unitUs": "kW"}),
    ("pendingTelematicsDevices", "Pending telematics devices",
     "Asset is marked for installment of telematics devices.", "BOOLEAN", {}),
    ("warrantyEndDate", "Warranty end date", "Date the current warranty of the machine expires.", "DATE", {}),
    ("oem-licensed", "OEM licensed", "Is the machine OEM licensed?", "BOOLEAN", {}),
    ("licensePlate", "License Plate", "Assigned by a governmental authority for identification and "
     "registration purposes.", "STRING", {}),
    ("oemSubscriptionEndDate", "OEM Subscription End Date",
     "Date the asset owner's telematics subscription with the OEM expires.", "DATE", {}),
    ("oemSubscriptionStartDate", "OEM Subscription Start Date",
     "Start date of the asset owner's telematics subscription with the OEM.", "DATE", {}),
    ("qrCodeIdentifiers", "QR Codes",
     "List of QR codes' data attached to the asset for identification purposes.", "STRING", {}),
    ("rfidTags", "RFID tags", "List of RFID tag IDs attached to the asset.", "STRING", {}),
    ("oemSubscriptionType", "OEM Subscription Type", "Used for internal purposes to identify the type of OEM "
     "subscription. Not visible in the UI.", "STRING", {}),
    ("billingReference", "Billing Reference", "Used for Trackunit billing purposes to set the billing "
     "reference used for invoices.", "STRING", {}),
    ("purchaseDate", "Purchase Date", "Date the asset was purchased.", "DATE", {}),
)  # fmt: skip
# Empty type-specific properties, so standard definitions answer in the same shape as the account's own.
_TYPE_DEFAULTS: dict[str, dict[str, Any]] = {
    "NUMBER": {"minimum": None, "maximum": None, "unitSi": None, "unitUs": None, "isInteger": False},
    "STRING": {"minimumLength": None, "maximumLength": None, "pattern": None, "defaultStringValue": None},
    "DROPDOWN": {"allValues": [], "multiSelect": False},
}


def definition_id(key: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, key))


def is_standard(definition: Mapping[str, Any]) -> bool:
    return definition["id"] == definition_id(definition["key"])


def seed(store: Store) -> None:
    definitions = store.kind("custom_field_definitions")
    for key, title, description, field_type, properties in STANDARD:
        record = {
            "id": definition_id(key),
            "key": key,
            "type": field_type,
            "entityType": "ASSET",
            "translations": [{"language": "en", "title": title, "description": description}],
            # "Not visible in the UI" is said of oemSubscriptionType only.
            "uiVisible": key != "oemSubscriptionType",
            "uiEditable": True,
            "scopeType": "ACCOUNT",  # [A] the intro does not say how standard values are shared
            **_TYPE_DEFAULTS.get(field_type, {}),
            **properties,
        }
        definitions[record["id"]] = record
