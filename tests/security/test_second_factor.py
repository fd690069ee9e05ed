"""Issue 16, the second factor: each test is named after the finding it closes ("no account
anywhere has a second factor"; "minting a staff token needs the second factor"), and drives the
real sign-in page, the admin's sign-in, the enrolment page and the token endpoint."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import ApiToken, AuditEvent
from tests.conftest import client_for
from tests.factories import UserFactory, enrol_totp, make_dispute, totp_code

pytestmark = pytest.mark.django_db
RIGHT = "Correct-Horse-42"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def password_step(client: Client, user) -> None:
    answer = client.post(reverse("login"), {"username": user.username, "password": RIGHT})
    assert answer.status_code == 302


def test_a_staff_sign_in_without_the_second_factor_reaches_nothing(staff, customer, branch):
    dispute = make_dispute(customer, branch)
    secret = enrol_totp(staff)
    client = Client()
    password_step(client, staff)
    for url in (reverse("home"), f"/disputes/{dispute.reference}/", "/admin/"):
        answer = client.get(url)
        assert answer.status_code == 302
        assert answer["Location"].startswith(reverse("second_factor_verify"))
    api = client.get("/api/v1/disputes/")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    step = client.post(
        f"{reverse('second_factor_verify')}?next=/disputes/{dispute.reference}/",
        {"code": totp_code(secret), "next": f"/disputes/{dispute.reference}/"},
    )
    assert step.status_code == 302 and step["Location"] == f"/disputes/{dispute.reference}/"
    assert client.get(f"/disputes/{dispute.reference}/").status_code == 200
    assert client.get("/api/v1/disputes/").status_code == 200


@pytest.mark.parametrize("role", ["staff", "partner", "auditor", "admin"])
def test_a_role_without_a_second_factor_must_enrol_before_anything_else(role, branch, centre):
    extra = {"branch": branch} if role == "staff" else {}
    if role == "partner":
        extra = {"organisation": centre, "partner_role": "mediator"}
    user = UserFactory.create(role=role, **extra)
    client = Client()
    password_step(client, user)
    home = client.get(reverse("home"))
    assert home["Location"].startswith(reverse("second_factor_enrol"))
    page = client.get(home["Location"])
    found = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page.content.decode())
    assert found is not None
    secret = found.group(1)
    assert "<svg" in page.content.decode()
    wrong = client.post(reverse("second_factor_enrol"), {"code": "000000"})
    assert (
        "验证码不匹配" in wrong.content.decode()
        and not Authenticator.objects.filter(user=user).exists()
    )
    done = client.post(reverse("second_factor_enrol"), {"code": totp_code(secret)})
    codes = re.findall(r"<li><code>([0-9a-f]+)</code></li>", done.content.decode())
    assert done.status_code == 200 and len(codes) == 10
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="second_factor.enrolled", target_id=str(user.pk))


def test_the_admin_sign_in_asks_for_the_second_factor_too(admin_user):
    secret = enrol_totp(admin_user)
    client = Client()
    signed = client.post(
        "/admin/login/?next=/admin/", {"username": admin_user.username, "password": "password"}
    )
    assert signed.status_code == 302
    assert client.get("/admin/")["Location"].startswith(reverse("second_factor_verify"))
    client.post(reverse("second_factor_verify"), {"code": totp_code(secret)})
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_are_limited_per_account_and_enter_the_audit_chain(staff):
    secret = enrol_totp(staff)
    client = Client()
    password_step(client, staff)
    for _ in range(6):
        wrong = client.post(reverse("second_factor_verify"), {"code": "000000"})
        assert wrong.status_code == 200 and "验证码不对" in wrong.content.decode()
    refused = client.post(reverse("second_factor_verify"), {"code": totp_code(secret)})
    assert refused.status_code == 429
    assert client.get(reverse("home"))["Location"].startswith(reverse("second_factor_verify"))
    assert (
        AuditEvent.objects.filter(
            action="signin.second_factor_failed", target_id=str(staff.pk)
        ).count()
        == 6
    )


def test_a_code_is_taken_once(staff):
    secret = enrol_totp(staff)
    code = totp_code(secret)
    first, second = Client(), Client()
    password_step(first, staff)
    password_step(second, staff)
    assert first.post(reverse("second_factor_verify"), {"code": code}).status_code == 302
    assert (
        "验证码不对"
        in second.post(reverse("second_factor_verify"), {"code": code}).content.decode()
    )


def recovery_code(user) -> str:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    return RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]


def test_a_recovery_code_signs_in_once(staff):
    enrol_totp(staff)
    recovery = recovery_code(staff)
    first, second = Client(), Client()
    password_step(first, staff)
    assert first.post(reverse("second_factor_verify"), {"code": recovery}).status_code == 302
    password_step(second, staff)
    assert (
        "验证码不对"
        in second.post(reverse("second_factor_verify"), {"code": recovery}).content.decode()
    )


def test_minting_a_staff_token_needs_the_second_factor(staff):
    api = APIClient()

    def mint(code: str):
        return api.post(
            "/api/v1/auth/token/",
            {"username": staff.username, "password": RIGHT, "code": code},
            format="json",
        )

    not_enrolled = mint("123456")
    assert not_enrolled.status_code == 400
    assert not_enrolled.json()["code"] == "second_factor_required"
    secret = enrol_totp(staff)
    wrong = mint("000000")
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_code"
    assert not ApiToken.objects.filter(user=staff).exists()
    assert mint(totp_code(secret)).status_code == 201


def test_customers_are_not_asked_unless_they_enrolled(customer):
    client = Client()
    client.post(reverse("login"), {"username": customer.username, "password": RIGHT})
    assert client.get(reverse("home")).status_code == 200
    secret = enrol_totp(customer)
    later = Client()
    later.post(reverse("login"), {"username": customer.username, "password": RIGHT})
    assert later.get(reverse("home"))["Location"].startswith(reverse("second_factor_verify"))
    later.post(reverse("second_factor_verify"), {"code": totp_code(secret)})
    off = later.post(reverse("second_factor_manage"), {"off": "1", "code": recovery_code(customer)})
    assert off.status_code == 302
    assert not Authenticator.objects.filter(user=customer).exists()


def test_staff_cannot_turn_their_second_factor_off(staff):
    secret = enrol_totp(staff)
    client = client_for(staff)
    client.post(reverse("second_factor_manage"), {"off": "1", "code": totp_code(secret)})
    assert Authenticator.objects.filter(user=staff, type="totp").exists()


def test_the_totp_secret_is_encrypted_at_rest(staff):
    secret = enrol_totp(staff)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE type = 'totp'")
        stored = str(cursor.fetchone()[0])
    assert secret not in stored and "fernet:" in stored


def test_an_administrator_reset_is_audited_and_the_person_enrols_again(admin_client, staff):
    enrol_totp(staff)
    totp = Authenticator.objects.get(user=staff, type="totp")
    answer = admin_client.post(f"/admin/mfa/authenticator/{totp.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert AuditEvent.objects.filter(action="admin.deleted", target_id=str(totp.pk)).exists()
    client = Client()
    password_step(client, staff)
    assert client.get(reverse("home"))["Location"].startswith(reverse("second_factor_enrol"))


def test_the_code_page_sends_nobody_to_another_site(staff):
    secret = enrol_totp(staff)
    client = Client()
    password_step(client, staff)
    step = client.post(
        reverse("second_factor_verify"),
        {"code": totp_code(secret), "next": "https://evil.example/"},
    )
    assert step["Location"] == reverse("home")
