"""Sign-in per role, customer registration, and each role refused other roles' pages."""

import pytest
from django.urls import reverse

from portal.models import User
from tests.conftest import client_for
from tests.factories import enrol_totp, sms_code, totp_code, valid_id

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"


@pytest.mark.parametrize("role", ["customer", "staff", "partner", "auditor", "admin"])
def test_each_role_signs_in_and_sees_its_home(client, role, branch, centre):
    from tests.factories import UserFactory

    extra = {"branch": branch} if role == "staff" else {}
    if role == "partner":
        extra = {"organisation": centre, "partner_role": "mediator"}
    user = UserFactory(role=role, username=f"u-{role}", **extra)
    secret = enrol_totp(user) if role != "customer" else ""
    response = client.post(reverse("login"), {"username": f"u-{role}", "password": PASSWORD})
    assert response.status_code == 302
    if secret:  # every role but customers gives the second factor next
        assert client.get(reverse("home"))["Location"].startswith(reverse("second_factor_verify"))
        step = client.post(reverse("second_factor_verify"), {"code": totp_code(secret)})
        assert step.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert user.real_name in home.content.decode() or role in (
        "staff",
        "partner",
        "auditor",
        "admin",
    )
    expected_template = {
        "customer": "portal/home_customer.html",
        "staff": "portal/home_staff.html",
        "partner": "portal/home_partner.html",
        "auditor": "portal/home_auditor.html",
        "admin": "portal/home_admin.html",
    }[role]
    assert expected_template in [t.name for t in home.templates]


def test_sign_in_with_mobile_number(client, customer):
    response = client.post(reverse("login"), {"username": customer.mobile, "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_is_refused_with_a_message(client, customer):
    response = client.post(reverse("login"), {"username": customer.mobile, "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def _register(client, **overrides):
    data = {
        "real_name": "王小明",
        "mobile": "13912345678",
        "email": "",
        "id_number": valid_id(77),
        "password1": "Mediation-Fast-2026",
        "password2": "Mediation-Fast-2026",
    }
    data.update(overrides)
    return client.post(reverse("register"), data)


def test_registration_creates_a_signed_in_customer_once_the_code_is_entered(client):
    response = _register(client)
    assert response.status_code == 302 and response["Location"] == reverse("register_verify")
    assert not User.objects.filter(mobile="13912345678").exists()
    done = client.post(reverse("register_verify"), {"code": sms_code("13912345678")})
    assert done.status_code == 302
    user = User.objects.get(mobile="13912345678")
    assert user.role == "customer" and user.check_password("Mediation-Fast-2026")
    assert user.mobile_verified_at is not None
    assert client.get(reverse("home")).status_code == 200


def test_registration_needs_a_mobile_number_an_email_alone_is_not_enough(client):
    response = _register(client, mobile="", email="Wang@Example.com")
    assert response.status_code == 200
    assert response.context["form"].has_error("mobile", code="required")
    assert not User.objects.filter(email="wang@example.com").exists()


def test_a_taken_email_is_not_told_before_the_number_is_proved(client, customer):
    customer.email = "zhang@example.com"
    customer.save()
    response = _register(client, email="Zhang@Example.com")
    assert response.status_code == 302 and response["Location"] == reverse("register_verify")
    done = client.post(reverse("register_verify"), {"code": sms_code("13912345678")}, follow=True)
    assert "另一个账户" in done.content.decode()
    assert User.objects.get(mobile="13912345678").email == ""


def test_a_wrong_code_creates_nothing_and_says_why(client):
    _register(client)
    wrong = "000000" if sms_code("13912345678") != "000000" else "111111"
    response = client.post(reverse("register_verify"), {"code": wrong})
    assert response.status_code == 200 and "验证码错误或已过期" in response.content.decode()
    assert not User.objects.filter(mobile="13912345678").exists()


@pytest.mark.parametrize("weak", ["12345678901", "password123", "short"])
def test_weak_password_gets_a_clear_error(client, weak):
    response = _register(client, password1=weak, password2=weak)
    assert response.status_code == 200
    assert response.context["form"].has_error("password1")
    assert not User.objects.filter(mobile="13912345678").exists()


def test_bad_id_number_and_missing_contact(client):
    response = _register(client, id_number="110101199003071235", mobile="")
    form = response.context["form"]
    assert form.has_error("id_number")
    assert form.has_error("mobile", code="required")


def test_mismatched_passwords(client):
    response = _register(client, password2="Something-Else-99")
    assert response.context["form"].has_error("password2")


def test_password_reset_sends_mail(client, customer, mailoutbox):
    customer.email = "zhang@example.com"
    customer.save()
    response = client.post(reverse("password_reset"), {"email": "zhang@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "/accounts/reset/" in mailoutbox[0].body


ROLE_PAGES = {
    "customer": ["mediation:my_disputes", "mediation:file"],
    "staff": ["mediation:queue", "mediation:record"],
    "auditor": ["mediation:closed_cases"],
    "partner": ["mediation:partner_cases"],
}


@pytest.mark.parametrize("viewer", ["customer", "staff", "auditor", "partner"])
def test_each_role_is_refused_other_roles_pages(viewer, customer, staff, auditor, mediator):
    user = {"customer": customer, "staff": staff, "auditor": auditor, "partner": mediator}[viewer]
    client = client_for(user)
    for role, names in ROLE_PAGES.items():
        for name in names:
            status = client.get(reverse(name)).status_code
            assert status == (200 if role == viewer else 403), (viewer, name, status)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("mediation:my_disputes"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_english_switch(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert "Dispute mediation fast lane" in page.content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "调解快车道" in client.get("/").content.decode()


def test_pages_are_chinese_first_whatever_the_browser_asks(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "调解快车道" in page.content.decode()


def test_sign_in_is_rate_limited(client, customer):
    """Five failures are free; the sixth locks the account for 30 s (tests/security has the
    rest of the limiter)."""
    from django.core.cache import cache

    for _ in range(6):
        assert (
            client.post(
                reverse("login"), {"username": customer.mobile, "password": "wrong"}
            ).status_code
            == 200
        )
    blocked = client.post(
        reverse("login"), {"username": customer.mobile, "password": "Correct-Horse-42"}
    )
    assert blocked.status_code == 429 and "1" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()
    assert (
        client.post(
            reverse("login"), {"username": customer.mobile, "password": "Correct-Horse-42"}
        ).status_code
        == 302
    )
