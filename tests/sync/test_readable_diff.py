"""Readable diffs: a path to each changed leaf, items matched by their identifying key, text as text."""

from sync.readable_diff import ABSENT, Change, changes, field_changes, render


def test_nested_payloads_are_compared_leaf_by_leaf_with_items_matched_by_key():
    before = {
        "contractItems": [
            {"externalReference": "RI-6", "rentalRate": {"unitPrice": 90}},
            {"externalReference": "RI-7", "rentalRate": {"unitPrice": 120, "currency": "EUR"}},
        ]
    }
    after = {
        "contractItems": [
            {"externalReference": "RI-7", "rentalRate": {"unitPrice": 130, "currency": "EUR"}},
            {"externalReference": "RI-6", "rentalRate": {"unitPrice": 90}},
        ]
    }
    assert [str(change) for change in changes(before, after)] == [
        "contractItems[RI-7].rentalRate.unitPrice: 120 -> 130"
    ]


def test_items_without_an_identifying_key_are_matched_by_position():
    assert changes({"tags": ["a", "b"]}, {"tags": ["a", "c", "d"]}) == [
        Change("tags[1]", "b", "c"),
        Change("tags[2]", ABSENT, "d"),
    ]


def test_added_and_removed_keys_and_items_show_as_absent():
    before = {"items": [{"id": 1, "name": "Kran"}], "note": "x"}
    after = {"items": [{"id": 1, "name": "Kran"}, {"id": 2, "name": "Lift"}]}
    assert [str(change) for change in changes(before, after)] == [
        'items[2]: (absent) -> {"id": 2, "name": "Lift"}',
        "note: x -> (absent)",
    ]


def test_text_is_shown_as_text_without_escapes():
    assert [str(change) for change in field_changes({"name": ["Ørsted Kran", "Ærø Lift"]})] == [
        "name: Ørsted Kran -> Ærø Lift"
    ]
    assert render({"city": "Århus"}) == '{"city": "Århus"}'


def test_long_lists_are_cut_to_ten_items_and_a_count():
    assert render(list(range(47))) == '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, "… and 37 more"]'


def test_equal_values_give_no_change_and_a_type_change_is_one():
    assert changes({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}) == []
    assert [str(change) for change in changes({"rate": None}, {"rate": {"unitPrice": 5}})] == [
        'rate: null -> {"unitPrice": 5}'
    ]


def test_operation_fields_get_their_field_name_as_path_root():
    fields = {"rentalData": [{"status": "IDLE"}, {"status": "ON_RENT"}], "name": ["A", "A"]}
    assert [str(change) for change in field_changes(fields)] == ["rentalData.status: IDLE -> ON_RENT"]
