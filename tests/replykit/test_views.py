"""The reply toolkit's pages as each role uses them, and as the wrong one: staff write and
send; a colleague approves; the customer reads and downloads only what was issued to them;
another customer, another branch and a partner get 404; the figures page hides a rate under
30 decisions and keeps its query count flat."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mediation.replykit import services as rs
from mediation.replykit.models import Reply
from tests.conftest import client_for
from tests.factories import StaffFactory
from tests.replykit.helpers import filled, handling, ready_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(legal_library, customer, staff, branch):
    return handling(customer, staff, branch)


def test_staff_start_edit_and_issue_on_the_pages(
    case, staff, customer, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    page = client.get(case.get_absolute_url()).content.decode()
    start = reverse("replykit:start", args=[case.reference, "decision"])
    assert start in page
    form = client.get(start).content.decode()
    assert "信用卡费用、利息争议" in form
    # The case's own category comes first.
    assert form.index("信用卡费用、利息争议") < form.index("理财产品适当性损失")
    bad = client.post(start, {"claim_types": [], "outcome": "granted", "granted_amount": "1"})
    assert bad.status_code == 200 and "请至少选择一种请求类型" in bad.content.decode()
    over = client.post(
        start, {"claim_types": ["card_fee"], "outcome": "granted", "granted_amount": "99999"}
    )
    assert "超过了客户请求的 8,000.00 元" in over.content.decode()
    answer = client.post(
        start, {"claim_types": ["card_fee"], "outcome": "granted", "granted_amount": "680"}
    )
    reply = Reply.objects.get()
    assert answer["Location"] == reverse("replykit:reply", args=[reply.pk])
    edit = client.get(answer["Location"]).content.decode()
    assert "[[银行卡纠纷规定:2]]" in edit and "请先填写空白处" in edit
    assert "checklist" in edit and "请客户补充" in edit
    url = answer["Location"]
    # Sending with blanks keeps the text as written, with the reason.
    kept = client.post(
        url,
        {
            "text": reply.text + "补充一句。",
            "outcome": "granted",
            "granted_amount": "680",
            "send": "1",
        },
        follow=True,
    ).content.decode()
    assert "补充一句。" in kept and "请先填写空白处" in kept
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url,
            {
                "text": filled(reply.text),
                "outcome": "granted",
                "granted_amount": "680",
                "send": "1",
            },
        )
    assert done["Location"].endswith("#replies")
    reply.refresh_from_db()
    assert reply.status == "issued" and reply.letter_status == "ready"
    mine = client_for(customer)
    shown = mine.get(case.get_absolute_url()).content.decode()
    assert reverse("replykit:letter", args=[reply.pk]) in shown
    letter = mine.get(reverse("replykit:letter", args=[reply.pk]))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert "attachment" in letter["Content-Disposition"] and ".pdf" in letter["Content-Disposition"]
    read = mine.get(url).content.decode()
    assert "《最高人民法院关于审理银行卡民事纠纷案件若干问题的规定》第二条" in read
    assert "[[" not in read and "撰写人" not in read


def test_drafts_are_the_banks_and_other_people_get_404(
    case, staff, customer, other_customer, other_staff, mediator, auditor, branch
):
    reply = ready_reply(staff, case, outcome="refused", amount="0")
    url = reverse("replykit:reply", args=[reply.pk])
    assert client_for(customer).get(url).status_code == 404  # a draft is not the customer's
    assert "/replies/" not in client_for(customer).get(case.get_absolute_url()).content.decode()
    for stranger in (other_customer, other_staff, mediator):
        assert client_for(stranger).get(url).status_code == 404
    assert client_for(auditor).get(url).status_code in (200, 404)  # open cases are not theirs
    rs.reply_send(actor=staff, reply_id=reply.pk)
    colleague = StaffFactory.create(branch=branch)
    approve = reverse("replykit:approve", args=[reply.pk])
    # The author has no approve button and the POST is refused with a message, not a 500.
    assert approve not in client_for(staff).get(url).content.decode()
    refused = client_for(staff).post(approve, follow=True)
    assert refused.status_code == 200
    reply.refresh_from_db()
    assert reply.status == "awaiting_approval"
    assert approve in client_for(colleague).get(url).content.decode()
    # The colleague's home lists it.
    assert url in client_for(colleague).get("/").content.decode()
    client_for(colleague).post(approve)
    reply.refresh_from_db()
    assert reply.status == "issued" and reply.approver == colleague
    assert client_for(customer).get(url).status_code == 200
    letter = reverse("replykit:letter", args=[reply.pk])
    for stranger in (other_customer, other_staff, mediator):
        assert client_for(stranger).get(letter).status_code == 404


def test_send_back_needs_a_reason(case, staff, branch):
    reply = ready_reply(staff, case, outcome="refused", amount="0")
    rs.reply_send(actor=staff, reply_id=reply.pk)
    colleague = StaffFactory.create(branch=branch)
    url = reverse("replykit:send_back", args=[reply.pk])
    page = client_for(colleague).post(url, {"reason": ""}, follow=True).content.decode()
    assert "请说明撰写人需要修改什么" in page
    client_for(colleague).post(url, {"reason": "理由不足"})
    reply.refresh_from_db()
    assert reply.status == "draft"
    assert (
        "理由不足"
        in client_for(staff).get(reverse("replykit:reply", args=[reply.pk])).content.decode()
    )


def test_the_library_page_is_for_the_banks_side(legal_library, staff, customer, mediator, auditor):
    url = reverse("replykit:library")
    page = client_for(staff).get(url).content.decode()
    assert "银行卡盗刷" in page and "[[民法典:577]]" in page
    assert client_for(auditor).get(url).status_code == 200
    for outsider in (customer, mediator):
        assert client_for(outsider).get(url).status_code == 403


def _decided(customer, staff, branch, outcome="refused", amount="0"):
    d = handling(customer, staff, branch)
    reply = ready_reply(staff, d, outcome=outcome, amount=amount)
    rs.reply_send(actor=staff, reply_id=reply.pk)
    if reply.needs_second_approver:
        rs.reply_approve(actor=StaffFactory.create(branch=branch), reply_id=reply.pk)
    return d


def test_figures_count_reversals_and_hide_small_rates(legal_library, customer, staff, branch):
    from mediation.services.complaint_review import review_request_decide, review_request_make

    first = _decided(customer, staff, branch)
    review_request_make(actor=customer, reference=first.reference, reasons="不服")
    review_request_decide(
        actor=StaffFactory.create(branch=branch),
        reference=first.reference,
        outcome="reversed",
        text="撤销。",
    )
    client = client_for(staff)
    url = reverse("replykit:figures")
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "决定 1 件 · 申请核查 1 件 · 核查后变更或撤销 1 件" in page
    assert "样本过少" in page
    for _ in range(3):
        _decided(customer, staff, branch)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_rate_is_shown_from_thirty_decisions(legal_library, customer, staff, branch, settings):
    settings.CUSTOMER_MAX_OPEN_DISPUTES = 100
    from django.db.models import Q

    from mediation.replykit.figures import reversal_figures

    for _ in range(29):
        _decided(customer, staff, branch, outcome="granted", amount="10")
    figures = reversal_figures(Q())
    assert figures.total.decisions == 29 and figures.total.rate is None
    _decided(customer, staff, branch, outcome="granted", amount="10")
    figures = reversal_figures(Q())
    assert figures.total.rate == 0.0
    assert figures.by_claim_type[0].label == "信用卡费用、利息争议"


def test_a_refusal_later_beaten_by_an_agreement_counts(
    legal_library, customer, staff, branch, mediator, centre
):
    from mediation import hooks

    d = _decided(customer, staff, branch)
    assert hooks.later_amounts([d.pk]) == {}
    from referrals.models import MediationAgreement
    from tests.factories import make_referral

    referral = make_referral(d, centre, staff, status="concluded")
    from django.utils import timezone

    MediationAgreement.objects.create(
        referral=referral,
        amount=Decimal("500.00"),
        terms="退还年费。",
        performance_due=timezone.localdate(),
        effective_on=timezone.localdate(),
        confirmation_window_ends=timezone.localdate(),
        recorded_by=staff,
    )
    from django.db.models import Q

    from mediation.replykit.figures import reversal_figures

    figures = reversal_figures(Q())
    assert figures.total.overturned_later == 1 and figures.total.not_standing == 1


def test_figures_are_scoped_to_the_branch(
    legal_library, customer, staff, other_staff, branch, mediator
):
    _decided(customer, staff, branch)
    assert "决定 1 件" in client_for(staff).get(reverse("replykit:figures")).content.decode()
    assert "决定 0 件" in client_for(other_staff).get(reverse("replykit:figures")).content.decode()
    assert client_for(mediator).get(reverse("replykit:figures")).status_code == 403
