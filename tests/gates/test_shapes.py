"""The comparator behind the contract snapshots catches what it is there to catch."""

from .shapes import compare_shapes

REFERENCE = {"data": {"id": "x", "amount": "1.5", "count": 2, "tags": [{"k": "a"}], "links": {"a": "u"}}}


def test_same_shape_passes():
    actual = {"data": {"id": "y", "amount": "9", "count": 0, "tags": [{"k": "b"}, {"k": "c"}], "links": {"a": "v"}}}
    assert compare_shapes(REFERENCE, actual).problems == []


def test_renamed_key_and_changed_types_fail():
    actual = {"data": {"uuid": "y", "amount": 1.5, "count": "2", "tags": [{"k": None}], "links": {"a": "v"}}}
    problems = "\n".join(compare_shapes(REFERENCE, actual).problems)
    assert "$.data.id: missing" in problems
    assert "$.data.uuid: not in the reference" in problems
    assert "$.data.amount: the reference has string, CCPro answers float" in problems
    assert "$.data.count: the reference has int, CCPro answers string" in problems
    assert "$.data.tags[].k: the reference has string, CCPro answers null" in problems


def test_empty_list_needs_data_or_a_decision():
    actual = {"data": {**REFERENCE["data"], "tags": []}}
    assert compare_shapes(REFERENCE, actual).problems
    comparison = compare_shapes(REFERENCE, actual, {"$.data.tags[]": "none yet"})
    assert comparison.problems == [] and comparison.applied == {"$.data.tags[]"}


def test_decision_is_reported_obsolete_once_the_body_matches():
    actual = {"data": {**REFERENCE["data"], "links": None}}
    diverging = compare_shapes(REFERENCE, actual, {"$.data.links": "null until the KYC issue"})
    assert diverging.problems == [] and diverging.obsolete == set()
    matching = compare_shapes(REFERENCE, REFERENCE, {"$.data.links": "null until the KYC issue"})
    assert matching.obsolete == {"$.data.links"}
