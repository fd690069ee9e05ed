"""Issue 17, 3: the audience matrix (STYLE.md 15). One case goes the whole way, and on its way
each audience writes a marker text where that audience writes: the bank's own notes (a dropped
draft and its reason, a referral withdrawn by staff, the internal 1357 targets), the centre's
session notes, the mediator's reason for a proposal above the claim (bank and centre), the
customer's note asking for mediation (customer and bank). Then every case page and case API
is read as the customer, bank staff, the mediator, the court clerk and an auditor, and each
marker is found exactly where its audience is, and nowhere else."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mediation import services as ms
from mediation.models import Dispute
from portal.models import OrganisationKind
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from referrals.centres import sessions as session_services
from referrals.confirmation import services as confirmation_services
from tests.api.test_api import api
from tests.conftest import client_for
from tests.factories import (
    OrganisationFactory,
    PartnerFactory,
    UserFactory,
    backdate_referral,
    customer_discloses,
    make_dispute,
)
from tests.factories.files import pdf_bytes
from tests.referrals.test_confirmation import _ready_to_file

pytestmark = pytest.mark.django_db

BANK_DRAFT = "标记甲：误选北京中心，客户选的是上海。"
BANK_WITHDRAWAL = "标记乙：内部复核后撤回，暂缓转交。"
CENTRE_NOTES = "标记丙：客户情绪激动，底线约一万元。"
ABOVE_CLAIM = "标记丁：含客户交通及误工损失，高于请求金额。"
CUSTOMER_NOTE = "标记戊：希望调解中心居中协调。"
INTERNAL_TARGET = "第1日：案由与紧急程度双标签"

BANK = {BANK_DRAFT, BANK_WITHDRAWAL, INTERNAL_TARGET}
MARKERS = {BANK_DRAFT, BANK_WITHDRAWAL, CENTRE_NOTES, ABOVE_CLAIM, CUSTOMER_NOTE, INTERNAL_TARGET}


@pytest.fixture
def case(
    customer, staff, mediator, branch, centre, other_centre, django_capture_on_commit_callbacks
):
    """A 60,000 yuan case: the customer asks for mediation, the bank agrees; a draft to the
    wrong centre is dropped, a referral withdrawn by staff, the right one accepted; a session
    with the centre's notes; a proposal above the claim, withdrawn; an agreement."""
    d = make_dispute(customer, branch, "60000.00")
    ms.dispute_triage(actor=staff, reference=d.reference, cause_label="理财纠纷", urgency="normal")
    ms.mediation_request(
        actor=customer, reference=d.reference, agree_mediation=True, note=CUSTOMER_NOTE
    )
    ms.mediation_request_decide(actor=staff, reference=d.reference, agree=True)
    draft = referral_services.referral_create(
        actor=staff, reference=d.reference, organisation_id=other_centre.pk
    )
    referral_services.referral_withdraw(actor=staff, referral_id=draft.pk, reason=BANK_DRAFT)
    customer_discloses(customer, d.reference, centre.pk)
    for reason in (BANK_WITHDRAWAL, None):
        referral = referral_services.referral_create(
            actor=staff, reference=d.reference, organisation_id=centre.pk
        )
        referral_services.referral_send(actor=staff, referral_id=referral.pk)
        if reason:
            referral_services.referral_withdraw(actor=staff, referral_id=referral.pk, reason=reason)
    referral_services.referral_accept(
        actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
    )
    referral_services.referral_declare_conflicts(
        actor=mediator, referral_id=referral.pk, text="与双方无利害关系。"
    )
    session = session_services.session_schedule(
        actor=mediator,
        referral_id=referral.pk,
        starts_at=timezone.now() + timedelta(days=1),
        mode="in_person",
        place="上海市浦东新区世纪大道100号",
    )
    session_services.session_record_notes(actor=mediator, session_id=session.pk, notes=CENTRE_NOTES)
    proposal = agreement_services.proposal_make(
        actor=mediator,
        referral_id=referral.pk,
        amount=Decimal("61000.00"),
        terms="银行补偿客户61,000元。",
        performance_due=timezone.localdate() + timedelta(days=10),
        above_claim_reason=ABOVE_CLAIM,
    )
    agreement_services.proposal_withdraw(
        actor=mediator, proposal_id=proposal.pk, reason="金额有误，重新提出。"
    )
    backdate_referral(referral, 5)
    agreement_services.agreement_record(
        actor=mediator,
        referral_id=referral.pk,
        upload=io.BytesIO(pdf_bytes()),
        file_name="协议.pdf",
        size=None,
        amount=Decimal("40000.00"),
        terms="银行支付40,000元。",
        effective_on=timezone.localdate() - timedelta(days=1),
        performance_due=timezone.localdate() + timedelta(days=10),
    )
    d.refresh_from_db()
    return d


def read_all(user, dispute) -> str:
    """Everything `user` can read about the case: its page and the case APIs."""
    page = client_for(user).get(dispute.get_absolute_url())
    assert page.status_code == 200, user.role
    client = api(user)
    texts = [page.content.decode()]
    for url in (
        f"/api/v1/disputes/{dispute.reference}/",
        f"/api/v1/disputes/{dispute.reference}/timeline/",
        "/api/v1/referrals/",
        "/api/v1/confirmations/",
    ):
        answer = client.get(url)
        assert answer.status_code == 200, (user.role, url)
        texts.append(answer.content.decode())
    return "\n".join(texts)


def check(user, dispute, expected: set[str]) -> None:
    text = read_all(user, dispute)
    seen = {marker for marker in MARKERS if marker in text}
    assert seen == expected, (user.role, sorted(seen ^ expected))


def test_each_audience_reads_its_own_texts_and_no_others(
    case, customer, staff, mediator, django_capture_on_commit_callbacks
):
    check(customer, case, {CUSTOMER_NOTE})
    check(staff, case, {*BANK, CUSTOMER_NOTE, ABOVE_CLAIM})
    check(mediator, case, {CENTRE_NOTES, ABOVE_CLAIM})

    # The court reads the case once the joint application is filed; the bank's and the
    # centre's notes stay theirs.
    court = OrganisationFactory.create(name="上海市浦东新区人民法院", kind=OrganisationKind.COURT)
    clerk = PartnerFactory.create(organisation=court, partner_role="court_clerk")
    c = _ready_to_file(case, customer, staff, court, django_capture_on_commit_callbacks)
    confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk)
    check(clerk, case, set())

    # Closed, the case is the auditors' to read (its page), as the bank's side reads it.
    auditor = UserFactory.create(role="auditor")
    Dispute.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
    page = client_for(auditor).get(case.get_absolute_url()).content.decode()
    assert {m for m in MARKERS if m in page} == {*BANK, CUSTOMER_NOTE, ABOVE_CLAIM}


def test_hashes_and_the_banks_pre_commitment_are_not_the_customers(
    customer, staff, mediator, branch, centre
):
    from referrals.centres import services as referral_services
    from tests.factories import refer, upload_pdf

    dispute = make_dispute(customer, branch, "20000.00")
    upload_pdf(customer, dispute, "合同")
    referral = refer(dispute, customer, staff, centre)
    referral_services.referral_accept(
        actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
    )
    proposal = agreement_services.proposal_make(
        actor=mediator,
        referral_id=referral.pk,
        amount=Decimal("3000.00"),
        terms="银行补偿客户3,000元。",
        performance_due=timezone.localdate() + timedelta(days=10),
    )
    assert proposal.binding_on_bank
    mine = client_for(customer).get(dispute.get_absolute_url()).content.decode()
    theirs = client_for(staff).get(dispute.get_absolute_url()).content.decode()
    assert "SHA-256" not in mine and "SHA-256" in theirs
    assert "预先承诺" not in mine and "无需银行另行接受" in mine
    assert "预先承诺" in theirs
