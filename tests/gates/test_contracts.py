"""Contract snapshots: every endpoint of the reference that is mounted answers its documented success with the
reference example's key structure and value types (tests/gates/contracts.py holds the requests)."""

import json
import re
import uuid
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

from ..conftest import client_for
from ..factories import UserFactory
from .contracts import CONTRACTS, Ctx
from .shapes import compare_shapes

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "endpoints.json"
ENDPOINTS = json.loads(SPEC.read_text())
PLACEHOLDER = re.compile(r"\{(\w+)\??\}")


def implementation(endpoint) -> type | None:
    """The view class serving this reference endpoint in our URLconf, or None when it is not mounted yet."""
    path = endpoint["path"]
    candidates = [path]
    if "?}" in path:  # an optional trailing segment: served with and without it
        candidates = [re.sub(r"/\{\w+\?\}", "", path), path]
    for candidate in candidates:
        concrete = PLACEHOLDER.sub(lambda _m: str(uuid.uuid4()), candidate)
        try:
            match = resolve(concrete)
        except Resolver404:
            continue
        view = getattr(match.func, "view_class", None)
        if view is not None and hasattr(view, endpoint["method"].lower()):
            return view
    return None


def success_example(endpoint, status: int | None):
    successes = [r for r in endpoint["responses"] if 200 <= r["status"] < 300]
    if status is not None:
        successes = [r for r in successes if r["status"] == status]
    assert len(successes) == 1, f"pick the success status to compare with: {[r['status'] for r in successes]}"
    return successes[0]


def _id(endpoint) -> str:
    return f"{endpoint['method']} {endpoint['path']}"


def test_every_contract_case_names_a_reference_endpoint():
    known = {(e["method"], e["path"]) for e in ENDPOINTS}
    assert not set(CONTRACTS) - known


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_success_body_matches_the_reference(endpoint, api, mailoutbox, django_capture_on_commit_callbacks):
    if implementation(endpoint) is None:
        pytest.skip(f"not implemented yet: {_id(endpoint)}")
    case = CONTRACTS.get((endpoint["method"], endpoint["path"]))
    assert case is not None, f"{_id(endpoint)} is mounted: add its success request in tests/gates/contracts.py"
    user = UserFactory()
    ctx = Ctx(
        api=api,
        user=user,
        user_api=client_for(user),
        mailoutbox=mailoutbox,
        on_commit=django_capture_on_commit_callbacks,
    )
    reference = success_example(endpoint, case.status)
    response = case.call(ctx)
    assert response.status_code == reference["status"], response.content
    comparison = compare_shapes(reference["example"], response.json(), case.decisions)
    assert not comparison.problems, "\n".join(comparison.problems)
    assert not comparison.obsolete, f"these decisions no longer apply, remove them: {sorted(comparison.obsolete)}"
    assert comparison.applied == set(case.decisions), (
        f"decisions naming paths that are not in the body: {sorted(set(case.decisions) - comparison.applied)}"
    )
