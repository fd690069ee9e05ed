"""Issue 20, 2 and 3: replying with the kit. Every reply cites at least one article and every
citation is in the library; a refusal or a grant above the threshold waits for a second
approver, never its author; issuing records the decision and stores a sealed letter whose
annex holds the cited articles' exact texts; a review is decided by staff with no hand in the
decision."""

from __future__ import annotations

from decimal import Decimal

import pikepdf
import pytest
from django.urls import reverse

from mediation.complaint_review import ReviewRequestStatus
from mediation.models import ReviewRequest
from mediation.replykit import services as rs
from mediation.replykit.models import Reply, StatuteArticle
from mediation.services.complaint_review import review_request_make
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import AuditEvent, Notification
from portal.seal import check_seal
from portal.transitions import ActionForbidden
from tests.conftest import client_for
from tests.factories import StaffFactory
from tests.replykit.helpers import filled, handling, ready_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(legal_library, customer, staff, branch):
    return handling(customer, staff, branch)


def test_the_draft_is_filled_from_the_case(case, staff, customer):
    reply = rs.reply_start(
        actor=staff,
        reference=case.reference,
        kind="decision",
        claim_types=["card_fee", "standard_term"],
        outcome="partly",
        granted_amount=Decimal("340"),
    )
    assert reply.status == "draft" and reply.author == staff
    assert customer.display_name in reply.text and case.reference in reply.text
    assert "340.00" in reply.text and "人民币叁佰肆拾元整" in reply.text
    assert "（1）关于信用卡费用和利息" in reply.text and "（2）关于合同条款" in reply.text
    assert "[[银行卡纠纷规定:2]]" in reply.text
    assert "【待填：" in reply.text  # the facts only staff know are left as blanks
    with pytest.raises(TransitionRefused):  # one reply being written per case
        rs.reply_start(
            actor=staff,
            reference=case.reference,
            kind="decision",
            claim_types=["card_fee"],
            outcome="granted",
            granted_amount=Decimal("1"),
        )


@pytest.mark.parametrize(
    ("outcome", "amount", "message"),
    [
        ("granted", "8000.01", "超过了客户请求的 8,000.00 元"),
        ("refused", "10.00", "不予支持时不支付款项"),
        ("granted", "-1", "不能为负数"),
        ("maybe", "0", "请选择处理结果"),
    ],
)
def test_an_outcome_that_does_not_add_up_is_refused(case, staff, outcome, amount, message):
    with pytest.raises(ApplicationError) as refused:
        rs.reply_start(
            actor=staff,
            reference=case.reference,
            kind="decision",
            claim_types=["card_fee"],
            outcome=outcome,
            granted_amount=Decimal(amount),
        )
    assert message in refused.value.message
    assert not Reply.objects.exists()


def test_unknown_claim_type_is_refused(case, staff):
    with pytest.raises(ApplicationError):
        rs.reply_start(
            actor=staff,
            reference=case.reference,
            kind="decision",
            claim_types=["nope"],
            outcome="granted",
            granted_amount=Decimal("1"),
        )


def test_a_reply_is_sent_only_complete_and_cited(case, staff):
    reply = rs.reply_start(
        actor=staff,
        reference=case.reference,
        kind="decision",
        claim_types=["card_fee"],
        outcome="granted",
        granted_amount=Decimal("680"),
    )
    with pytest.raises(ApplicationError) as blanks:
        rs.reply_send(actor=staff, reply_id=reply.pk)
    assert "请先填写空白处" in blanks.value.message
    for text, expected in [
        ("经核实，同意退还年费。", "请至少引用一条法条"),
        ("依据[[民法典:99999]]退还。", "[[民法典:99999]]"),
        ("依据内部规定退还。[[总行会议纪要:3]]", "[[总行会议纪要:3]]"),
    ]:
        rs.reply_save(
            actor=staff,
            reply_id=reply.pk,
            text=text,
            outcome="granted",
            granted_amount=Decimal("680"),
        )
        with pytest.raises(ApplicationError) as refused:
            rs.reply_send(actor=staff, reply_id=reply.pk)
        assert expected in refused.value.message
    reply.refresh_from_db()
    assert reply.status == "draft"


@pytest.mark.parametrize(
    ("outcome", "amount", "needs"),
    [
        ("granted", "4999.99", False),
        ("granted", "5000.00", False),  # "more than" the set amount: the figure itself is within
        ("granted", "5000.01", True),
        ("partly", "100.00", True),  # refusing part of a claim
        ("refused", "0", True),
    ],
)
def test_second_approver_at_and_around_the_threshold(case, staff, outcome, amount, needs):
    reply = ready_reply(staff, case, outcome=outcome, amount=amount)
    sent = rs.reply_send(actor=staff, reply_id=reply.pk)
    assert sent.status == ("awaiting_approval" if needs else "issued")


def test_the_author_never_approves_and_another_branch_cannot(
    case, staff, other_staff, branch, hq_staff, django_capture_on_commit_callbacks
):
    reply = ready_reply(staff, case, outcome="refused", amount="0")
    rs.reply_send(actor=staff, reply_id=reply.pk)
    with pytest.raises(ActionForbidden):
        rs.reply_approve(actor=staff, reply_id=reply.pk)
    with pytest.raises(Exception) as other:  # another branch: the case is not theirs (404)
        rs.reply_approve(actor=other_staff, reply_id=reply.pk)
    assert other.typename == "Http404"
    colleague = StaffFactory.create(branch=branch)
    with pytest.raises(ApplicationError):
        rs.reply_send_back(actor=colleague, reply_id=reply.pk, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        rs.reply_send_back(actor=colleague, reply_id=reply.pk, reason="请补充合约条款编号。")
    reply.refresh_from_db()
    assert reply.status == "draft" and reply.sent_back_reason == "请补充合约条款编号。"
    assert Notification.objects.filter(recipient=staff, event="reply_sent_back").exists()
    rs.reply_send(actor=staff, reply_id=reply.pk)
    rs.reply_approve(actor=hq_staff, reply_id=reply.pk)  # head office handles every branch
    reply.refresh_from_db()
    assert reply.status == "issued" and reply.approver == hq_staff


def test_issuing_records_the_decision_and_stores_a_sealed_letter(
    case, staff, customer, django_capture_on_commit_callbacks
):
    reply = ready_reply(staff, case, outcome="granted", amount="680.00")
    with django_capture_on_commit_callbacks(execute=True):
        rs.reply_send(actor=staff, reply_id=reply.pk)
    reply.refresh_from_db()
    case.refresh_from_db()
    assert reply.status == "issued" and reply.issued_at
    assert case.decision_by == staff and case.decision_at and case.review_request_due
    # The case's decision reads as the letter does: titles and numbers, no [[codes]].
    assert "《最高人民法院关于审理银行卡民事纠纷案件若干问题的规定》第二条" in case.decision_text
    assert "[[" not in case.decision_text
    cited = list(reply.cited.all())
    assert {(a.short, a.number) for a in cited} >= {("银行卡纠纷规定", 2), ("民法典", 496)}

    assert reply.letter_status == "ready"
    pdf = reply.letter.read()
    import hashlib

    assert hashlib.sha256(pdf).hexdigest() == reply.letter_sha256
    assert check_seal(pdf).valid
    assert AuditEvent.objects.filter(action="reply.letter_stored").exists()
    assert Notification.objects.filter(recipient=customer, event="letter_ready").exists()
    with pikepdf.open(__import__("io").BytesIO(pdf)) as doc:
        assert len(doc.pages) >= 2  # the letter, then the annex on its own page


def test_the_annex_holds_each_cited_articles_exact_text(case, staff):
    reply = ready_reply(staff, case, outcome="granted", amount="680.00")
    rs.reply_send(actor=staff, reply_id=reply.pk)
    reply.refresh_from_db()
    data = rs.letter_data(reply)
    cited = rs.library.read_citations(reply.text).articles
    assert [f.citation for f in data.footnotes] == [a.citation for a in cited]
    for note, article in zip(data.footnotes, cited, strict=True):
        assert note.text == StatuteArticle.objects.get(pk=article.pk).text
    from django.template.loader import render_to_string

    html = render_to_string("pdf/reply_letter.html", {"letter": data})
    for article in cited:
        for line in article.text.split("\n"):
            assert line in html.replace("&quot;", '"').replace("&#x27;", "'")
    # Each citation in the body carries its footnote number.
    numbered = [p.note for para in data.paragraphs for p in para if p.note]
    assert set(numbered) == set(range(1, len(cited) + 1))


def test_a_paragraph_of_guidance_is_cited_by_title_only(case, staff):
    reply = ready_reply(
        staff, case, outcome="granted", amount="100.00", types=("wealth_suitability",)
    )
    rs.reply_send(actor=staff, reply_id=reply.pk)
    reply.refresh_from_db()
    data = rs.letter_data(reply)
    guidance = [f for f in data.footnotes if "会议纪要" in f.citation]
    assert guidance and all(f.text == "" for f in guidance)


def test_a_review_is_decided_by_staff_with_no_hand_in_the_decision(
    case, staff, customer, branch, hq_staff, django_capture_on_commit_callbacks
):
    reply = ready_reply(staff, case, outcome="refused", amount="0")
    rs.reply_send(actor=staff, reply_id=reply.pk)
    rs.reply_approve(actor=hq_staff, reply_id=reply.pk)  # the decision: staff wrote, HQ approved
    review_request_make(actor=customer, reference=case.reference, reasons="合约未提示年费。")
    for hand in (staff, hq_staff):
        with pytest.raises(ActionForbidden):
            ready_reply(
                hand,
                case,
                kind="review",
                review_outcome="reversed",
                outcome="granted",
                amount="680.00",
            )
    reviewer = StaffFactory.create(branch=branch)
    review = ready_reply(
        reviewer, case, kind="review", review_outcome="reversed", outcome="granted", amount="680.00"
    )
    assert "撤销原处理决定" in review.text
    with django_capture_on_commit_callbacks(execute=True):
        rs.reply_send(actor=reviewer, reply_id=review.pk)  # a grant within authority: issued
    request = ReviewRequest.objects.get(dispute=case)
    assert request.status == ReviewRequestStatus.REVERSED and request.decided_by == reviewer
    review.refresh_from_db()
    assert review.letter_status == "ready" and review.review == request


def test_asking_the_customer_for_evidence(
    case, staff, customer, legal_library, django_capture_on_commit_callbacks
):
    from mediation.replykit.models import EvidenceNeed

    need = EvidenceNeed.objects.get(claim_type__code="card_fee", side="customer")
    with django_capture_on_commit_callbacks(execute=True):
        ask = rs.evidence_ask(actor=staff, reference=case.reference, need_id=need.pk)
    assert ask.asked_by == staff
    told = Notification.objects.get(recipient=customer, event="evidence_asked")
    assert need.label in told.body
    with pytest.raises(TransitionRefused):
        rs.evidence_ask(actor=staff, reference=case.reference, need_id=need.pk)
    bank_need = EvidenceNeed.objects.filter(claim_type__code="card_fee", side="bank")[0]
    with pytest.raises(ApplicationError):  # the bank's own evidence is not asked of the customer
        rs.evidence_ask(actor=staff, reference=case.reference, need_id=bank_need.pk)
    with pytest.raises(ActionForbidden):
        rs.evidence_ask(actor=customer, reference=case.reference, need_id=need.pk)


def test_a_lost_letter_is_built_again(case, staff):
    from datetime import timedelta

    from django.utils import timezone

    reply = ready_reply(staff, case)
    rs.reply_send(actor=staff, reply_id=reply.pk)
    Reply.objects.filter(pk=reply.pk).update(letter_status="failed", letter="")
    assert rs.letter_requeue_stale(now=timezone.now() + timedelta(minutes=20)) == 1
    reply.refresh_from_db()
    assert reply.letter_status == "queued"
    rs.letter_generate(reply_id=reply.pk)
    reply.refresh_from_db()
    assert reply.letter_status == "ready" and reply.letter_attempts == 1
    Reply.objects.filter(pk=reply.pk).update(letter_status="failed", letter_attempts=3)
    assert rs.letter_requeue_stale(now=timezone.now() + timedelta(minutes=20)) == 0


def test_filled_helper_leaves_no_blank(case, staff):
    reply = ready_reply(staff, case)
    assert "【待填" not in filled(reply.text)


def test_one_reply_answers_the_confirmed_repeats(legal_library, customer, staff, branch):
    """Issue 22, 1: "one reply answers all". A decision on the first case answers the same
    person's confirmed repeat complaints the bank is handling; an unconfirmed one is left."""
    from mediation.repeats import repeat_confirm

    first = handling(customer, staff, branch)
    confirmed = handling(customer, staff, branch)
    unconfirmed = handling(customer, staff, branch)
    assert confirmed.repeat_of == first and unconfirmed.repeat_of == first
    repeat_confirm(actor=staff, reference=confirmed.reference)
    reply = ready_reply(staff, first)
    page = client_for(staff).get(reverse("replykit:reply", args=[reply.pk])).content.decode()
    answers = page.split('id="answers-too"')[1].split("</p>")[0]
    assert confirmed.reference in answers and unconfirmed.reference not in answers
    rs.reply_send(actor=staff, reply_id=reply.pk)
    confirmed.refresh_from_db()
    unconfirmed.refresh_from_db()
    assert confirmed.decision_at is not None and first.reference in confirmed.decision_text
    assert unconfirmed.decision_at is None
