"""How RentalBridge compares the identifiers people type: PINs, VINs and serial numbers."""


def normal_identifier(value: str | None) -> str:
    """Users edit PINs in Trackunit and OEMs pad serials, so "wac-0et9 0l00012345" and
    "WAC0ET90L00012345" are one PIN, and "000123" and "123" one serial number."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum()).lstrip("0")
