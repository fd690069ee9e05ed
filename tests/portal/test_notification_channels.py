"""Issue 19, 5: a channel per notice. In the portal, by email (unless switched off), by text
message to a verified mobile (only if switched on); a legal notice always in the portal and by
email, a text message added if chosen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import Delivery, NotificationChannelChoice, SmsMessage
from portal.notifications import deliver_one, notify
from portal.privacy import erase_account
from tests.conftest import client_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SESSION = {"ref": "MD-2026-000042", "when": "12月9日 10:00", "mode": "线上", "place": "会议室"}
AGREEMENT = {"ref": "MD-2026-000042", "effective": "2026-12-07", "window": "2027-06-07"}


def channels_of(user, event, params):
    [n] = notify(event, recipients=[user], params=params, url="/disputes/MD-2026-000042/")
    return sorted(Delivery.objects.filter(notification=n).values_list("channel", flat=True))


def test_by_default_email_and_no_text_message():
    customer = CustomerFactory.create(email="li@example.cn")
    assert channels_of(customer, "session_scheduled", SESSION) == ["email"]


def test_a_person_chooses_text_messages_instead_of_email_for_one_notice():
    customer = CustomerFactory.create(email="li@example.cn")
    client = client_for(customer)
    page = client.get(reverse("notification_preferences")).content.decode()
    assert 'name="session_scheduled:sms"' in page and 'name="session_scheduled:email"' in page
    ticked = {"session_scheduled": "on", "session_scheduled:sms": "on", "session_moved": "on"}
    client.post(reverse("notification_preferences"), ticked)
    assert channels_of(customer, "session_scheduled", SESSION) == ["sms"]
    assert channels_of(customer, "session_moved", SESSION) == []  # email switched off too
    page = client.get(reverse("notification_preferences")).content.decode()
    assert 'name="session_scheduled:sms" id="pref-session_scheduled-sms" checked' in page
    # The text message: the title and the link, not the body (a lock screen shows it).
    sms = Delivery.objects.get(channel="sms")
    assert deliver_one(sms.pk) == "sent"
    text = SmsMessage.objects.get(to=customer.mobile).text
    assert "MD-2026-000042" in text and "/disputes/MD-2026-000042/" in text
    assert "会议室" not in text


def test_a_legal_notice_always_goes_by_email_and_may_add_a_text_message():
    customer = CustomerFactory.create(email="li@example.cn")
    client = client_for(customer)
    client.post(reverse("notification_preferences"), {"agreement_recorded:sms": "on"})
    # Email was not ticked (a legal notice offers no box for it): it is not switched off.
    assert not NotificationChannelChoice.objects.filter(
        user=customer, event="agreement_recorded", channel="email"
    ).exists()
    assert channels_of(customer, "agreement_recorded", AGREEMENT) == ["email", "sms"]
    # Even a stored "no" (written by hand) does not stop a legal notice's email.
    NotificationChannelChoice.objects.create(
        user=customer, event="agreement_recorded", channel="email", wanted=False
    )
    assert "email" in channels_of(customer, "agreement_recorded", AGREEMENT)


def test_without_a_verified_mobile_the_choice_waits_and_the_page_says_so():
    customer = CustomerFactory.create(email="", mobile_verified_at=None)
    client = client_for(customer)
    page = client.get(reverse("notification_preferences")).content.decode()
    assert "您尚未验证手机号码" in page and reverse("verify_mobile") in page
    assert "您尚未填写电子邮箱" in page
    ticked = {"session_scheduled": "on", "session_scheduled:sms": "on"}
    client.post(reverse("notification_preferences"), ticked)
    assert channels_of(customer, "session_scheduled", SESSION) == []
    assert NotificationChannelChoice.objects.filter(user=customer, channel="sms").exists()


def test_each_persons_choices_are_their_own_and_go_with_the_account():
    one, other = CustomerFactory.create(), CustomerFactory.create()
    ticked = {"session_scheduled": "on", "session_scheduled:sms": "on"}
    client_for(one).post(reverse("notification_preferences"), ticked)
    assert not NotificationChannelChoice.objects.filter(user=other).exists()
    assert channels_of(other, "session_scheduled", SESSION) == []  # no email, no sms chosen
    erase_account(user=one, by=None)
    assert not NotificationChannelChoice.objects.filter(user=one).exists()


def test_staff_choose_among_their_own_notices(staff):
    page = client_for(staff).get(reverse("notification_preferences")).content.decode()
    assert 'name="case_assigned:sms"' in page
    customers = client_for(CustomerFactory.create()).get(reverse("notification_preferences"))
    assert 'name="case_assigned:sms"' not in customers.content.decode()
