"""Issue 17, binding acts: "the customer accepts ... with one button and sees 操作成功". A
customer's acceptance of a mediator's proposal is shown in full, confirmed with a tick and a
one-time code, recorded with its text in the audit chain, and sealed as a PDF anyone can
check."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.exceptions import ApplicationError
from portal.models import AuditEvent, BindingAct
from portal.seal import check_seal
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from referrals.models import MediatorProposal, Referral
from tests.conftest import client_for
from tests.factories import make_dispute, refer, sms_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(customer, staff, mediator, branch, centre) -> MediatorProposal:
    dispute = make_dispute(customer, branch, "32000.00")
    referral = refer(dispute, customer, staff, centre)
    referral_services.referral_accept(
        actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
    )
    return agreement_services.proposal_make(
        actor=mediator,
        referral_id=referral.pk,
        amount=Decimal("8000.00"),
        terms="银行补偿客户8,000元，客户放弃其他请求。",
        performance_due=timezone.localdate() + timedelta(days=10),
    )


def confirm_url(proposal) -> str:
    return reverse("referrals:proposal_confirm", args=[proposal.pk])


def test_one_click_no_longer_accepts(customer, proposal):
    answer = client_for(customer).post(
        reverse("referrals:proposal_answer", args=[proposal.pk, "accept"])
    )
    assert answer.status_code == 302 and answer["Location"] == confirm_url(proposal)
    assert MediatorProposal.objects.get(pk=proposal.pk).is_pending


def test_the_service_refuses_a_customers_acceptance_without_the_code(customer, proposal):
    with pytest.raises(ApplicationError) as refused:
        agreement_services.proposal_answer(actor=customer, proposal_id=proposal.pk, accept=True)
    assert refused.value.code == "reauthentication_required"


def test_the_page_shows_the_whole_text_with_the_amount_in_capitals(customer, proposal):
    page = client_for(customer).get(confirm_url(proposal)).content.decode()
    for text in ("8,000.00", "人民币捌仟元整", "32,000.00", "客户放弃其他请求", "30 日"):
        assert text in page, text


def test_a_customer_accepts_with_the_tick_and_the_code_and_gets_a_sealed_pdf(
    customer, proposal, django_capture_on_commit_callbacks
):
    client = client_for(customer)
    page = client.get(confirm_url(proposal)).content.decode()
    found = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', page)
    assert found is not None
    shown = found.group(1)
    with django_capture_on_commit_callbacks(execute=True):  # the text goes after commit
        assert client.post(confirm_url(proposal), {"send": "1"}).status_code == 302
    code = sms_code(customer.mobile)

    unticked = client.post(confirm_url(proposal), {"code": code, "text_sha256": shown})
    assert "勾选" in unticked.content.decode()
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(confirm_url(proposal), {"read": "1", "code": wrong, "text_sha256": shown})
    assert "验证码错误" in refused.content.decode()
    assert MediatorProposal.objects.get(pk=proposal.pk).is_pending

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(confirm_url(proposal), {"read": "1", "code": code, "text_sha256": shown})
    assert done.status_code == 302
    assert Referral.objects.get(pk=proposal.referral_id).status == "proposal_accepted"
    act = BindingAct.objects.get(actor=customer, kind="proposal.accept")
    assert act.status == BindingAct.Status.READY and "人民币捌仟元整" in act.text
    confirmed = AuditEvent.objects.get(action="binding_act.confirmed", target_id=str(act.pk))
    assert confirmed.data["text_sha256"] == act.text_sha256 == shown
    sealed = AuditEvent.objects.get(action="binding_act.sealed", target_id=str(act.pk))
    assert sealed.data["pdf_sha256"] == act.pdf_sha256

    case = client.get(proposal.referral.dispute.get_absolute_url()).content.decode()
    assert reverse("binding_act_pdf", args=[act.pk]) in case
    pdf = client.get(reverse("binding_act_pdf", args=[act.pk])).getvalue()
    assert check_seal(pdf).valid


def test_a_text_changed_since_the_page_was_opened_is_refused(
    customer, proposal, django_capture_on_commit_callbacks
):
    client = client_for(customer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_url(proposal), {"send": "1"})
    answer = client.post(
        confirm_url(proposal),
        {"read": "1", "code": sms_code(customer.mobile), "text_sha256": "0" * 64},
    )
    assert "打开页面后" in answer.content.decode()
    assert MediatorProposal.objects.get(pk=proposal.pk).is_pending
    assert not BindingAct.objects.filter(kind="proposal.accept").exists()


def test_nobody_else_opens_the_page_or_the_pdf(
    customer, other_customer, staff, mediator, proposal, django_capture_on_commit_callbacks
):
    for other in (other_customer, staff, mediator):
        assert client_for(other).get(confirm_url(proposal)).status_code == 404
    from tests.factories import customer_accepts

    with django_capture_on_commit_callbacks(execute=True):
        customer_accepts(customer, proposal.pk)
    act = BindingAct.objects.get(kind="proposal.accept")
    for other in (other_customer, staff, mediator):
        assert client_for(other).get(reverse("binding_act_pdf", args=[act.pk])).status_code == 404


def test_anyone_checks_a_seal_and_sees_a_changed_pdf(
    customer, proposal, django_capture_on_commit_callbacks, client
):
    from tests.factories import customer_accepts

    with django_capture_on_commit_callbacks(execute=True):
        customer_accepts(customer, proposal.pk)
    pdf = BindingAct.objects.get(kind="proposal.accept").pdf.read()

    def check(content: bytes) -> str:
        upload = SimpleUploadedFile("act.pdf", content, content_type="application/pdf")
        return client.post(reverse("seal_check"), {"document": upload}).content.decode()

    assert "有效" in check(pdf)
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:  # rewritten: the seal no longer covers it
        document.docinfo["/Title"] = "改过的"
        out = io.BytesIO()
        document.save(out)
    assert "已被改动" in check(out.getvalue()) or "不是" in check(out.getvalue())
    assert "没有" in check(b"%PDF-1.4 not really")
    assert client.get(reverse("seal_root")).content.startswith(b"-----BEGIN CERTIFICATE")


# ---- proposals: guards, withdrawal, agreements (issue 17, item 2) -----------------------------


def make_proposal(mediator, referral_id, amount, **kwargs):
    return agreement_services.proposal_make(
        actor=mediator,
        referral_id=referral_id,
        amount=Decimal(amount),
        terms="银行补偿。",
        performance_due=timezone.localdate() + timedelta(days=10),
        **kwargs,
    )


def test_a_proposal_above_the_claim_needs_a_reason(proposal, mediator, customer):
    referral_id = proposal.referral_id
    agreement_services.proposal_withdraw(actor=mediator, proposal_id=proposal.pk, reason="重提")
    with pytest.raises(ApplicationError) as refused:
        make_proposal(mediator, referral_id, "99000.00")
    assert refused.value.code == "above_claim" and "32,000.00" in refused.value.message
    above = make_proposal(mediator, referral_id, "35000.00", above_claim_reason="含利息损失")
    assert above.above_claim_reason == "含利息损失"


def test_the_mediator_withdraws_a_wrong_proposal_and_makes_a_new_one(
    proposal, mediator, customer, staff, django_capture_on_commit_callbacks
):
    mediator_client = client_for(mediator)
    case_url = proposal.referral.dispute.get_absolute_url()
    assert "撤回调解方案" in mediator_client.get(case_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = mediator_client.post(
            reverse("referrals:proposal_withdraw", args=[proposal.pk]),
            {f"p{proposal.pk}-withdraw-reason": "金额录入错误"},
        )
    assert answer.status_code == 302
    withdrawn = MediatorProposal.objects.get(pk=proposal.pk)
    assert withdrawn.is_withdrawn and not withdrawn.is_pending
    assert customer.notifications.filter(event="proposal_withdrawn").exists()
    page = client_for(customer).get(case_url).content.decode()
    assert (
        "已撤回" in page and reverse("referrals:proposal_confirm", args=[proposal.pk]) not in page
    )
    assert AuditEvent.objects.filter(action="proposal.withdrawn").exists()
    make_proposal(mediator, proposal.referral_id, "6000.00")  # a new one may follow
    with pytest.raises(ApplicationError):
        customer_accepts_now(customer, proposal.pk)


def customer_accepts_now(customer, proposal_id):
    from tests.factories import customer_accepts

    return customer_accepts(customer, proposal_id)


def test_only_the_centre_withdraws_and_only_an_unanswered_proposal(
    proposal, mediator, customer, staff
):
    for other in (customer, staff):
        answer = client_for(other).post(
            reverse("referrals:proposal_withdraw", args=[proposal.pk]),
            {f"p{proposal.pk}-withdraw-reason": "x"},
        )
        assert answer.status_code in (302, 404)
        assert MediatorProposal.objects.get(pk=proposal.pk).is_pending
    agreement_services.proposal_answer(actor=customer, proposal_id=proposal.pk, accept=False)
    with pytest.raises(ApplicationError):
        agreement_services.proposal_withdraw(
            actor=mediator, proposal_id=proposal.pk, reason="太晚了"
        )


def test_an_agreement_closes_open_proposals_and_cannot_predate_the_referral(proposal, mediator):
    from tests.factories.files import pdf_bytes

    referral = proposal.referral

    def record(effective_on):
        return agreement_services.agreement_record(
            actor=mediator,
            referral_id=referral.pk,
            upload=io.BytesIO(pdf_bytes()),
            file_name="协议.pdf",
            size=None,
            amount=Decimal("7000.00"),
            terms="银行支付7,000元",
            performance_due=timezone.localdate() + timedelta(days=10),
            effective_on=effective_on,
        )

    with pytest.raises(ApplicationError) as early:
        record(timezone.localdate() - timedelta(days=400))
    assert "调解中心" in early.value.message
    with pytest.raises(ApplicationError):
        record(timezone.localdate() + timedelta(days=1))
    record(timezone.localdate())
    closed = MediatorProposal.objects.get(pk=proposal.pk)
    assert closed.is_withdrawn and not closed.is_pending


def test_a_failed_seal_is_tried_again_by_the_recurring_job(
    customer, proposal, django_capture_on_commit_callbacks, settings, tmp_path
):
    from datetime import timedelta as days

    from portal.binding import seal_retry

    good = settings.SEAL_DIR
    settings.SEAL_DIR = str(tmp_path / "missing" / "nowhere")
    settings.SEAL_DEV_CERTIFICATE = False  # no certificate to seal with: the seal fails
    with django_capture_on_commit_callbacks(execute=True):
        customer_accepts_now(customer, proposal.pk)
    act = BindingAct.objects.get(kind="proposal.accept")
    assert act.status == BindingAct.Status.FAILED and act.failure
    page = client_for(customer).get(proposal.referral.dispute.get_absolute_url())
    assert "系统稍后自动重试" in page.content.decode()

    settings.SEAL_DIR, settings.SEAL_DEV_CERTIFICATE = good, True
    with django_capture_on_commit_callbacks(execute=True):
        assert seal_retry() == 1
    act.refresh_from_db()
    assert act.status == BindingAct.Status.READY and act.pdf_sha256
    # An old failure is left for an administrator, not retried for ever.
    BindingAct.objects.filter(pk=act.pk).update(
        status=BindingAct.Status.FAILED, confirmed_at=timezone.now() - days(days=3)
    )
    assert seal_retry() == 0
