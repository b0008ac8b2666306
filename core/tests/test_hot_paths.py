"""The prepared-statement cursor the ingestion fast path stands on."""

import pytest
from django.db import connection

from core.db import prepared_cursor

pytestmark = pytest.mark.django_db


def test_a_prepared_cursor_prepares_its_statement_once_per_connection():
    sql = "SELECT %s::int + 1"
    with prepared_cursor(connection) as cursor:
        for n in range(3):
            cursor.execute(sql, [n])
            assert cursor.fetchone() == (n + 1,)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT $1::int + 1"],
        )
        assert cursor.fetchone() == (1,)
        # Django's own cursors keep binding on the client, unprepared
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%pg_prepared%"]
        )
        assert cursor.fetchone() == (0,)


def test_errors_through_a_prepared_cursor_are_django_errors():
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), prepared_cursor(connection) as cursor:
        cursor.execute("SELECT 1/%s::int", [0])
