"""Every registered list/detail endpoint: the same number of SQL queries with 1 and with 200 rows, within budget."""

import pytest

from ..conftest import client_for
from ..factories import UserFactory
from .query_budgets import BUDGETS, assert_query_budget
from .registry import PATH_VALUES
from .urlwalk import user_routes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("case", BUDGETS, ids=lambda case: case.path)
def test_queries_do_not_grow_with_rows(case, record_property):
    user = UserFactory()
    client = client_for(user)
    values = {**PATH_VALUES, "user": user.pk}

    def grow_to(n):
        values.update(case.grow(user, n) or {})

    counts = assert_query_budget(
        request=lambda: client.get(case.path.format(**values)), grow_to=grow_to, budget=case.budget
    )
    record_property("queries", f"{counts} (budget {case.budget}: {case.why})")


def test_every_user_get_endpoint_has_a_budget():
    """A GET route under api/v1/user/<user> without a budget fails here; register one in query_budgets.py."""
    budgeted = {case.path for case in BUDGETS}
    unbudgeted = []
    for route in user_routes():
        if "GET" in route.methods:
            path = route.path(**{k: "{" + k + "}" for k in route.keywords})
            if path not in budgeted:
                unbudgeted.append(path)
    assert not unbudgeted, f"add @query_budget cases in tests/gates/query_budgets.py for {unbudgeted}"
