"""Issue 17: "no customer action to start a judicial confirmation after an agreement", and the
customer's part of the joint application is a binding act. The customer applies online (court,
whole text, tick, code), the bank is asked to join; a bank-prepared application waits on the
customer's home until they join it on its own page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.exceptions import ApplicationError
from portal.models import AuditEvent, BindingAct, Notification
from referrals.confirmation import services as confirmation_services
from referrals.confirmation.lifecycle import ConfirmationStatus
from referrals.models import JudicialConfirmation, MediationAgreement
from tests.conftest import client_for
from tests.factories import sms_code

pytestmark = pytest.mark.django_db


def apply_url(dispute) -> str:
    return reverse("referrals:confirmation_apply", args=[dispute.reference])


def _shown_sha256(page: str) -> str:
    found = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', page)
    assert found is not None, "the page shows no act"
    return found.group(1)


def test_the_customer_applies_online_and_the_bank_is_asked_to_join(
    agreed, customer, staff, court, django_capture_on_commit_callbacks
):
    client = client_for(customer)
    case = client.get(agreed.get_absolute_url()).content.decode()
    assert apply_url(agreed) in case
    assert apply_url(agreed) in client.get("/").content.decode()  # waiting on the home too

    choose = client.get(apply_url(agreed)).content.decode()
    assert court.name in choose and "text_sha256" not in choose  # the court comes first
    url = f"{apply_url(agreed)}?court={court.pk}"
    page = client.get(url).content.decode()
    assert court.name in page and "人民币壹万贰仟元整" in page
    assert "第二百零六条" in page  # what follows a confirmation, and a rejection
    shown = _shown_sha256(page)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"send": "1"}).status_code == 302
    code = sms_code(customer.mobile)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(url, {"read": "1", "code": wrong, "text_sha256": shown})
    assert "验证码错误" in refused.content.decode()
    assert not JudicialConfirmation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"read": "1", "code": code, "text_sha256": shown})
    assert done.status_code == 302
    c = JudicialConfirmation.objects.get(dispute=agreed)
    assert c.status == ConfirmationStatus.PREPARING and c.court == court
    assert c.customer_consent_at is not None and c.bank_consent_at is None
    act = BindingAct.objects.get(actor=customer, kind="confirmation.apply")
    assert act.text_sha256 == shown and court.name in act.text
    assert AuditEvent.objects.filter(action="binding_act.confirmed", case_ref=agreed.reference)
    asked = Notification.objects.get(recipient=staff, event="confirmation_join_bank")
    assert court.name in asked.body
    assert not Notification.objects.filter(recipient=customer, event="confirmation_join_bank")

    staff_home = client_for(staff).get("/").content.decode()
    assert "同意共同申请司法确认" in staff_home
    # Once applied, neither the button nor the home item offers it again.
    assert apply_url(agreed) not in client.get(agreed.get_absolute_url()).content.decode()
    assert apply_url(agreed) not in client.get("/").content.decode()


@pytest.mark.parametrize("who", ["other_customer", "staff", "mediator"])
def test_only_the_cases_customer_reaches_the_application_page(agreed, court, who, request):
    user = request.getfixturevalue(who)
    answer = client_for(user).get(f"{apply_url(agreed)}?court={court.pk}")
    assert answer.status_code == 404
    assert apply_url(agreed) not in client_for(user).get("/").content.decode()


def test_the_service_refuses_an_application_without_the_code(agreed, customer, court):
    with pytest.raises(ApplicationError) as refused:
        confirmation_services.confirmation_apply_confirmed(
            actor=customer,
            reference=agreed.reference,
            court_id=court.pk,
            proof=None,  # type: ignore[arg-type]
            shown_sha256="0" * 64,
        )
    assert refused.value.code == "reauthentication_required"
    assert not JudicialConfirmation.objects.exists()


def test_a_lapsed_window_offers_nothing_and_says_why(agreed, customer, court):
    MediationAgreement.objects.filter(referral__dispute=agreed).update(
        confirmation_window_ends=timezone.localdate() - timedelta(days=1)
    )
    client = client_for(customer)
    assert apply_url(agreed) not in client.get(agreed.get_absolute_url()).content.decode()
    assert apply_url(agreed) not in client.get("/").content.decode()
    answer = client.get(f"{apply_url(agreed)}?court={court.pk}", follow=True)
    assert "30日申请期限已届满" in answer.content.decode()
    assert not JudicialConfirmation.objects.exists()


def test_a_bank_prepared_application_waits_for_the_customer_to_join(
    agreed, customer, staff, court, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        c = confirmation_services.confirmation_start(
            actor=staff, reference=agreed.reference, court_id=court.pk
        )
    told = Notification.objects.get(recipient=customer, event="confirmation_join_customer")
    join_url = reverse("referrals:confirmation_join", args=[c.pk])
    assert told.url == join_url
    client = client_for(customer)
    assert join_url in client.get("/").content.decode()
    assert join_url in client.get(agreed.get_absolute_url()).content.decode()

    # The one-click consent of old is refused to the customer; the service wants the code.
    client.post(reverse("referrals:confirmation_action", args=[c.pk, "consent"]))
    assert JudicialConfirmation.objects.get(pk=c.pk).customer_consent_at is None
    with pytest.raises(ApplicationError) as refused:
        confirmation_services.confirmation_consent(actor=customer, confirmation_id=c.pk)
    assert refused.value.code == "reauthentication_required"

    page = client.get(join_url).content.decode()
    shown = _shown_sha256(page)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(join_url, {"send": "1"})
        done = client.post(
            join_url, {"read": "1", "code": sms_code(customer.mobile), "text_sha256": shown}
        )
    assert done.status_code == 302
    assert JudicialConfirmation.objects.get(pk=c.pk).customer_consent_at is not None
    assert BindingAct.objects.filter(actor=customer, kind="confirmation.apply").count() == 1
    assert join_url not in client.get("/").content.decode()
    # Nothing left to join: the page says so instead of offering the act again.
    again = client.get(join_url, follow=True).content.decode()
    assert "text_sha256" not in again


def test_the_bank_agrees_with_one_action_and_is_then_asked_to_file(agreed, customer, staff, court):
    c = confirmation_services.confirmation_start(
        actor=staff, reference=agreed.reference, court_id=court.pk
    )
    client = client_for(staff)
    assert "同意共同申请司法确认" in client.get("/").content.decode()
    client.post(reverse("referrals:confirmation_action", args=[c.pk, "consent"]))
    assert JudicialConfirmation.objects.get(pk=c.pk).bank_consent_at is not None
    home = client.get("/").content.decode()
    assert "司法确认：等待客户共同申请" in home


def test_the_timeline_names_each_partys_consent(agreed, customer, staff, court):
    from tests.factories import customer_joins

    c = confirmation_services.confirmation_start(
        actor=staff, reference=agreed.reference, court_id=court.pk
    )
    customer_joins(customer, c.pk)
    confirmation_services.confirmation_consent(actor=staff, confirmation_id=c.pk)
    page = client_for(customer).get(agreed.get_absolute_url()).content.decode()
    assert "客户已同意共同申请司法确认" in page and "银行已同意共同申请司法确认" in page
    assert "一方同意" not in page
