"""API tokens: hashed at rest, shown once, expiring, revocable, for REST and WebSockets."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from core.models import ApiToken
from core.tokens import token_issue, token_user

pytestmark = pytest.mark.django_db


def _get(api, key):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/tickets/")


def test_only_a_hash_of_the_key_is_stored(api, customer):
    key = token_issue(user=customer)
    stored = ApiToken.objects.get(user=customer)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.values().get(pk=stored.pk))
    assert _get(api, key).status_code == 200


def test_a_wrong_key_is_401(api, customer):
    token_issue(user=customer)
    response = _get(api, "0" * 40)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_last_used_is_written_at_most_once_a_minute(api, customer):
    key = token_issue(user=customer)
    assert _get(api, key).status_code == 200
    first = ApiToken.objects.get(user=customer).last_used_at
    assert first is not None
    assert _get(api, key).status_code == 200
    assert ApiToken.objects.get(user=customer).last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    assert _get(api, key).status_code == 200
    assert ApiToken.objects.get(user=customer).last_used_at > first


@override_settings(HELPDESK_TOKEN_DAYS=30)
def test_tokens_expire_after_the_configured_days(api, customer):
    key = token_issue(user=customer)
    token = ApiToken.objects.get(user=customer)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert _get(api, key).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _get(api, key).status_code == 401


def test_without_the_setting_a_token_does_not_expire(customer):
    token_issue(user=customer)
    assert ApiToken.objects.get(user=customer).expires_at is None


def test_revoke_tokens_command_stops_every_token_of_the_user(api, customer, other_customer):
    keys = [token_issue(user=customer), token_issue(user=customer)]
    other = token_issue(user=other_customer)
    out = StringIO()
    call_command("revoke_tokens", "Alice@Example.com", stdout=out)
    assert "2 token(s) revoked" in out.getvalue()
    assert [_get(api, key).status_code for key in keys] == [401, 401]
    assert _get(api, other).status_code == 200


def test_an_inactive_user_cannot_use_their_token(api, customer):
    key = token_issue(user=customer)
    customer.is_active = False
    customer.save()
    assert token_user(key) is None
    assert _get(api, key).status_code == 401


def test_admin_revoke_action(client, customer):
    from django.contrib.auth import get_user_model

    key = token_issue(user=customer)
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    token = ApiToken.objects.get(user=customer)
    response = client.post(
        "/admin/core/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 token(s) revoked" in response.content.decode()
    assert token_user(key) is None
    page = client.get(f"/admin/core/apitoken/{token.pk}/change/").content.decode()
    assert key not in page
