"""Issue 20, 3 (the customer's review request, 核查): "您可在 2026-12-29 前申请核查" had no button.
Within 30 days of the decision (CPL art. 85 counting) the customer asks online with reasons; a
member of staff other than the decision's author decides within the set time; the outcome
(upheld, changed, reversed) is a transition the customer is told of."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

import mediation.complaint_review as complaint_review
from mediation import services as ms
from mediation.models import Dispute, ReviewRequest
from mediation.services.complaint_review import review_request_decide, review_request_make
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import AuditEvent, Notification
from portal.transitions import ActionForbidden
from tests.conftest import client_for
from tests.factories import StaffFactory, make_dispute
from tests.lifecycle_tables import declared_transitions, docstring_table

pytestmark = pytest.mark.django_db


def test_table_matches_code():
    assert docstring_table(complaint_review) == declared_transitions(ReviewRequest)


def decided(customer, staff, branch, on: date) -> Dispute:
    at = datetime(on.year, on.month, on.day, 2, tzinfo=UTC)  # 10:00 in Shanghai
    with time_machine.travel(at, tick=False):
        d = make_dispute(customer, branch, "60000.00", received_at=at)
        ms.dispute_triage(
            actor=staff, reference=d.reference, cause_label="信用卡纠纷", urgency="normal"
        )
        ms.dispute_start_bank_handling(actor=staff, reference=d.reference)
        ms.dispute_record_decision(actor=staff, reference=d.reference, text="不予退还年费。")
    d.refresh_from_db()
    return d


def test_the_window_counts_across_national_day(customer, staff, branch):
    # 4 September + 30 days = Sunday 4 October, inside the holiday: it ends on Thursday 8 October.
    d = decided(customer, staff, branch, date(2026, 9, 4))
    assert d.review_request_due == date(2026, 10, 8)
    with time_machine.travel(datetime(2026, 10, 9, 2, tzinfo=UTC), tick=False):
        with pytest.raises(TransitionRefused) as late:
            review_request_make(actor=customer, reference=d.reference, reasons="年费应减免。")
        assert late.value.code == "review_window_closed"
        page = client_for(customer).get(d.get_absolute_url()).content.decode()
        assert "ask_review" not in page  # no button once the window closed
    with time_machine.travel(datetime(2026, 10, 8, 2, tzinfo=UTC), tick=False):
        review = review_request_make(actor=customer, reference=d.reference, reasons="年费应减免。")
    assert review.decision_due == date(2026, 11, 9)  # 8 Oct + 30 = Sat 7 Nov -> Mon 9 Nov


def test_another_member_of_staff_decides_and_the_customer_is_told(
    customer, staff, branch, django_capture_on_commit_callbacks
):
    d = decided(customer, staff, branch, date(2026, 11, 20))
    client = client_for(customer)
    page = client.get(d.get_absolute_url()).content.decode()
    assert "ask_review" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("mediation:action", args=[d.reference, "ask_review"]),
            {"ask_review-reasons": "合同约定首年免年费，银行未减免。"},
        )
    review = ReviewRequest.objects.get(dispute=d)
    assert Notification.objects.filter(event="review_requested", recipient=staff)
    # The first handler is refused, on the page and in the service.
    kit = reverse("replykit:start", args=[d.reference, "review"])
    assert kit not in client_for(staff).get(d.get_absolute_url()).content.decode()
    with pytest.raises(ActionForbidden) as refused:
        review_request_decide(actor=staff, reference=d.reference, outcome="upheld", text="维持。")
    assert refused.value.code == "first_handler"

    colleague = StaffFactory.create(branch=branch)
    # It waits on the colleague's home, not on the decision's author's.
    assert kit in client_for(colleague).get("/").content.decode()
    assert kit not in client_for(staff).get("/").content.decode()
    with pytest.raises(ApplicationError):
        review_request_decide(actor=colleague, reference=d.reference, outcome="upheld", text=" ")
    assert kit in client_for(colleague).get(d.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        review_request_decide(
            actor=colleague,
            reference=d.reference,
            outcome="reversed",
            text="经核查，合同约定首年免年费，撤销原决定，退还年费。",
        )
    review.refresh_from_db()
    assert review.status == "reversed" and review.decided_by == colleague
    event = AuditEvent.objects.get(action="review_request.reverse")
    assert (event.from_state, event.to_state) == ("requested", "reversed")
    told = Notification.objects.get(recipient=customer, event="review_decided")
    assert "撤销原决定" in told.body
    shown = client.get(d.get_absolute_url()).content.decode()
    assert "撤销原决定" in shown
    with pytest.raises(TransitionRefused):  # once per decision
        review_request_make(actor=customer, reference=d.reference, reasons="再次核查")


def test_who_may_ask(customer, other_customer, staff, branch):
    d = decided(customer, staff, branch, date(2026, 11, 20))
    answer = client_for(other_customer).post(
        reverse("mediation:action", args=[d.reference, "ask_review"]),
        {"ask_review-reasons": "x"},
    )
    assert answer.status_code == 404
    with pytest.raises(ActionForbidden):
        review_request_make(actor=staff, reference=d.reference, reasons="x")
    undecided = make_dispute(customer, branch)
    with pytest.raises(TransitionRefused):
        review_request_make(actor=customer, reference=undecided.reference, reasons="x")
    assert not ReviewRequest.objects.exists()
