"""Issue 17, 4: "deadlines vanish once a case enters the fast lane: the '办理时限' table is empty
and the staff queue shows '—'; the mediator-assignment and mediation clocks exist but are not
shown". Whichever clock runs shows on the case for those it concerns, and is the case's next
deadline in the queues; the bank's internal 1357 targets stay the bank's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mediation import services
from mediation.models import Dispute
from referrals.centres import services as referral_services
from referrals.confirmation import services as confirmation_services
from referrals.models import Referral
from tests.conftest import client_for
from tests.factories import make_dispute, opt_in_naming, refer
from tests.referrals.test_confirmation import _ready_to_file

pytestmark = pytest.mark.django_db


def page(user, dispute) -> str:
    return client_for(user).get(dispute.get_absolute_url()).content.decode()


def deadlines(html: str) -> str:
    return html.split('id="clocks-h"')[1].split("</section>")[0]


def test_a_referred_case_shows_the_assignment_clock_to_everyone_on_it(
    customer, staff, mediator, branch, centre
):
    dispute = make_dispute(customer, branch, "20000.00")
    services.dispute_triage(
        actor=staff, reference=dispute.reference, cause_label="合同纠纷", urgency="normal"
    )  # the day-1 target met: the bank's page keeps showing it
    referral = refer(dispute, customer, staff, centre)
    referral.refresh_from_db()
    dispute.refresh_from_db()
    assert dispute.status == "referred"
    assert referral.assignment_due is not None
    assert dispute.next_deadline == referral.assignment_due
    due = referral.assignment_due.isoformat()
    for viewer in (customer, staff, mediator):
        shown = deadlines(page(viewer, dispute))
        assert "指定调解员（3 个工作日）" in shown and due in shown
    queue = client_for(staff).get(reverse("mediation:queue")).content.decode()
    assert due in queue
    # The bank's own targets: the bank's page only.
    assert "第1日" in deadlines(page(staff, dispute))
    for outsider in (customer, mediator):
        assert "第1日" not in page(outsider, dispute)


def test_the_mediation_clock_follows_the_acceptance(customer, staff, mediator, branch, centre):
    dispute = make_dispute(customer, branch, "20000.00")
    referral = refer(dispute, customer, staff, centre)
    referral_services.referral_accept(
        actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
    )
    dispute.refresh_from_db()
    assert dispute.next_deadline == dispute.mediation_due
    assert Referral.objects.get(pk=referral.pk).mediation_due == dispute.mediation_due
    assert "调解期限" in deadlines(page(customer, dispute))


def test_after_an_agreement_the_window_then_the_court_clocks_run(
    agreed, customer, staff, court, django_capture_on_commit_callbacks
):
    agreement = agreed.referrals.get().agreement
    assert agreed.next_deadline == min(
        agreement.confirmation_window_ends, agreement.performance_due
    )
    shown = deadlines(page(customer, agreed))
    assert "申请司法确认（30 日）" in shown and "银行履行调解协议" in shown
    c = _ready_to_file(agreed, customer, staff, court, django_capture_on_commit_callbacks)
    confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk)
    c.refresh_from_db()
    fresh = Dispute.objects.get(pk=agreed.pk)
    assert fresh.next_deadline == min(c.acceptance_due, agreement.performance_due)
    shown = deadlines(page(staff, fresh))
    assert "法院决定是否受理（3 日）" in shown
    # The window stopped when the application reached the court.
    window_row = shown.split("申请司法确认（30 日）")[1].split("</tr>")[0]
    assert "已完成" in window_row


def test_a_stage_without_a_clock_says_so(customer, staff, branch, centre):
    dispute = make_dispute(customer, branch, "20000.00")
    opt_in_naming(customer, dispute.reference, centre.pk)
    assert "当前阶段没有正在计算的期限。" in deadlines(page(customer, dispute))
