"""Issue 16, the one limiter: each test is named after the finding it closes, and drives the
real sign-in page, the admin's sign-in and the token endpoint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.api_auth import token_issue
from portal.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
RIGHT = "Correct-Horse-42"


def sign_in(client: Client, login: str, password: str, forwarded_for: str | None = None) -> Any:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
    return client.post(reverse("login"), {"username": login, "password": password}, headers=headers)


def fail_until_locked(client: Client, login: str) -> None:
    """Six wrong passwords: the free failures (5) and the first that locks (for 30 s)."""
    for _ in range(6):
        assert sign_in(client, login, "wrong").status_code == 200


def test_a_locked_account_gets_no_token(client, staff):
    fail_until_locked(client, staff.username)
    api = APIClient()
    answer = api.post(
        "/api/v1/auth/token/",
        {"username": staff.username, "password": RIGHT, "code": "000000"},
        format="json",
    )
    assert answer.status_code == 429 and answer.json()["code"] == "throttled"
    assert not ApiToken.objects.filter(user=staff).exists()


def test_a_locked_account_is_refused_even_with_the_right_password(client, customer):
    fail_until_locked(client, customer.mobile)
    refused = sign_in(client, customer.mobile, RIGHT)
    assert refused.status_code == 429
    assert "分钟后再试" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_grows_with_each_further_failure(client, customer):
    from django.core.cache import cache

    from portal import ratelimit

    fail_until_locked(client, customer.mobile)
    first = cache.get(f"signin:acct:{ratelimit.account_key(customer.mobile)}")["until"]
    # Past the first lock, one more failure locks for twice as long.
    cache.set(f"signin:acct:{ratelimit.account_key(customer.mobile)}", {"failures": 6, "until": 0})
    assert sign_in(client, customer.mobile, "wrong").status_code == 200
    second = cache.get(f"signin:acct:{ratelimit.account_key(customer.mobile)}")["until"]
    assert 55 <= second - timezone.now().timestamp() <= 61
    assert first > 0


def test_username_and_mobile_are_one_account_with_one_budget(client, customer):
    for login in (customer.username, customer.mobile, customer.username):
        assert sign_in(client, login, "wrong").status_code == 200
    for login in (customer.mobile, customer.username, customer.mobile):
        sign_in(client, login, "wrong")
    assert sign_in(client, customer.username, RIGHT).status_code == 429


def test_full_width_digits_name_the_same_account(client, customer):
    wide = customer.mobile.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    fail_until_locked(client, wide)
    assert sign_in(client, customer.mobile, RIGHT).status_code == 429


def test_changing_x_forwarded_for_does_not_reset_any_limit(client, customer, settings):
    settings.SIGNIN_ADDRESS_MAX_FAILURES = 3
    others = UserFactory.create_batch(4)
    for n, other in enumerate(others):
        sign_in(client, other.username, "wrong", forwarded_for=f"203.0.113.{n}")
    # The address budget is spent: a new header value changes nothing, for any account.
    refused = sign_in(client, customer.mobile, RIGHT, forwarded_for="198.51.100.7")
    assert refused.status_code == 429


def test_one_password_tried_across_many_accounts_is_limited_per_address(client, settings):
    settings.SIGNIN_ADDRESS_MAX_FAILURES = 5
    accounts = UserFactory.create_batch(6)
    for account in accounts[:5]:
        assert sign_in(client, account.username, "Summer2026!").status_code == 200
    assert sign_in(client, accounts[5].username, RIGHT).status_code == 429


def test_a_trusted_proxy_names_the_client(client, customer, settings):
    """Behind a configured proxy, each client has its own address budget."""
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    settings.SIGNIN_ADDRESS_MAX_FAILURES = 2
    others = UserFactory.create_batch(3)
    for other in others:
        sign_in(client, other.username, "wrong", forwarded_for="203.0.113.9")
    assert sign_in(client, customer.mobile, RIGHT, forwarded_for="203.0.113.9").status_code == 429
    assert sign_in(client, customer.mobile, RIGHT, forwarded_for="198.51.100.1").status_code == 302


def test_the_eleventh_admin_sign_in_is_refused(client):
    admin = UserFactory(is_staff=True, is_superuser=True, role="admin")
    for _ in range(10):
        client.post("/admin/login/", {"username": admin.username, "password": "wrong"})
    answer = client.post(
        "/admin/login/?next=/admin/", {"username": admin.username, "password": RIGHT}
    )
    assert answer.status_code == 200  # the form again, not the redirect into the admin
    assert "_auth_user_id" not in client.session
    assert "分钟后再试" in answer.content.decode()


def test_a_token_stops_working_after_a_password_change(staff):
    _token, key = token_issue(name="script", user=staff)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/disputes/").status_code == 200
    staff.set_password("Another-Horse-43")
    staff.save()
    refused = api.get("/api/v1/disputes/")
    assert refused.status_code == 401 and "密码已更改" in refused.json()["message"]


def test_a_token_expires(staff, settings):
    token, key = token_issue(name="script", user=staff)
    assert token.expires_at is not None
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/disputes/").status_code == 401


def test_a_client_cannot_claim_https_with_x_forwarded_proto(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    answer = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert answer.status_code == 301 and answer["Location"].startswith("https://")
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
