"""Issue 17, 1: signing an agreement is a binding act. The mediator puts the agreement to the
parties; the customer signs it online (the whole text, amounts in capitals, a tick, a code,
sealed), the bank signs, and the centre seals it: it takes effect that day and opens the
30-day confirmation window. Nobody signs for another, and nothing is sealed half-signed."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.models import Dispute
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import BindingAct, Notification
from portal.transitions import ActionForbidden
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from referrals.models import AgreementDraft, MediationAgreement
from tests.conftest import client_for
from tests.factories import make_dispute, refer, sms_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(customer, staff, mediator, branch, centre, django_capture_on_commit_callbacks):
    dispute = make_dispute(customer, branch, "20000.00")
    referral = refer(dispute, customer, staff, centre)
    referral_services.referral_accept(
        actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(mediator).post(
            reverse("referrals:action", args=[referral.pk, "draft_agreement"]),
            {
                "r-draft_agreement-amount": "12000",
                "r-draft_agreement-terms": "银行支付12,000元，客户放弃其他请求。",
                "r-draft_agreement-performance_due": (
                    timezone.localdate() + timedelta(days=10)
                ).isoformat(),
            },
        )
    return AgreementDraft.objects.get(referral=referral)


def sign_url(draft) -> str:
    return reverse("referrals:agreement_sign", args=[draft.pk])


def test_the_customer_signs_the_bank_signs_the_centre_seals(
    draft, customer, staff, mediator, django_capture_on_commit_callbacks
):
    assert Notification.objects.filter(recipient=customer, event="agreement_to_sign")
    client = client_for(customer)
    assert sign_url(draft) in client.get("/").content.decode()  # waiting on the home
    page = client.get(sign_url(draft)).content.decode()
    assert "人民币壹万贰仟元整" in page and "第二十九条" in page
    found = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', page)
    assert found is not None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(sign_url(draft), {"send": "1"})
        client.post(
            sign_url(draft),
            {"read": "1", "code": sms_code(customer.mobile), "text_sha256": found.group(1)},
        )
    draft.refresh_from_db()
    assert draft.customer_signed_at is not None
    act = BindingAct.objects.get(kind="agreement.sign")
    assert act.actor == customer and act.status == BindingAct.Status.READY

    # Sealing waits for the bank's signature.
    with pytest.raises(TransitionRefused):
        agreement_services.agreement_seal(actor=mediator, draft_id=draft.pk)
    client_for(staff).post(reverse("referrals:agreement_action", args=[draft.pk, "bank_sign"]))
    assert "为双方已签署的协议盖章" in client_for(mediator).get("/").content.decode()
    client_for(mediator).post(reverse("referrals:agreement_action", args=[draft.pk, "seal"]))
    agreement = MediationAgreement.objects.get(referral=draft.referral)
    assert agreement.effective_on == timezone.localdate()
    assert agreement.amount == Decimal("12000.00") and agreement.document is None
    dispute = Dispute.objects.get(pk=draft.referral.dispute_id)
    assert dispute.status == "agreement_reached"
    timeline = client.get(dispute.get_absolute_url()).content.decode()
    assert "客户已签署协议" in timeline and "银行已签署协议" in timeline


def test_one_click_and_the_wrong_party_are_refused(draft, customer, staff, mediator, other_staff):
    with pytest.raises(ApplicationError) as refused:
        agreement_services.agreement_sign_confirmed(
            actor=customer, draft_id=draft.pk, proof=None, shown_sha256="0" * 64
        )
    assert refused.value.code == "reauthentication_required"
    with pytest.raises(ActionForbidden):
        agreement_services.agreement_bank_sign(actor=customer, draft_id=draft.pk)
    with pytest.raises(ActionForbidden):
        agreement_services.agreement_seal(actor=staff, draft_id=draft.pk)
    for outsider in (other_staff, staff):
        assert client_for(outsider).get(sign_url(draft)).status_code == 404
    assert (
        client_for(other_staff)
        .post(reverse("referrals:agreement_action", args=[draft.pk, "bank_sign"]))
        .status_code
        == 404
    )
    draft.refresh_from_db()
    assert draft.customer_signed_at is None and draft.bank_signed_at is None


def test_the_mediator_withdraws_a_wrong_agreement_and_drafts_another(draft, mediator):
    with pytest.raises(TransitionRefused):
        agreement_services.agreement_draft(
            actor=mediator,
            referral_id=draft.referral_id,
            amount=Decimal("1"),
            terms="x",
            performance_due=timezone.localdate(),
        )
    agreement_services.agreement_draft_withdraw(
        actor=mediator, draft_id=draft.pk, reason="金额有误"
    )
    again = agreement_services.agreement_draft(
        actor=mediator,
        referral_id=draft.referral_id,
        amount=Decimal("11000"),
        terms="银行支付11,000元。",
        performance_due=timezone.localdate(),
    )
    assert again.is_open
    with pytest.raises(TransitionRefused):
        agreement_services.agreement_bank_sign(actor=mediator, draft_id=draft.pk)
