"""Sign-in refuses a guesser (issue #17): failures counted per username and per client."""

import pytest
from django.core.cache import cache
from django.test import Client

from tickets.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    cache.clear()
    settings.HELPDESK_LOGIN_FAILURES_PER_USERNAME = 5
    settings.HELPDESK_LOGIN_FAILURES_PER_CLIENT = 20
    yield
    cache.clear()


@pytest.fixture
def user(db):
    user = UserFactory(username="kim@example.com")
    user.set_password("right-password-1")
    user.save()
    return user


def sign_in(client, username, password, url="/accounts/login/", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def test_wrong_passwords_for_one_account_are_refused_after_five(client, user):
    answers = [sign_in(client, user.username, f"guess-{n}").status_code for n in range(5)]
    assert answers == [200] * 5  # the form again, with "did not match"
    refused = sign_in(client, user.username, "guess-6")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many failed sign-ins" in refused.content.decode()
    # even the right password waits for the window: the guesser learns nothing
    assert sign_in(Client(), user.username, "right-password-1").status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_username_counter_ignores_case(client, user):
    for n in range(5):
        sign_in(client, "KIM@example.com" if n % 2 else user.username, f"guess-{n}")
    assert sign_in(client, user.username, "guess").status_code == 429


def test_one_client_guessing_many_accounts_is_refused(client, settings):
    settings.HELPDESK_LOGIN_FAILURES_PER_CLIENT = 8
    answers = [sign_in(client, f"user{n}@example.com", "x").status_code for n in range(10)]
    assert answers == [200] * 8 + [429] * 2
    other_client = sign_in(client, "user99@example.com", "x", REMOTE_ADDR="10.9.9.9")
    assert other_client.status_code == 200


def test_a_right_password_signs_in_and_counts_nothing(client, user):
    for _ in range(10):
        response = sign_in(Client(), user.username, "right-password-1")
        assert response.status_code == 302
    assert sign_in(client, user.username, "right-password-1").status_code == 302


def test_the_admin_sign_in_counts_failures_too(client, user):
    user.is_staff = True
    user.save()
    for n in range(5):
        assert sign_in(client, user.username, f"g{n}", url="/admin/login/").status_code == 200
    refused = sign_in(client, user.username, "right-password-1", url="/admin/login/")
    assert "Too many failed sign-ins" in refused.content.decode()
