"""A prepared-statement cursor for the few hot statements that run thousands of times a second.

Django's PostgreSQL backend binds parameters on the client (psycopg's `ClientCursor`): every
execution quotes its values into the SQL text and PostgreSQL parses and plans it again. For the
ingestion insert (35 columns plus its event) that costs more CPU than the insert itself. A
server-side-binding cursor with `prepare=True` sends the statement once per connection and then
only its values. It is still wrapped by Django's cursor wrapper, so errors, `execute_wrapper`
hooks and query logging behave as for any other query. Behind PgBouncer in transaction pooling,
prepared statements need PgBouncer >= 1.21 with `max_prepared_statements` set (docs/DEPLOY.md)."""

from contextlib import contextmanager

import psycopg


class _PreparedCursor(psycopg.Cursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


# Django opens psycopg connections with `prepare_threshold=None`, which turns preparing off for
# the whole connection, explicit `prepare=True` included. A threshold no query reaches turns it
# back on for this cursor only: Django's own client-side cursors never get there.
_NEVER_AUTOMATICALLY = 2**62


@contextmanager
def prepared_cursor(connection):
    """A Django cursor on `connection` (PostgreSQL) whose statements are prepared."""
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        connection.connection.prepare_threshold = _NEVER_AUTOMATICALLY
    raw = _PreparedCursor(connection.connection)
    cursor = (
        connection.make_debug_cursor(raw)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    try:
        yield cursor
    finally:
        cursor.close()
