"""Issue 16, verified mobiles: registration proves the number with a one-time code, and a case
recorded by phone reaches only the person whose verified number and ID number both match."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.models import Dispute
from portal.exceptions import ApplicationError
from portal.models import OneTimeCode, SmsMessage, User
from portal.otp import otp_send, otp_verify
from portal.services import user_get_or_create_customer
from tests.factories import CustomerFactory, make_dispute, sms_code, valid_id
from tests.portal.test_auth import _register

pytestmark = pytest.mark.django_db
ID = valid_id(4242)


def record_by_phone(staff, branch, mobile: str, id_number: str) -> Dispute:
    holder = user_get_or_create_customer(
        real_name="电话客户", mobile=mobile, id_number=id_number, created_by=staff
    )
    return make_dispute(holder, branch, channel="phone")


def test_registering_a_customers_mobile_without_the_code_claims_nothing(client, staff, branch):
    case = record_by_phone(staff, branch, "13700000001", ID)
    # A stranger registers the caller's number, and even the caller's ID number: without the
    # code sent to that phone no account is made, and the case stays where it was.
    _register(client, mobile="13700000001", id_number=ID)
    for guess in ("123456", "654321", "111111", "222222", "333333", "444444"):
        client.post(reverse("register_verify"), {"code": guess})
    assert not User.objects.filter(mobile="13700000001").exists()
    case.refresh_from_db()
    assert case.customer.mobile is None and not case.customer.has_usable_password()


def test_a_number_alone_never_hands_over_a_recorded_case(client, staff, branch):
    """The owner of a verified number with another ID number does not get the case."""
    other = CustomerFactory.create(
        mobile="13700000002", id_number=valid_id(7), mobile_verified_at=timezone.now()
    )
    case = record_by_phone(staff, branch, "13700000002", ID)
    assert case.customer != other
    client.force_login(other)
    assert client.get(reverse("mediation:detail", args=[case.reference])).status_code == 404


def test_the_person_who_proves_the_number_and_id_gets_the_recorded_case(client, staff, branch):
    case = record_by_phone(staff, branch, "13700000003", ID)
    _register(client, mobile="13700000003", id_number=ID)
    client.post(reverse("register_verify"), {"code": sms_code("13700000003")})
    owner = User.objects.get(mobile="13700000003")
    case.refresh_from_db()
    assert case.customer == owner
    assert client.get(reverse("mediation:detail", args=[case.reference])).status_code == 200
    assert (
        user_get_or_create_customer(
            real_name="电话客户", mobile="13700000003", id_number=ID, created_by=staff
        )
        == owner
    )


def test_an_earlier_account_proves_its_number_and_then_gets_its_cases(client, staff, branch):
    earlier = CustomerFactory.create(
        mobile="13700000004", id_number=ID, mobile_verified_at=None
    )  # never verified
    case = record_by_phone(staff, branch, "13700000004", ID)
    assert case.customer != earlier
    client.force_login(earlier)
    client.post(reverse("verify_mobile"), {"send": "1"})
    client.post(reverse("verify_mobile"), {"code": sms_code("13700000004")})
    case.refresh_from_db()
    earlier.refresh_from_db()
    assert earlier.mobile_verified_at is not None and case.customer == earlier


def test_the_answer_is_the_same_whether_or_not_the_number_is_registered(client):
    CustomerFactory.create(mobile="13700000005", mobile_verified_at=timezone.now())
    taken = _register(client, mobile="13700000005")
    client.session.flush()
    free = _register(client, mobile="13700000006")
    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"] == reverse("register_verify")
    # Only the free number got a code; the taken one can never be completed.
    assert not OneTimeCode.objects.filter(mobile="13700000005").exists()
    assert OneTimeCode.objects.filter(mobile="13700000006").count() == 1


def test_full_width_digits_are_normalised_before_the_number_is_checked(client):
    CustomerFactory.create(mobile="13700000001", mobile_verified_at=timezone.now())
    _register(client, mobile="13７00000001")
    assert not OneTimeCode.objects.exists()  # the same number: taken, no code
    client.session.flush()
    _register(client, mobile="13７00000009")
    client.post(reverse("register_verify"), {"code": sms_code("13700000009")})
    assert User.objects.filter(mobile="13700000009").exists()


def test_a_code_is_stored_hashed_and_allows_five_tries():
    otp_send(mobile="13700000010", purpose="claim", address="192.0.2.1", text="码 {code}")
    code = SmsMessage.objects.get().text.split()[-1]
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash
    for _ in range(5):
        with pytest.raises(ApplicationError):
            otp_verify(
                mobile="13700000010", purpose="claim", code="000000" if code != "000000" else "1"
            )
    with pytest.raises(ApplicationError):  # the right code, after five wrong tries: spent
        otp_verify(mobile="13700000010", purpose="claim", code=code)


def test_a_code_expires_after_five_minutes():
    otp_send(mobile="13700000011", purpose="claim", address="192.0.2.1", text="码 {code}")
    code = SmsMessage.objects.get().text.split()[-1]
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ApplicationError):
        otp_verify(mobile="13700000011", purpose="claim", code=code)


def test_a_code_works_once():
    otp_send(mobile="13700000012", purpose="claim", address="192.0.2.1", text="码 {code}")
    code = SmsMessage.objects.get().text.split()[-1]
    otp_verify(mobile="13700000012", purpose="claim", code=code)
    with pytest.raises(ApplicationError):
        otp_verify(mobile="13700000012", purpose="claim", code=code)


def test_code_requests_are_limited_per_number_and_per_address(settings):
    otp_send(mobile="13700000013", purpose="claim", address="192.0.2.1", text="{code}")
    with pytest.raises(ApplicationError) as again:  # a minute between two codes
        otp_send(mobile="13700000013", purpose="claim", address="192.0.2.1", text="{code}")
    assert again.value.http_status == 429
    settings.OTP_MAX_PER_ADDRESS = 3
    for n in range(2):
        otp_send(mobile=f"1370000002{n}", purpose="claim", address="192.0.2.1", text="{code}")
    with pytest.raises(ApplicationError):  # a fourth number from the same address
        otp_send(mobile="13700000029", purpose="claim", address="192.0.2.1", text="{code}")
    assert SmsMessage.objects.count() == 3


class FakeProvider(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeProvider.received.append({"auth": self.headers["Authorization"], **json.loads(body)})
        self.send_response(FakeProvider.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def provider(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "portal.sms.HttpBackend"
    settings.SMS_PROVIDER_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_PROVIDER_KEY = "k-123"
    settings.SMS_SENDER_ID = "BANK"
    FakeProvider.received, FakeProvider.status = [], 200
    yield FakeProvider
    server.shutdown()


def test_the_http_sms_backend_posts_to_the_provider(client, provider):
    _register(client, mobile="13700000030")
    (message,) = provider.received
    assert message["to"] == "13700000030" and message["sender"] == "BANK"
    assert message["auth"] == "Bearer k-123" and "注册验证码" in message["text"]


def test_a_provider_failure_is_a_clear_message_not_a_500(client, provider):
    provider.status = 503
    response = _register(client, mobile="13700000031")
    assert response.status_code == 200
    assert "短信暂时无法发送" in response.content.decode()


def test_proving_a_number_an_earlier_unverified_account_holds_takes_it_over(client):
    """An account from before numbers were verified (login name = the number) does not stop
    the person who proves the number: they get it, and sign in with it."""
    earlier = CustomerFactory.create(
        username="13700000040", mobile="13700000040", mobile_verified_at=None
    )
    _register(client, mobile="13700000040")
    done = client.post(reverse("register_verify"), {"code": sms_code("13700000040")})
    assert done.status_code == 302
    owner = User.objects.get(mobile="13700000040")
    earlier.refresh_from_db()
    assert owner != earlier and earlier.mobile is None and owner.mobile_verified_at
    client.logout()
    signed_in = client.post(
        reverse("login"), {"username": "13700000040", "password": "Mediation-Fast-2026"}
    )
    assert signed_in.status_code == 302
