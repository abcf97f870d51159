"""The fixed hot-path statements (ccpro/db.py) are prepared on PostgreSQL, still counted and logged like any
query, and work the same with prepared statements off (DATABASE_PREPARED_STATEMENTS=false, behind a
transaction-pooling PgBouncer without prepared statement support)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_token_lookup_and_profile_statements_are_prepared_and_still_logged(user, user_api):
    first = user_api.get(f"/api/v1/user/{user.pk}").json()["data"]
    for _ in range(6):  # psycopg prepares a statement the fifth time it runs on a connection
        assert user_api.get(f"/api/v1/user/{user.pk}").json()["data"] == first
    prepared = _prepared_statements()
    assert any('"accounts_accesstoken"' in sql for sql in prepared), prepared
    assert any("UNION ALL" in sql and '"kyc_kycitem"' in sql for sql in prepared), prepared
    assert not any("trading_order" in sql for sql in prepared)  # the ORM's queries are not prepared

    with CaptureQueriesContext(connection) as queries:
        assert user_api.get(f"/api/v1/user/{user.pk}").json()["data"] == first
    logged = [q["sql"] for q in queries.captured_queries]
    assert len(logged) == 2 and all(logged), logged
    assert '"accounts_accesstoken"' in logged[0]


def test_with_prepared_statements_off_nothing_is_prepared(user, user_api, monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    first = user_api.get(f"/api/v1/user/{user.pk}")
    for _ in range(6):
        assert user_api.get(f"/api/v1/user/{user.pk}").json() == first.json()
    assert _prepared_statements() == []
    assert user_api.post("/api/v1/user/logout").status_code == 200
    assert user_api.get(f"/api/v1/user/{user.pk}").status_code == 401
