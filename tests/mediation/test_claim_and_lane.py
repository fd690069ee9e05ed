"""Issue 17: "staff amend the amount to 60,000 on a case in the fast lane (page and API); the
case stays in the fast lane and is even accepted into mediation; the audit event records only
'changed'", and "'您可申请调解' for a 60,000 customer (no way to)".

The claim is the customer's: every change is a new version, staff change it only on the
customer's recorded request, and the lane is tested again by a transition. Above the threshold
the customer asks for mediation; the bank agrees or refuses with a reason the customer reads."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from mediation import services
from mediation.lifecycle import DisputeStatus
from mediation.models import ClaimVersion, Dispute, MediationRequest
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import AuditEvent, Notification
from portal.transitions import ActionForbidden
from tests.api.test_api import api
from tests.conftest import client_for, opened
from tests.factories import make_dispute, opt_in_naming

pytestmark = pytest.mark.django_db


def action_url(dispute, name: str) -> str:
    return reverse("mediation:action", args=[dispute.reference, name])


def in_lane(customer, branch, centre, amount="30000.00") -> Dispute:
    d = make_dispute(customer, branch, amount)
    return opt_in_naming(customer, d.reference, centre.pk)


# ---- the claim's versions ------------------------------------------------------------------


def test_filing_keeps_version_1_and_an_amendment_adds_version_2(customer, branch):
    d = make_dispute(customer, branch, "30000.00", facts="原始事实。")
    services.dispute_amend(
        actor=customer, reference=d.reference, amount=Decimal("32000.00"), facts="补充事实。"
    )
    first, second = ClaimVersion.objects.filter(dispute=d).order_by("number")
    assert (first.number, first.amount, first.facts) == (1, Decimal("30000.00"), "原始事实。")
    assert (second.number, second.amount, second.facts) == (2, Decimal("32000.00"), "补充事实。")
    event = AuditEvent.objects.get(action="dispute.amended")
    assert event.data["amount"] == ["30000.00", "32000.00"]
    assert event.data["facts"] == {
        "from_sha256": hashlib.sha256("原始事实。".encode()).hexdigest(),
        "to_sha256": hashlib.sha256("补充事实。".encode()).hexdigest(),
    }
    assert event.data["version"] == 2
    page = client_for(customer).get(d.get_absolute_url()).content.decode()
    assert "共 2 个版本" in page and "原始事实。" in page and "您本人修改" in page


def test_staff_amend_only_on_the_customers_recorded_request(customer, staff, branch):
    d = make_dispute(customer, branch, "30000.00")
    with pytest.raises(ApplicationError) as refused:
        services.dispute_amend(actor=staff, reference=d.reference, amount=Decimal("31000.00"))
    assert refused.value.code == "customer_request_needed"
    assert ClaimVersion.objects.filter(dispute=d).count() == 1

    client = client_for(staff)
    page = client.post(
        action_url(d, "amend_on_request"),
        {
            "amend_on_request-amount": "31000",
            "amend_on_request-facts": d.facts,
            "amend_on_request-request": d.request,
        },
        follow=True,
    ).content.decode()
    # The form again on the action's own page, as typed, the error beside its field.
    assert 'id="id_amend_on_request-customer_request_error"' in page and "该字段是必填项" in page
    assert 'value="31000"' in page
    assert Dispute.objects.get(pk=d.pk).amount == Decimal("30000.00")

    client.post(
        action_url(d, "amend_on_request"),
        {
            "amend_on_request-amount": "31000",
            "amend_on_request-facts": d.facts,
            "amend_on_request-request": d.request,
            "amend_on_request-customer_request": "客户 11-30 来电要求更正金额",
        },
    )
    latest = ClaimVersion.objects.filter(dispute=d).latest("number")
    assert latest.amount == Decimal("31000.00") and latest.made_by == staff
    assert latest.customer_request == "客户 11-30 来电要求更正金额"
    assert AuditEvent.objects.get(action="dispute.amended").data["on_the_customers_request"]
    shown = client_for(customer).get(d.get_absolute_url()).content.decode()
    assert "银行根据您的要求修改" in shown and "客户 11-30 来电要求更正金额" in shown


def test_the_customers_own_amend_form_is_not_offered_to_staff_and_vice_versa(
    customer, staff, branch
):
    d = make_dispute(customer, branch)
    staff_page = opened(client_for(staff), d.get_absolute_url())
    customer_page = opened(client_for(customer), d.get_absolute_url())
    assert "amend_on_request-customer_request" in staff_page
    assert "amend-amount" not in staff_page
    assert "amend-amount" in customer_page and "amend_on_request" not in customer_page


def test_amending_a_fast_lane_case_above_the_threshold_leaves_the_lane(
    customer, staff, branch, centre, django_capture_on_commit_callbacks
):
    d = in_lane(customer, branch, centre)
    assert d.status == DisputeStatus.FAST_LANE
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(staff).post(
            f"/api/v1/disputes/{d.reference}/amend/",
            {"amount": "60000", "customer_request": "客户书面申请提高金额"},
            format="json",
        )
    assert answer.status_code == 200
    assert answer.json()["status"] == "bank_handling"
    assert answer.json()["fast_lane_eligible"] is False
    left = AuditEvent.objects.get(action="dispute.leave_fast_lane")
    assert (left.from_state, left.to_state) == ("fast_lane", "bank_handling")
    told = Notification.objects.get(recipient=customer, event="lane_decided")
    assert "不符合条件" in told.title


def test_the_api_refuses_a_staff_amendment_without_the_request(customer, staff, branch):
    d = make_dispute(customer, branch)
    answer = api(staff).post(
        f"/api/v1/disputes/{d.reference}/amend/", {"amount": "60000"}, format="json"
    )
    assert answer.status_code == 400 and answer.json()["code"] == "customer_request_needed"


def test_once_a_centre_has_the_case_staff_no_longer_amend_it(customer, staff, branch, centre):
    d = in_lane(customer, branch, centre)
    Dispute.objects.filter(pk=d.pk).update(status=DisputeStatus.REFERRED)
    with pytest.raises(ActionForbidden):
        services.dispute_amend(
            actor=staff,
            reference=d.reference,
            amount=Decimal("60000.00"),
            customer_request="来电",
        )
    page = client_for(staff).get(d.get_absolute_url()).content.decode()
    assert "amend_on_request" not in page


# ---- mediation outside the fast lane -------------------------------------------------------


def test_above_the_threshold_the_customer_asks_and_the_bank_agrees(
    customer, staff, branch, centre, django_capture_on_commit_callbacks
):
    d = make_dispute(customer, branch, "60000.00")
    client = client_for(customer)
    page = client.get(d.get_absolute_url()).content.decode()
    assert "申请调解" in page and "选择调解快车道" not in page
    assert "如果您的请求金额在 5 万元及以下" not in page  # no fast-lane offer above it
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            action_url(d, "ask_mediation"),
            {"ask_mediation-agree_mediation": "on", "ask_mediation-note": "希望尽快和解"},
        )
    asked = MediationRequest.objects.get(dispute=d)
    assert asked.decision == "pending" and asked.note == "希望尽快和解"
    assert d.consents.filter(kind="mediation").exists()
    assert Notification.objects.filter(recipient=staff, event="mediation_requested").exists()
    assert "申请调解</summary>" not in client.get(d.get_absolute_url()).content.decode()

    staff_client = client_for(staff)
    assert "对客户的调解申请作出决定" in staff_client.get(d.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(action_url(d, "decide_mediation"), {"decide_mediation-decision": "agree"})
    d.refresh_from_db()
    assert d.status == DisputeStatus.FAST_LANE and d.mediation_agreed_at is not None
    assert d.status_label == "已同意调解，待转交"
    assert Notification.objects.filter(recipient=customer, event="mediation_agreed").exists()
    # From here it goes to a centre like a fast-lane case; an amendment no longer moves it.
    services.dispute_amend(
        actor=staff, reference=d.reference, amount=Decimal("61000.00"), customer_request="来电"
    )
    assert Dispute.objects.get(pk=d.pk).status == DisputeStatus.FAST_LANE


def test_a_refusal_needs_a_reason_the_customer_reads(
    customer, staff, branch, django_capture_on_commit_callbacks
):
    d = make_dispute(customer, branch, "60000.00")
    services.mediation_request(actor=customer, reference=d.reference, agree_mediation=True)
    for reason in ("", "不同意"):
        with pytest.raises(ApplicationError):
            services.mediation_request_decide(
                actor=staff, reference=d.reference, agree=False, reason=reason
            )
    page = client_for(staff).post(
        action_url(d, "decide_mediation"), {"decide_mediation-decision": "refuse"}, follow=True
    )
    assert "请说明拒绝理由" in page.content.decode()
    reason = "该纠纷涉及刑事案件线索，已移送公安机关，暂不适宜调解。"
    with django_capture_on_commit_callbacks(execute=True):
        services.mediation_request_decide(
            actor=staff, reference=d.reference, agree=False, reason=reason
        )
    told = Notification.objects.get(recipient=customer, event="mediation_refused")
    assert reason in told.body
    shown = client_for(customer).get(d.get_absolute_url()).content.decode()
    assert reason in shown and "银行已拒绝" in shown
    assert Dispute.objects.get(pk=d.pk).status == DisputeStatus.SUBMITTED
    event = AuditEvent.objects.get(action="dispute.mediation_refused")
    assert event.reason == reason
    # The customer may ask again.
    services.mediation_request(actor=customer, reference=d.reference, agree_mediation=True)


def test_who_may_ask_and_who_may_decide(
    customer, other_customer, staff, other_staff, mediator, branch
):
    eligible = make_dispute(customer, branch, "50000.00")
    with pytest.raises(ApplicationError) as refused:
        services.mediation_request(
            actor=customer, reference=eligible.reference, agree_mediation=True
        )
    assert refused.value.code == "eligible"
    d = make_dispute(customer, branch, "60000.00")
    assert client_for(other_customer).post(action_url(d, "ask_mediation")).status_code == 404
    with pytest.raises(ApplicationError):
        services.mediation_request(actor=customer, reference=d.reference, agree_mediation=False)
    services.mediation_request(actor=customer, reference=d.reference, agree_mediation=True)
    with pytest.raises(TransitionRefused):
        services.mediation_request(actor=customer, reference=d.reference, agree_mediation=True)
    for outsider in (other_staff, mediator):
        answer = client_for(outsider).post(
            action_url(d, "decide_mediation"), {"decide_mediation-decision": "agree"}
        )
        assert answer.status_code == 404
    with pytest.raises(ActionForbidden):
        services.mediation_request_decide(actor=customer, reference=d.reference, agree=True)
    assert MediationRequest.objects.get(dispute=d).decision == "pending"


def test_next_step_speaks_to_its_viewer(customer, staff, branch):
    d = make_dispute(customer, branch, "60000.00")
    customer_page = opened(client_for(customer), d.get_absolute_url())
    staff_page = opened(client_for(staff), d.get_absolute_url())
    assert "银行将在 1 日内为您的案件设置标签" in customer_page
    assert "银行设置案由与紧急程度标签。" in staff_page
    assert "您的案件" not in staff_page.split('id="next-h"')[1].split("</section>")[0]


def test_a_consent_already_given_is_not_asked_for_again(customer, branch):
    """Issue 19: the customer consented to mediation when asking for it above the threshold,
    then lowered the claim into the fast lane: the opt-in shows that consent as given and asks
    only for the disclosure consent."""
    d = make_dispute(customer, branch, "60000.00")
    client = client_for(customer)
    client.post(action_url(d, "ask_mediation"), {"ask_mediation-agree_mediation": "on"})
    services.dispute_amend(actor=customer, reference=d.reference, amount=Decimal("30000.00"))
    page = client.get(d.get_absolute_url()).content.decode()
    given = re.search(r'<input[^>]*name="opt_in-agree_mediation"[^>]*>', page)
    assert given and "disabled" in given.group(0) and "checked" in given.group(0)
    assert "我同意调解（已于" in page
    answer = client.post(action_url(d, "opt_in"), {"opt_in-agree_disclosure": "on"})
    assert answer.status_code == 302
    d.refresh_from_db()
    assert d.status == "fast_lane"
    assert d.consents.filter(kind="mediation").count() == 1  # not recorded twice
    assert d.consents.filter(kind="personal_info").count() == 1
