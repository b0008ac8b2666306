"""Existing DRF authtoken keys keep working after the move to hashed tokens."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.tokens import token_user


@pytest.mark.django_db(transaction=True)
def test_clear_authtoken_keys_become_hashed_tokens_that_still_work():
    executor = MigrationExecutor(connection)
    before = [("core", "0001_api_token"), ("authtoken", "0004_alter_tokenproxy_options")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    user = old_apps.get_model("auth", "User").objects.create(username="old@example.com")
    key = "a" * 40
    old_apps.get_model("authtoken", "Token").objects.create(key=key, user_id=user.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert token_user(key).username == "old@example.com"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
