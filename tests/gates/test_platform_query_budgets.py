"""Every GET endpoint a partner platform calls with its JWT (`api/v1/platform/<platform>/…`, found in the URLconf):
the same number of SQL queries with 1 and with 200 rows, within its budget (tests/gates/query_budgets.py)."""

import re
import time

import jwt
import pytest
from rest_framework.test import APIClient

from platforms.auth import PlatformApiView
from platforms.services import platform_create

from .query_budgets import PLATFORM_BUDGETS, assert_query_budget
from .urlwalk import api_routes

pytestmark = pytest.mark.django_db


def platform_routes():
    """GET routes under api/v1/platform/<platform> whose view authenticates with the platform's JWT."""
    return [
        route
        for route in api_routes()
        if re.match(r"^api/v1/platform/<(?:\w+:)?platform>(/|$)", route.route)
        and route.view_class is not None
        and issubclass(route.view_class, PlatformApiView)
        and "GET" in route.methods
    ]


@pytest.mark.parametrize("case", PLATFORM_BUDGETS, ids=lambda case: case.path)
def test_platform_queries_do_not_grow_with_rows(case, record_property):
    platform, private_pem = platform_create(code="BUDGET", name="Budget", base_url="https://budget.example/")
    client = APIClient()
    # No `jti`: the same token serves every request (a jti would be refused as a replay on the second).
    token = jwt.encode({"platform": str(platform.pk), "expire": int(time.time()) + 600}, private_pem, "RS512")
    client.credentials(HTTP_TOKEN=token)

    counts = assert_query_budget(
        request=lambda: client.get(case.path.format(platform=platform.pk)),
        grow_to=lambda n: case.grow(platform, n),
        budget=case.budget,
    )
    record_property("queries", f"{counts} (budget {case.budget}: {case.why})")


def test_every_platform_get_endpoint_has_a_budget():
    """A platform GET route without a budget fails here; register one in query_budgets.py."""
    routes = platform_routes()
    assert len(routes) >= 8  # show, staff, user, order, quote, checkout, transfer, call
    budgeted = {case.path for case in PLATFORM_BUDGETS}
    unbudgeted = [path for route in routes if (path := route.path(platform="{platform}")) not in budgeted]
    assert not unbudgeted, f"add @platform_query_budget cases in tests/gates/query_budgets.py for {unbudgeted}"
