"""Trackunit's standard custom fields: definitions Trackunit owns on every account's assets.

Listed with their keys in api-docs/custom-field-intro.md ("Trackunit defines a number of standard fields").
They exist at Trackunit already, so RentalBridge never creates, changes or deletes them; a local definition
with one of these keys describes the standard field (same type, on assets) so staff can set its values,
which the sync sends by key like any other.
"""

from rentalbridge.customfields import rules

ASSET = "ASSET"
# key -> documented type
STANDARD_FIELDS: dict[str, str] = {
    "engineManufacturer": rules.DROPDOWN,
    "engineModel": rules.STRING,
    "engineSerialNumber": rules.STRING,
    "engineFuelType": rules.DROPDOWN,
    "fuelTankCapacityTotal": rules.NUMBER,
    "inputVoltageAC": rules.NUMBER,
    "batterySystemRatedCapacity": rules.NUMBER,
    "batterySystemRatedVoltage": rules.NUMBER,
    "batterySystemRatedPowerCapacity": rules.NUMBER,
    "enginePowerElectric": rules.NUMBER,
    "enginePowerCombustion": rules.NUMBER,
    "pendingTelematicsDevices": rules.BOOLEAN,
    "warrantyEndDate": rules.DATE,
    "oem-licensed": rules.BOOLEAN,
    "licensePlate": rules.STRING,
    "oemSubscriptionEndDate": rules.DATE,
    "oemSubscriptionStartDate": rules.DATE,
    "qrCodeIdentifiers": rules.STRING,
    "rfidTags": rules.STRING,
    "oemSubscriptionType": rules.STRING,
    "billingReference": rules.STRING,
    "purchaseDate": rules.DATE,
}


def is_standard(key: str) -> bool:
    return key in STANDARD_FIELDS


def standard_mismatch(key: str, field_type: str, entity_type: str) -> str:
    """Why a local definition cannot stand for the standard field of the same key ("" when it can)."""
    documented = STANDARD_FIELDS.get(key)
    if documented is None:
        return ""
    if entity_type != ASSET:
        return f"{key} is one of Trackunit's standard asset fields; it holds values of assets only."
    if field_type != documented:
        return f"{key} is one of Trackunit's standard fields, of type {documented}; use that type."
    return ""
