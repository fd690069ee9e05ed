"""Six-month look-back reviews: due dates, the idempotent daily job, repeat complaints, the
fail -> rectify -> re-review loop, auditors' isolation from disputes, and the queue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import referrals.reviews.lifecycle as review_lifecycle
from mediation import services as ms
from mediation.models import Dispute
from portal.calendar import add_months_clamped
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import AuditEvent
from portal.services import user_get_or_create_customer
from portal.transitions import ActionForbidden
from referrals.models import LookbackReview
from referrals.reviews import services as rv
from referrals.reviews.lifecycle import ReviewStatus
from tests.conftest import client_for
from tests.factories import CustomerFactory, UserFactory, make_dispute, valid_id
from tests.lifecycle_tables import allowed, declared_transitions, docstring_table, refusals

pytestmark = pytest.mark.django_db


def test_table_matches_code():
    assert docstring_table(review_lifecycle) == declared_transitions(LookbackReview)


@pytest.mark.parametrize(
    ("closed", "due"),
    [
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), date(2026, 9, 30)),
        (date(2026, 5, 15), date(2026, 11, 15)),
    ],
)
def test_due_date_six_calendar_months_clamped(closed, due):
    assert rv.review_due_date(closed) == due


def close(dispute, staff):
    ms.dispute_triage(
        actor=staff, reference=dispute.reference, cause_label="合同", urgency="normal"
    )
    ms.dispute_start_bank_handling(actor=staff, reference=dispute.reference)
    ms.dispute_close(actor=staff, reference=dispute.reference, reason="bank_decision_accepted")
    return LookbackReview.objects.get(dispute=dispute)


@time_machine.travel(datetime(2026, 8, 31, 4, 0, tzinfo=UTC), tick=False)
def test_closing_schedules_the_review(customer, staff, branch):
    review = close(make_dispute(customer, branch), staff)
    assert review.status == "scheduled" and review.due_on == date(2027, 2, 28)
    assert AuditEvent.objects.filter(action="review.scheduled").count() == 1


def test_daily_job_is_idempotent_and_catches_up(customer, staff, branch):
    with time_machine.travel(datetime(2026, 3, 2, 4, tzinfo=UTC), tick=False):
        first = close(make_dispute(customer, branch), staff)
    with time_machine.travel(datetime(2026, 3, 20, 4, tzinfo=UTC), tick=False):
        second = close(make_dispute(customer, branch), staff)
    # Nobody ran the job for weeks: both come due together.
    with time_machine.travel(datetime(2026, 10, 1, 4, tzinfo=UTC), tick=False):
        call_command("queue_due_reviews")
        events = AuditEvent.objects.count()
        call_command("queue_due_reviews")
        assert AuditEvent.objects.count() == events
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == ReviewStatus.QUEUED


def test_not_yet_due_stays_scheduled(customer, staff, branch):
    review = close(make_dispute(customer, branch), staff)
    assert rv.review_enqueue_due() == 0
    review.refresh_from_db()
    assert review.status == "scheduled"


@pytest.fixture
def queued(customer, staff, branch):
    with time_machine.travel(datetime(2026, 3, 2, 4, tzinfo=UTC), tick=False):
        review = close(make_dispute(customer, branch, category="credit_card"), staff)
    rv.review_enqueue_due(today=date(2026, 9, 2))
    review.refresh_from_db()
    return review


# True of a case closed on the bank's decision, with no agreement and no return visit.
FULL = {"root_cause": "yes", "accountability": "yes", "performance": "na", "satisfaction": "na"}


def _fill(auditor, review, repeat="none"):
    values = {**FULL, "repeat": repeat}
    values.update({f"{k}_finding": "已核实" for k in values})
    values["accountability_persons"] = "理财经理甲"
    rv.review_save_checklist(actor=auditor, review_id=review.pk, values=values)


def test_repeat_complaints_are_matched_without_searching(
    queued, customer, staff, branch, other_branch
):
    dispute = queued.dispute
    later = timezone.now() + timedelta(minutes=1)
    # The same customer again, by phone: staff recorded it against the same mobile number.
    again = user_get_or_create_customer(
        real_name="同一客户", mobile=customer.mobile, created_by=staff
    )
    by_phone = make_dispute(again, branch, received_at=later, channel="phone")
    # The same person under another account, matched on the ID number.
    twin = CustomerFactory.create(mobile="13612345678", id_number=customer.id_number)
    by_twin = make_dispute(twin, other_branch, received_at=later)
    # Someone else, same product and branch: listed separately.
    stranger = CustomerFactory.create(id_number=valid_id(9876))
    same_product = make_dispute(stranger, branch, received_at=later, category="credit_card")
    unrelated = make_dispute(stranger, other_branch, received_at=later, category="loans")
    # Filed before closure: not a repeat.
    matches = rv.repeat_complaints(queued)
    assert set(matches["customer"]) == {by_phone, by_twin}
    assert list(matches["product"]) == [same_product]
    assert unrelated not in matches["customer"] and dispute not in matches["customer"]


def test_fail_rectify_re_review_loop(queued, settings):
    settings.LOOKBACK_RE_REVIEW_MONTHS = 3
    auditor = UserFactory.create(role="auditor")
    rv.review_take(actor=auditor, review_id=queued.pk)
    with pytest.raises(ApplicationError) as info:
        rv.review_decide(actor=auditor, review_id=queued.pk, passed=False, findings="未整改")
    assert info.value.code == "checklist_incomplete"
    _fill(auditor, queued, repeat="found")
    rv.review_decide(actor=auditor, review_id=queued.pk, passed=False, findings="客户二次投诉")
    with pytest.raises(ApplicationError) as info:
        rv.review_schedule_re_review(actor=auditor, review_id=queued.pk)
    assert info.value.code == "rectification_open"
    action = rv.rectification_add(
        actor=auditor,
        review_id=queued.pk,
        what="修订年费减免规则",
        owner="信用卡中心",
        due_on=timezone.localdate() + timedelta(30),
    )
    with pytest.raises(ApplicationError):
        rv.rectification_done(actor=auditor, action_id=action.pk, evidence=" ")
    rv.rectification_done(actor=auditor, action_id=action.pk, evidence="系统变更单 CR-2026-101")
    rv.review_schedule_re_review(actor=auditor, review_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == "re_review_scheduled" and queued.round == 2
    assert queued.repeat == "" and queued.auditor is None
    assert queued.due_on == add_months_clamped(timezone.localdate(), 3)
    snapshot = AuditEvent.objects.filter(action="review.schedule_re_review").latest("seq")
    assert snapshot.data["previous_round"]["repeat"] == "found"
    rv.review_enqueue_due(today=queued.due_on)
    rv.review_take(actor=auditor, review_id=queued.pk)
    _fill(auditor, queued)
    rv.review_decide(actor=auditor, review_id=queued.pk, passed=True, findings="整改到位")
    queued.refresh_from_db()
    assert queued.status == "passed"


def test_only_the_auditor_who_took_it_works_it(queued, auditor):
    other = UserFactory.create(role="auditor")
    rv.review_take(actor=auditor, review_id=queued.pk)
    with pytest.raises(ActionForbidden):
        rv.review_save_checklist(actor=other, review_id=queued.pk, values={"root_cause": "yes"})
    with pytest.raises((ActionForbidden, ApplicationError)):
        rv.review_decide(actor=other, review_id=queued.pk, passed=True, findings="x")


def test_auditors_cannot_change_the_dispute(queued, auditor):
    dispute = queued.dispute
    client = client_for(auditor)
    page = client.get(reverse("mediation:detail", args=[dispute.reference]))
    assert page.status_code == 200 and not page.context["actions"]
    for action, data in (
        ("amend", {"amend-amount": "1", "amend-facts": "x", "amend-request": "y"}),
        ("withdraw", {"withdraw-reason": "x"}),
        ("milestone", {"milestone-milestone": "plan", "milestone-text": "x"}),
    ):
        client.post(reverse("mediation:action", args=[dispute.reference, action]), data)
    refreshed = Dispute.objects.get(pk=dispute.pk)
    assert (refreshed.status, refreshed.amount, refreshed.facts) == (
        dispute.status,
        dispute.amount,
        dispute.facts,
    )
    with pytest.raises(ActionForbidden):
        ms.dispute_amend(actor=auditor, reference=dispute.reference, amount=Decimal("1.00"))


def test_non_auditors_cannot_open_the_queue_or_a_review(queued, staff, customer, mediator):
    for user in (staff, customer, mediator):
        client = client_for(user)
        assert client.get(reverse("reviews:queue")).status_code == 403
        assert client.get(reverse("reviews:detail", args=[queued.pk])).status_code == 403
        assert client.post(reverse("reviews:action", args=[queued.pk, "take"])).status_code == 404


def test_accountability_names_are_for_auditors_only(queued, auditor, staff):
    rv.review_take(actor=auditor, review_id=queued.pk)
    _fill(auditor, queued)
    html = client_for(auditor).get(reverse("reviews:detail", args=[queued.pk])).content.decode()
    assert "理财经理甲" in html
    case = client_for(staff).get(reverse("mediation:detail", args=[queued.dispute.reference]))
    assert "理财经理甲" not in case.content.decode()


def test_review_through_the_pages(queued, auditor):
    client = client_for(auditor)
    client.post(reverse("reviews:action", args=[queued.pk, "take"]))
    data = {f"cl-{k}": v for k, v in {**FULL, "repeat": "none"}.items()}
    data.update({f"cl-{k}_finding": "已核实" for k in (*FULL, "repeat")})
    client.post(reverse("reviews:checklist", args=[queued.pk]), data)
    client.post(
        reverse("reviews:action", args=[queued.pk, "pass"]), {"v-pass-findings": "整改到位"}
    )
    queued.refresh_from_db()
    assert queued.status == "passed"
    home = client.get(reverse("home"))
    assert home.context["figures"]["pass_rate"] == 1.0


def test_queue_query_count_is_constant(auditor, staff, branch):
    client = client_for(auditor)

    def add():
        with time_machine.travel(datetime(2026, 3, 2, 4, tzinfo=UTC), tick=False):
            close(make_dispute(CustomerFactory.create(), branch), staff)
        rv.review_enqueue_due(today=date(2026, 9, 5))

    add()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("reviews:queue")).status_code == 200
    for _ in range(10):
        add()
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("reviews:queue") + "?show=all")
    assert response.status_code == 200 and len(many) == len(few)


# ---- every transition allowed and refused ---------------------------------------------------


def _review_in(state, customer, branch, auditor):
    review = LookbackReview.objects.create(
        dispute=make_dispute(customer, branch),
        closed_on=date(2026, 1, 5),
        due_on=date(2026, 7, 5),
        status=state,
        auditor=auditor,
    )
    values = {**FULL, "repeat": "none"}
    LookbackReview.objects.filter(pk=review.pk).update(
        **values, **{f"{k}_finding": "ok" for k in values}
    )
    if state == "failed":
        review.actions.create(
            what="x", owner="y", due_on=date(2026, 8, 1), done_at=timezone.now(), created_by=auditor
        )
    review.refresh_from_db()
    return review


def _do(name, review, auditor):
    return {
        "enqueue": lambda: rv.review_enqueue_due(today=date(2026, 12, 31)),
        "take": lambda: rv.review_take(actor=auditor, review_id=review.pk),
        "pass_review": lambda: rv.review_decide(
            actor=auditor, review_id=review.pk, passed=True, findings="ok"
        ),
        "fail_review": lambda: rv.review_decide(
            actor=auditor, review_id=review.pk, passed=False, findings="no"
        ),
        "schedule_re_review": lambda: rv.review_schedule_re_review(
            actor=auditor, review_id=review.pk
        ),
    }[name]()


@pytest.mark.parametrize(("name", "state"), refusals(LookbackReview, ReviewStatus.values))
def test_transition_refused(name, state, customer, branch, auditor):
    review = _review_in(state, customer, branch, auditor)
    if name == "enqueue":
        assert _do(name, review, auditor) == 0  # the daily job leaves other states alone
    else:
        with pytest.raises(TransitionRefused):
            _do(name, review, auditor)
    review.refresh_from_db()
    assert review.status == state


@pytest.mark.parametrize(("name", "state"), allowed(LookbackReview))
def test_transition_allowed(name, state, customer, branch, auditor):
    review = _review_in(state, customer, branch, auditor)
    _do(name, review, auditor)
    review.refresh_from_db()
    assert review.status == declared_transitions(LookbackReview)[name][1]


# ---- issue 17, 9: answers in the viewer's language; contradictions need a justification ----


def test_answers_read_in_the_viewers_language(queued, auditor):
    rv.review_take(actor=auditor, review_id=queued.pk)
    _fill(auditor, queued)
    rv.review_decide(actor=auditor, review_id=queued.pk, passed=True, findings="整改到位")
    html = client_for(auditor).get(reverse("reviews:detail", args=[queued.pk])).content.decode()
    table = html.split('id="check-h"')[1]
    assert "无二次投诉" in table and "不适用" in table and "：<strong>是</strong>" in table
    for raw in ("<strong>yes</strong>", "<strong>none</strong>", "<strong>na</strong>"):
        assert raw not in table


def test_no_repeat_beside_later_complaints_needs_a_justification(queued, auditor, customer, branch):
    make_dispute(customer, branch, category="credit_card", facts="又来投诉年费。")
    make_dispute(customer, branch, category="credit_card", facts="再次投诉。")
    rv.review_take(actor=auditor, review_id=queued.pk)
    _fill(auditor, queued, repeat="none")
    queued.refresh_from_db()
    assert rv.checklist_contradictions(queued) == {
        "repeat": "平台记录显示，结案后同一客户又提出了 2 件投诉。"
    }
    page = client_for(auditor).get(reverse("reviews:detail", args=[queued.pk])).content.decode()
    assert "部分结论与案件记录不符" in page and "cl-repeat_justification" in page
    with pytest.raises(ApplicationError) as refused:
        rv.review_decide(actor=auditor, review_id=queued.pk, passed=True, findings="通过")
    assert refused.value.code == "contradiction_unjustified"
    # Too short a justification does not count; a real one lets the answer stand.
    values = {**FULL, "repeat": "none"}
    values.update({f"{k}_finding": "已核实" for k in values})
    rv.review_save_checklist(
        actor=auditor, review_id=queued.pk, values=values, justifications={"repeat": "不算"}
    )
    with pytest.raises(ApplicationError):
        rv.review_decide(actor=auditor, review_id=queued.pk, passed=True, findings="通过")
    client_for(auditor).post(
        reverse("reviews:checklist", args=[queued.pk]),
        {
            **{f"cl-{k}": v for k, v in values.items()},
            "cl-repeat_justification": "两件均为年费减免的后续查询，非原事项的再次投诉。",
        },
    )
    queued.refresh_from_db()
    assert queued.justifications["repeat"].startswith("两件均为年费减免")
    rv.review_decide(actor=auditor, review_id=queued.pk, passed=True, findings="通过")
    queued.refresh_from_db()
    assert queued.status == "passed"


def test_performance_yes_where_nothing_was_agreed_is_a_contradiction(queued, auditor):
    rv.review_take(actor=auditor, review_id=queued.pk)
    values = {**FULL, "performance": "yes", "repeat": "none"}
    values.update({f"{k}_finding": "已核实" for k in values})
    rv.review_save_checklist(actor=auditor, review_id=queued.pk, values=values)
    queued.refresh_from_db()
    assert rv.checklist_contradictions(queued) == {"performance": "本案没有调解协议、裁定或裁决。"}
    with pytest.raises(ApplicationError) as refused:
        rv.review_decide(actor=auditor, review_id=queued.pk, passed=True, findings="通过")
    assert "约定履行是否完成（本案没有调解协议、裁定或裁决。）" in refused.value.message
