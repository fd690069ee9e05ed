"""Issue 20, 3: a complaint the regulator transferred carries the date its transfer letter sets
for the bank's report, as a clock of the bank's (never shown to the customer), until staff
record what they reported."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation import services as ms
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import AuditEvent
from portal.transitions import ActionForbidden
from tests.conftest import client_for
from tests.factories import make_dispute, valid_id

pytestmark = pytest.mark.django_db


def test_staff_record_a_transfer_with_the_regulators_date(staff, branch):
    today = timezone.localdate()
    form = {
        "intake_token": "3f1c1f1e-6c1d-4a52-9f0e-2a3b4c5d6e7f",
        "branch": branch.pk,
        "category": "credit_card",
        "amount": "1200",
        "facts": "年费争议，经金融监管局转办。",
        "request": "退还年费。",
        "channel": "regulator",
        "received_on": today.isoformat(),
        "customer_name": "刘敏",
        "customer_mobile": "13900000077",
        "customer_id_number": valid_id(7),
        "regulator_reference": "",
        "regulator_reply_due": "",
    }
    client = client_for(staff)
    page = client.post(reverse("mediation:record"), form).content.decode()
    assert "监管转办的投诉须填写监管要求的报告日期" in page and "请填写转办函编号" in page
    form |= {
        "regulator_reply_due": (today - timedelta(days=1)).isoformat(),
        "regulator_reference": "沪金转〔2026〕118号",
    }
    page = client.post(reverse("mediation:record"), form).content.decode()
    assert "向监管报告的日期不能早于受理日期" in page
    form["regulator_reply_due"] = (today + timedelta(days=10)).isoformat()
    answer = client.post(reverse("mediation:record"), form)
    assert answer.status_code == 302
    from mediation.models import Dispute

    d = Dispute.objects.get(regulator_reference="沪金转〔2026〕118号")
    assert d.regulator_reply_due == today + timedelta(days=10)
    keys = {c.key for c in d.clocks_for(internal=True)}
    assert "regulator" in keys
    assert "regulator" not in {c.key for c in d.clocks_for(internal=False)}


def test_the_date_belongs_to_transferred_complaints_only(customer, branch):
    with pytest.raises(ApplicationError):
        make_dispute(customer, branch, channel="regulator")
    with pytest.raises(ApplicationError):
        make_dispute(customer, branch, regulator_reply_due=date(2026, 12, 20))


def test_recording_the_report(customer, staff, other_staff, branch):
    d = make_dispute(
        customer,
        branch,
        channel="regulator",
        regulator_reference="沪金转〔2026〕7号",
        regulator_reply_due=timezone.localdate() + timedelta(days=5),
    )
    d.refresh_from_db()
    assert d.next_deadline <= d.regulator_reply_due
    page = client_for(staff).get(d.get_absolute_url()).content.decode()
    assert "regulator_reply" in page and "沪金转〔2026〕7号" in page
    mine = client_for(customer).get(d.get_absolute_url()).content.decode()
    assert "regulator_reply" not in mine and "沪金转" not in mine
    with pytest.raises(Exception) as other:
        ms.dispute_record_regulator_reply(actor=other_staff, reference=d.reference, text="x")
    assert other.typename == "Http404"
    with pytest.raises(ActionForbidden):
        ms.dispute_record_regulator_reply(actor=customer, reference=d.reference, text="x")
    with pytest.raises(ApplicationError):
        ms.dispute_record_regulator_reply(actor=staff, reference=d.reference, text=" ")
    ms.dispute_record_regulator_reply(
        actor=staff, reference=d.reference, text="已电话沟通并书面回复。"
    )
    d.refresh_from_db()
    assert d.regulator_replied_at is not None
    assert next(c for c in d.clocks if c.key == "regulator").done
    assert AuditEvent.objects.filter(action="dispute.regulator_replied").exists()
    with pytest.raises(TransitionRefused):
        ms.dispute_record_regulator_reply(actor=staff, reference=d.reference, text="再次")
