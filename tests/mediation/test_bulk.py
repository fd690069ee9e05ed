"""Issue 19, 2: bulk actions on the staff queue (triage, give to a handler, refer to a centre),
each case through the same action as its own page, one transaction a case, a result per case;
and the queue lists what waits first, with a subject column."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute, SavedFilter
from mediation.views.bulk import BULK_MAX
from portal.models import AuditEvent, Notification, User
from referrals.models import Referral
from tests.conftest import client_for
from tests.factories import CustomerFactory, StaffFactory, make_dispute, opt_in_naming

pytestmark = pytest.mark.django_db

BULK = reverse("mediation:queue_bulk")
TRIAGE = {
    "bulk": "triage",
    "bulk-triage-cause_label": "信用卡纠纷",
    "bulk-triage-urgency": "urgent",
}


def _said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _staff(branch, **kwargs) -> User:
    return cast(User, StaffFactory(branch=branch, **kwargs))


def _cases(branch, n, **kwargs):
    return [make_dispute(CustomerFactory(), branch, **kwargs) for _ in range(n)]


def test_bulk_triage_goes_through_each_case_and_says_so(staff, branch):
    cases = _cases(branch, 10)
    response = client_for(staff).post(
        BULK, {**TRIAGE, "refs": [d.reference for d in cases], "filter": "category=wealth"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:queue") + "?category=wealth"
    for d in cases:
        d.refresh_from_db()
        assert (d.status, d.cause_label, d.urgency) == (
            DisputeStatus.TRIAGED,
            "信用卡纠纷",
            "urgent",
        )
    # Each case's own transition, each in the chain.
    assert AuditEvent.objects.filter(action="dispute.triage").count() == 10
    said = _said(response)
    assert said == [f"分诊：已完成 10 件（{'、'.join(d.reference for d in cases)}）。"]


def test_one_refused_case_leaves_the_others_done_and_is_named(staff, branch, other_branch):
    fresh = _cases(branch, 2)
    done_before = _cases(branch, 1)[0]
    client_for(staff).post(BULK, {**TRIAGE, "refs": [done_before.reference]})
    elsewhere = make_dispute(CustomerFactory(), other_branch)
    refs = [fresh[0].reference, done_before.reference, elsewhere.reference, fresh[1].reference]
    response = client_for(staff).post(BULK, {**TRIAGE, "refs": refs})
    said = _said(response)
    assert f"{done_before.reference}：该案件当前状态下不能进行此操作。" in said
    assert f"{elsewhere.reference}：不在您可办理的案件之中。" in said
    assert f"分诊：已完成 2 件（{fresh[0].reference}、{fresh[1].reference}）。" in said
    elsewhere.refresh_from_db()
    assert elsewhere.status == DisputeStatus.SUBMITTED  # another branch's case is untouched
    assert all(Dispute.objects.get(pk=d.pk).status == DisputeStatus.TRIAGED for d in fresh)


def test_a_form_error_is_said_once_and_no_case_is_touched(staff, branch):
    cases = _cases(branch, 3)
    response = client_for(staff).post(
        BULK,
        {"bulk": "triage", "bulk-triage-urgency": "urgent", "refs": [d.reference for d in cases]},
    )
    assert len(_said(response)) == 1 and "案由" in _said(response)[0]
    assert not Dispute.objects.exclude(status=DisputeStatus.SUBMITTED).exists()
    assert not AuditEvent.objects.filter(action="dispute.triage").exists()


def test_nothing_ticked_too_many_or_an_unknown_action(staff, branch):
    assert _said(client_for(staff).post(BULK, TRIAGE)) == ["请先勾选要处理的案件。"]
    many = [f"MD-2026-{n:06d}" for n in range(BULK_MAX + 1)]
    response = client_for(staff).post(BULK, {**TRIAGE, "refs": many})
    assert _said(response) == ["每次最多处理 100 件，请减少勾选。"]
    client = client_for(staff)
    d = make_dispute(CustomerFactory(), branch)
    assert client.post(BULK, {"bulk": "withdraw", "refs": [d.reference]}).status_code == 404
    assert client.post(BULK, {"bulk": "close", "refs": [d.reference]}).status_code == 404


def test_only_staff_may_post_bulk_actions(customer, mediator, auditor, branch):
    d = make_dispute(customer, branch)
    for user in (customer, mediator, auditor):
        response = client_for(user).post(BULK, {**TRIAGE, "refs": [d.reference]})
        assert response.status_code == 403, user
    d.refresh_from_db()
    assert d.status == DisputeStatus.SUBMITTED
    assert client_for(customer).get(reverse("mediation:queue")).status_code == 403


def test_give_cases_to_a_colleague_who_is_told(
    staff, branch, other_branch, hq_staff, django_capture_on_commit_callbacks
):
    colleague = _staff(branch, real_name="何军")
    stranger = _staff(other_branch)
    cases = _cases(branch, 3)
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            BULK,
            {
                "bulk": "assign",
                "bulk-assign-handler": colleague.pk,
                "refs": [d.reference for d in cases],
            },
        )
    assert _said(response) == [
        f"指派经办人：已完成 3 件（{'、'.join(d.reference for d in cases)}）。"
    ]
    assert {Dispute.objects.get(pk=d.pk).handler_id for d in cases} == {colleague.pk}
    assert Notification.objects.filter(recipient=colleague, event="case_assigned").count() == 3
    event = AuditEvent.objects.filter(action="dispute.handler_assigned").first()
    assert event is not None and event.data == {"from": None, "to": colleague.pk}
    # Another branch's member of staff is not offered, and refused if posted.
    page = client.get(reverse("mediation:queue")).content.decode()
    assert f'value="{colleague.pk}"' in page and f'value="{stranger.pk}"' not in page
    assert f'value="{hq_staff.pk}"' in page  # head office may handle any branch's case
    response = client_for(staff).post(
        BULK, {"bulk": "assign", "bulk-assign-handler": stranger.pk, "refs": [cases[0].reference]}
    )
    assert Dispute.objects.get(pk=cases[0].pk).handler_id == colleague.pk
    assert any("选择" in m or "有效" in m for m in _said(response)), _said(response)


def test_head_office_gives_each_case_only_to_staff_who_may_handle_it(
    hq_staff, branch, other_branch
):
    """Head office picks from all staff; a case of another branch than the chosen person's
    is refused for that case alone."""
    shanghai = _staff(branch, real_name="王芳")
    mine, theirs = (
        make_dispute(CustomerFactory(), branch),
        make_dispute(CustomerFactory(), other_branch),
    )
    response = client_for(hq_staff).post(
        BULK,
        {
            "bulk": "assign",
            "bulk-assign-handler": shanghai.pk,
            "refs": [mine.reference, theirs.reference],
        },
    )
    assert Dispute.objects.get(pk=mine.pk).handler_id == shanghai.pk
    assert Dispute.objects.get(pk=theirs.pk).handler_id is None
    said = _said(response)
    assert any(m.startswith(f"{theirs.reference}：") for m in said), said


def test_assign_on_the_case_page_and_its_refusals(staff, other_staff, branch, customer):
    d = make_dispute(customer, branch)
    colleague = _staff(branch)
    url = reverse("mediation:action", args=[d.reference, "assign"])
    answer = client_for(staff).post(url, {"assign-handler": colleague.pk}, follow=True)
    assert f"{d.reference} 现由{colleague.display_name}经办。" in answer.content.decode()
    # Another branch's staff: the case is not theirs (404); a customer may not assign.
    assert client_for(other_staff).post(url, {"assign-handler": other_staff.pk}).status_code == 404
    client_for(customer).post(url, {"assign-handler": colleague.pk})
    d.refresh_from_db()
    assert d.handler_id == colleague.pk
    assert AuditEvent.objects.filter(action="dispute.handler_assigned").count() == 1


def test_a_closed_case_is_not_given_to_anyone(staff, branch):
    d = make_dispute(CustomerFactory(), branch)
    Dispute.objects.filter(pk=d.pk).update(status=DisputeStatus.WITHDRAWN)
    colleague = _staff(branch)
    response = client_for(staff).post(
        BULK, {"bulk": "assign", "bulk-assign-handler": colleague.pk, "refs": [d.reference]}
    )
    assert _said(response) == [f"{d.reference}：该案件当前状态下不能进行此操作。"]
    assert Dispute.objects.get(pk=d.pk).handler_id is None


def test_bulk_referral_drafts_a_referral_per_case_in_the_lane(staff, branch, centre):
    in_lane = _cases(branch, 2, amount="3000")
    for d in in_lane:
        opt_in_naming(d.customer, d.reference, centre.pk)
    not_yet = make_dispute(CustomerFactory(), branch, "3000")
    response = client_for(staff).post(
        BULK,
        {
            "bulk": "refer",
            "bulk-refer-organisation": centre.pk,
            "refs": [*(d.reference for d in in_lane), not_yet.reference],
        },
    )
    assert Referral.objects.filter(dispute__in=in_lane, organisation=centre).count() == 2
    assert not Referral.objects.filter(dispute=not_yet).exists()
    assert f"{not_yet.reference}：该案件当前状态下不能进行此操作。" in _said(response)


def test_the_queue_lists_what_waits_first_with_a_subject(staff, branch):
    newest = make_dispute(CustomerFactory(), branch, request="请退还多收的年费 300 元。")
    overdue = make_dispute(CustomerFactory(), branch)
    Dispute.objects.filter(pk=overdue.pk).update(
        next_deadline=timezone.localdate() - timedelta(days=2),
        received_at=timezone.now() - timedelta(days=20),
    )
    closed = make_dispute(CustomerFactory(), branch)
    Dispute.objects.filter(pk=closed.pk).update(status=DisputeStatus.CLOSED, next_deadline=None)
    client = client_for(staff)
    html = client.get(reverse("mediation:queue")).content.decode()
    assert (
        html.index(overdue.reference) < html.index(newest.reference) < html.index(closed.reference)
    )
    assert "请退还多收的年费 300 元。" in html and "主题" in html
    assert f'name="refs" value="{newest.reference}"' in html
    newest_first = client.get(reverse("mediation:queue"), {"sort": "newest"}).content.decode()
    assert newest_first.index(closed.reference) < newest_first.index(overdue.reference)


SAVE = reverse("mediation:saved_filter_save")


def test_keep_a_filter_use_it_and_drop_it(staff, branch):
    client = client_for(staff)
    response = client.post(
        SAVE, {"name": "我的逾期理财", "query": "category=wealth&clock=overdue&page=3"}
    )
    assert response["Location"] == reverse("mediation:queue") + "?category=wealth&clock=overdue"
    saved = SavedFilter.objects.get(user=staff)
    assert (saved.name, saved.query) == ("我的逾期理财", "category=wealth&clock=overdue")
    page = client.get(reverse("mediation:queue")).content.decode()
    assert 'href="?category=wealth&amp;clock=overdue"' in page and "我的逾期理财" in page
    # The same name again replaces it.
    client.post(SAVE, {"name": "我的逾期理财", "query": "category=loans"})
    assert list(SavedFilter.objects.values_list("query", flat=True)) == ["category=loans"]
    client.post(reverse("mediation:saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_a_saved_filter_is_its_owners_alone(staff, branch):
    colleague = _staff(branch)
    mine = SavedFilter.objects.create(user=staff, name="王芳的逾期", query="clock=overdue")
    their_queue = client_for(colleague).get(reverse("mediation:queue")).content.decode()
    assert "王芳的逾期" not in their_queue
    delete = reverse("mediation:saved_filter_delete", args=[mine.pk])
    assert client_for(colleague).post(delete).status_code == 404
    assert SavedFilter.objects.filter(pk=mine.pk).exists()
    assert AuditEvent.objects.filter(action__startswith="access.").exists()


@pytest.mark.parametrize(
    "name,query,said",
    [
        ("", "clock=overdue", "请为筛选起一个 1 至 40 个字的名称。"),
        ("x" * 41, "clock=overdue", "请为筛选起一个 1 至 40 个字的名称。"),
        ("坏", "status=bogus", "工作台无法识别该筛选条件，请先更正。"),
        ("空", "page=2", "请至少选择一个筛选条件再保存。"),
        ("长", "q=" + "甲" * 40 + "&product=" + "乙" * 40, "筛选条件过长，无法保存，请精简。"),
    ],
)
def test_a_filter_that_cannot_be_kept_is_refused_with_a_reason(staff, name, query, said):
    response = client_for(staff).post(SAVE, {"name": name, "query": query})
    assert _said(response) == [said]
    assert not SavedFilter.objects.exists()


def test_at_most_twenty_filters_each_and_only_staff_keep_them(staff, customer):
    for n in range(20):
        SavedFilter.objects.create(user=staff, name=f"f{n}", query="clock=overdue")
    response = client_for(staff).post(SAVE, {"name": "one more", "query": "clock=due_soon"})
    assert _said(response) == ["您已保存 20 个筛选，请先删除一个。"]
    assert (
        client_for(customer).post(SAVE, {"name": "x", "query": "clock=overdue"}).status_code == 403
    )
    assert SavedFilter.objects.count() == 20
