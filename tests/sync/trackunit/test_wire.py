"""wire.py's small mechanics: error parsing, clearing, time zones, tolerant readers.

Whole request and answer bodies are checked against the documented ones in tests/contract/.
"""

from datetime import datetime

import pytest

from sync.trackunit import wire


def test_trackunit_error_from_any_body():
    # api-docs/errors.md: the constraint-violation error object.
    error = wire.TrackunitError.from_response(
        400,
        b'{"violations":[{"field":"name","message":"value \'\' was rejected: must not be empty"}],'
        b'"message":"Constraint violation","status":400,"code":"constraint_violation"}',
    )
    assert error.code == "constraint_violation"
    assert error.violations == ({"field": "name", "message": "value '' was rejected: must not be empty"},)
    assert not error.retryable
    html = wire.TrackunitError.from_response(503, b"<html>bad gateway</html>", retry_after="7")
    assert (html.code, html.retry_after, html.retryable) == ("http_503", 7, True)
    oauth = wire.TrackunitError.from_response(400, {"error": "invalid_grant", "error_description": "no"})
    assert (oauth.code, oauth.message) == ("invalid_grant", "no")


def test_builders_leave_out_none_and_clear_on_request():
    assert wire.customer_body(name="A") == {"name": "A"}
    assert wire.customer_body(clear=["phone"]) == {"phone": None}
    with pytest.raises(ValueError, match="unknown field"):
        wire.customer_body(clear=["nope"])
    with pytest.raises(ValueError, match="time zone"):
        wire.contract_body(external_reference="K", customer={}, start_date=datetime(2025, 1, 1))


def test_depot_ref_needs_exactly_one_identifier():
    with pytest.raises(ValueError, match="exactly one"):
        wire.depot_ref()
    with pytest.raises(ValueError, match="exactly one"):
        wire.depot_ref(site_id="s", external_reference="e")


def test_asset_reader_keeps_unknown_enum_values_and_ignores_unknown_fields():
    asset = wire.read_asset(
        {"id": "a", "name": "N", "assetType": "SUBMARINE", "newField": 1, "permissions": {"edit": True}}
    )
    assert (asset.asset_type, asset.editable, asset.external_reference) == ("SUBMARINE", True, None)


def test_an_asset_without_the_documented_permission_is_not_ours_to_write():
    assert wire.read_asset({"id": "a", "name": "N"}).editable is False
    assert wire.read_asset({"id": "a", "name": "N", "permissions": {"edit": "yes"}}).editable is False


def test_definition_reader_accepts_both_documented_spellings():
    # working-with-custom-fields.md writes `title` and `options`; defining-a-custom-field.md writes
    # `translations` and `allValues`.
    old = wire.read_definition(
        {"id": "d", "key": "k", "type": "DROPDOWN", "title": "Size", "options": ["S", "M"]}
    )
    assert old["allValues"] == ["S", "M"]
    assert old["translations"] == [{"language": "en", "title": "Size"}]
    assert wire.definition_title(old) == "Size"
    german = {"translations": [{"language": "de", "title": "Größe"}]}
    assert wire.definition_title(german) == "Größe"
