"""Referrals as the parties live them: consent gate, clocks, sessions and notes, extensions,
proposals around the pre-commitment threshold, agreements, arbitration, litigation, and the
mediator's inbox."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mediation import services as ms
from mediation.lifecycle import DisputeStatus
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import OrganisationKind
from portal.transitions import ActionForbidden
from referrals.arbitration import services as arbitration_services
from referrals.centres import agreements as agreement_services
from referrals.centres import services as referral_services
from referrals.centres import sessions as session_services
from referrals.models import MediationAgreement, Referral
from tests.conftest import client_for
from tests.factories import (
    CustomerFactory,
    OrganisationFactory,
    PartnerFactory,
    customer_accepts,
    customer_discloses,
    make_dispute,
    refer,
    upload_pdf,
)
from tests.factories.files import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_mediation(customer, staff, mediator, branch, centre):
    dispute = make_dispute(customer, branch, "20000.00")
    referral = refer(dispute, customer, staff, centre)
    referral_services.referral_accept(
        actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk
    )
    referral.refresh_from_db()
    return referral


def test_sending_needs_consent_naming_the_centre(customer, staff, branch, centre):
    dispute = make_dispute(customer, branch)
    ms.consent_opt_in(
        actor=customer, reference=dispute.reference, agree_mediation=True, agree_disclosure=True
    )  # no centre named
    referral = referral_services.referral_create(
        actor=staff, reference=dispute.reference, organisation_id=centre.pk
    )
    with pytest.raises(ApplicationError) as info:
        referral_services.referral_send(actor=staff, referral_id=referral.pk)
    assert info.value.code == "no_disclosure_consent"
    referral.refresh_from_db()
    assert referral.status == "draft"
    customer_discloses(customer, dispute.reference, centre.pk)
    referral_services.referral_send(actor=staff, referral_id=referral.pk)
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.REFERRED and dispute.current_organisation == centre


def test_only_one_open_referral(customer, staff, branch, centre, other_centre):
    dispute = make_dispute(customer, branch)
    refer(dispute, customer, staff, centre)
    with pytest.raises(TransitionRefused):
        referral_services.referral_create(
            actor=staff, reference=dispute.reference, organisation_id=other_centre.pk
        )


@time_machine.travel(datetime(2026, 9, 30, 2, 0, tzinfo=UTC), tick=False)
def test_assignment_due_in_three_working_days_across_national_day(customer, staff, branch, centre):
    referral = refer(make_dispute(customer, branch), customer, staff, centre)
    # Sent 30 Sept: 1-7 Oct are rest days; 8, 9 and Saturday 10 Oct (调休) are working days.
    assert referral.assignment_due == date(2026, 10, 10)
    with time_machine.travel(datetime(2026, 10, 12, 2, 0, tzinfo=UTC), tick=False):
        assert list(Referral.objects.assignment_overdue(today=timezone.localdate())) == [referral]


def test_mediation_period_across_spring_festival(customer, staff, mediator, branch, centre):
    referral = refer(make_dispute(customer, branch), customer, staff, centre)
    referral_services.referral_accept(
        actor=mediator,
        referral_id=referral.pk,
        mediator_id=mediator.pk,
        accepted_on=date(2026, 1, 17),
    )
    referral.refresh_from_db()
    assert referral.mediation_due == date(2026, 2, 24)
    assert referral.dispute.status == DisputeStatus.IN_MEDIATION


def test_another_centre_cannot_see_or_act(
    customer, staff, branch, centre, other_mediator, mediator
):
    referral = refer(make_dispute(customer, branch), customer, staff, centre)
    with pytest.raises(Http404):
        referral_services.referral_acknowledge(actor=other_mediator, referral_id=referral.pk)
    with pytest.raises(Http404):
        referral_services.referral_accept(
            actor=other_mediator, referral_id=referral.pk, mediator_id=mediator.pk
        )
    page = reverse("mediation:detail", args=[referral.dispute.reference])
    assert client_for(other_mediator).get(page).status_code == 404
    assert client_for(mediator).get(page).status_code == 200
    action = reverse("referrals:action", args=[referral.pk, "acknowledge"])
    assert client_for(other_mediator).post(action).status_code == 404


def test_mediator_must_belong_to_the_centre(
    customer, staff, mediator, other_mediator, branch, centre
):
    referral = refer(make_dispute(customer, branch), customer, staff, centre)
    with pytest.raises(ApplicationError):
        referral_services.referral_accept(
            actor=mediator, referral_id=referral.pk, mediator_id=other_mediator.pk
        )


def test_decline_returns_the_case_to_the_lane(
    customer, staff, mediator, branch, centre, other_centre
):
    dispute = make_dispute(customer, branch)
    referral = refer(dispute, customer, staff, centre)
    with pytest.raises(ApplicationError):
        referral_services.referral_decline(actor=mediator, referral_id=referral.pk, reason=" ")
    referral_services.referral_decline(actor=mediator, referral_id=referral.pk, reason="案件已满")
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.FAST_LANE and dispute.current_organisation is None
    customer_discloses(customer, dispute.reference, other_centre.pk)
    again = referral_services.referral_create(
        actor=staff, reference=dispute.reference, organisation_id=other_centre.pk
    )
    referral_services.referral_send(actor=staff, referral_id=again.pk)


def test_declaration_comes_before_the_first_session(in_mediation, mediator, customer):
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(ApplicationError):
        session_services.session_schedule(
            actor=mediator,
            referral_id=in_mediation.pk,
            starts_at=start,
            mode="online",
            place="https://meet.example.cn/room/42",
        )
    referral_services.referral_declare_conflicts(
        actor=mediator, referral_id=in_mediation.pk, text="与双方无利害关系。"
    )
    session_services.session_schedule(
        actor=mediator,
        referral_id=in_mediation.pk,
        starts_at=start,
        mode="online",
        place="https://meet.example.cn/room/42",
    )
    with pytest.raises(TransitionRefused):
        referral_services.referral_declare_conflicts(
            actor=mediator, referral_id=in_mediation.pk, text="改"
        )
    html = (
        client_for(customer)
        .get(reverse("mediation:detail", args=[in_mediation.dispute.reference]))
        .content.decode()
    )
    assert "与双方无利害关系。" in html and "https://meet.example.cn/room/42" in html


def test_session_notes_are_the_centres_alone(
    in_mediation, mediator, other_mediator, customer, staff, hq_staff
):
    referral_services.referral_declare_conflicts(
        actor=mediator, referral_id=in_mediation.pk, text="无冲突"
    )
    session = session_services.session_schedule(
        actor=mediator,
        referral_id=in_mediation.pk,
        starts_at=timezone.now() + timedelta(days=1),
        mode="phone",
        place="电话",
    )
    url = reverse("referrals:session_notes", args=[session.pk])
    client_for(mediator).post(url, {"notes": "客户情绪激动，底线约一万元。"})
    session.refresh_from_db()
    assert session.notes == "客户情绪激动，底线约一万元。"
    page = reverse("mediation:detail", args=[in_mediation.dispute.reference])
    assert "底线约一万元" in client_for(mediator).get(page).content.decode()
    for outsider in (customer, staff, hq_staff):
        assert "底线约一万元" not in client_for(outsider).get(page).content.decode()
        assert client_for(outsider).post(url, {"notes": "x"}).status_code == 404
    assert client_for(other_mediator).post(url, {"notes": "x"}).status_code == 404
    with pytest.raises(ActionForbidden):
        session_services.session_record_notes(actor=staff, session_id=session.pk, notes="x")
    session.refresh_from_db()
    assert session.notes == "客户情绪激动，底线约一万元。"


def test_extension_needs_both_parties(in_mediation, mediator, customer, staff):
    old_due = in_mediation.mediation_due
    ext = session_services.extension_propose(
        actor=mediator, referral_id=in_mediation.pk, days=10, reason="需要补充材料"
    )
    session_services.extension_consent(actor=customer, extension_id=ext.pk)
    in_mediation.refresh_from_db()
    assert in_mediation.mediation_due == old_due
    with pytest.raises(ActionForbidden):
        session_services.extension_consent(actor=mediator, extension_id=ext.pk)
    session_services.extension_consent(actor=staff, extension_id=ext.pk)
    in_mediation.refresh_from_db()
    ext.refresh_from_db()
    assert ext.applied_at and in_mediation.mediation_due == ext.new_due > old_due
    assert in_mediation.dispute.mediation_due == ext.new_due


@pytest.mark.parametrize(
    ("amount", "binding"), [("9999.99", True), ("10000.00", False), ("10000.01", False)]
)
def test_pre_commitment_threshold(
    in_mediation, mediator, customer, staff, amount, binding, settings
):
    settings.BANK_PRE_COMMITMENT_THRESHOLD = Decimal("10000.00")
    proposal = agreement_services.proposal_make(
        actor=mediator,
        referral_id=in_mediation.pk,
        amount=Decimal(amount),
        terms="退还费用",
        performance_due=timezone.localdate() + timedelta(days=10),
    )
    assert proposal.binding_on_bank is binding
    customer_accepts(customer, proposal.pk)
    in_mediation.refresh_from_db()
    if binding:
        assert in_mediation.status == "proposal_accepted"
        assert in_mediation.dispute.status == DisputeStatus.AGREEMENT_REACHED
        agreement = MediationAgreement.objects.get(referral=in_mediation)
        assert agreement.from_proposal and agreement.amount == Decimal(amount)
        with pytest.raises(TransitionRefused):
            agreement_services.proposal_answer(actor=staff, proposal_id=proposal.pk, accept=False)
    else:
        assert in_mediation.status == "accepted"  # the bank still answers
        agreement_services.proposal_answer(actor=staff, proposal_id=proposal.pk, accept=True)
        in_mediation.refresh_from_db()
        assert in_mediation.status == "proposal_accepted"


def test_refused_proposal_lets_mediation_go_on(in_mediation, mediator, customer):
    proposal = agreement_services.proposal_make(
        actor=mediator,
        referral_id=in_mediation.pk,
        amount=Decimal("100"),
        terms="t",
        performance_due=timezone.localdate(),
    )
    with pytest.raises(ApplicationError):
        agreement_services.proposal_make(
            actor=mediator,
            referral_id=in_mediation.pk,
            amount=Decimal("1"),
            terms="t",
            performance_due=timezone.localdate(),
        )
    client = client_for(customer)
    response = client.post(reverse("referrals:proposal_answer", args=[proposal.pk, "refuse"]))
    assert response.status_code == 302
    in_mediation.refresh_from_db()
    assert in_mediation.status == "accepted"
    agreement_services.proposal_make(
        actor=mediator,
        referral_id=in_mediation.pk,
        amount=Decimal("200"),
        terms="t2",
        performance_due=timezone.localdate(),
    )


def test_other_customer_cannot_answer(in_mediation, mediator, other_customer):
    proposal = agreement_services.proposal_make(
        actor=mediator,
        referral_id=in_mediation.pk,
        amount=Decimal("100"),
        terms="t",
        performance_due=timezone.localdate(),
    )
    url = reverse("referrals:proposal_answer", args=[proposal.pk, "accept"])
    assert client_for(other_customer).post(url).status_code == 404


def test_agreement_starts_the_confirmation_window(in_mediation, mediator, stored_files):
    Referral.objects.filter(pk=in_mediation.pk).update(
        sent_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    )
    agreement = agreement_services.agreement_record(
        actor=mediator,
        referral_id=in_mediation.pk,
        upload=io.BytesIO(pdf_bytes()),
        file_name="协议.pdf",
        size=None,
        amount=Decimal("15000.00"),
        terms="银行支付15,000元",
        performance_due=date(2026, 2, 10),
        effective_on=date(2026, 1, 17),
    )
    assert agreement.confirmation_window_ends == date(2026, 2, 24)  # Spring Festival
    assert agreement.document is not None and agreement.document.category == "agreement"
    assert stored_files == [(agreement.document.file.name, 0)]  # no transaction open
    in_mediation.refresh_from_db()
    assert in_mediation.status == "agreement"
    assert in_mediation.dispute.status == DisputeStatus.AGREEMENT_REACHED


def test_agreement_dates_are_checked(in_mediation, mediator):
    with pytest.raises(ApplicationError):
        agreement_services.agreement_record(
            actor=mediator,
            referral_id=in_mediation.pk,
            upload=io.BytesIO(pdf_bytes()),
            file_name="a.pdf",
            size=None,
            amount=Decimal("1"),
            terms="t",
            performance_due=date(2026, 1, 1),
            effective_on=date(2026, 1, 17),
        )


def test_failure_offers_the_remaining_routes(in_mediation, mediator, customer):
    referral_services.referral_fail(actor=mediator, referral_id=in_mediation.pk, reason="差距过大")
    html = (
        client_for(customer)
        .get(reverse("mediation:detail", args=[in_mediation.dispute.reference]))
        .content.decode()
    )
    assert in_mediation.dispute.reference in html
    in_mediation.refresh_from_db()
    assert in_mediation.dispute.status == DisputeStatus.MEDIATION_FAILED


def test_customer_page_shows_one_timeline(in_mediation, mediator, customer):
    referral_services.referral_declare_conflicts(
        actor=mediator, referral_id=in_mediation.pk, text="无"
    )
    session_services.session_schedule(
        actor=mediator,
        referral_id=in_mediation.pk,
        starts_at=timezone.now() + timedelta(days=1),
        mode="online",
        place="https://meet.example.cn/room/42",
    )
    response = client_for(customer).get(
        reverse("mediation:detail", args=[in_mediation.dispute.reference])
    )
    labels = [e.label for e in response.context["timeline"]]
    assert (
        labels.index("纠纷已受理")
        < labels.index("案件已转交调解中心")
        < labels.index("调解中心受理案件并指派调解员")
        < labels.index("已安排调解会议")
    )


# ---- arbitration and litigation -------------------------------------------------------------


@pytest.fixture
def commission(db):
    return OrganisationFactory.create(
        name="上海仲裁委员会", kind=OrganisationKind.ARBITRATION_COMMISSION
    )


def test_arbitration_from_failed_mediation(
    in_mediation, mediator, staff, commission, customer, stored_files
):
    referral_services.referral_fail(actor=mediator, referral_id=in_mediation.pk, reason="分歧")
    ref = in_mediation.dispute.reference
    case = arbitration_services.arbitration_start(
        actor=staff,
        reference=ref,
        commission_id=commission.pk,
        agreement_signed_on=date(2026, 9, 1),
        upload=io.BytesIO(pdf_bytes()),
        file_name="仲裁协议.pdf",
        size=None,
    )
    assert stored_files == [(case.agreement_document.file.name, 0)]  # no transaction open
    arbitration_services.arbitration_file(actor=staff, case_id=case.pk, filed_on=date(2026, 9, 28))
    case.refresh_from_db()
    assert case.acceptance_due == date(2026, 10, 8)  # 3 Oct falls in National Day
    assert case.dispute.status == DisputeStatus.IN_ARBITRATION
    arbitrator = PartnerFactory.create(organisation=commission, partner_role="arbitrator")
    arbitration_services.arbitration_accept(
        actor=arbitrator,
        case_id=case.pk,
        accepted_on=date(2026, 10, 8),
        case_number="（2026）沪仲案字第1号",
    )
    case.refresh_from_db()
    assert case.target_due == date(2026, 11, 23)  # 45 days: Sunday 22 Nov -> Monday
    arbitration_services.arbitration_decide(
        actor=arbitrator,
        case_id=case.pk,
        kind="partial",
        made_on=date(2026, 10, 20),
        summary="先行裁决返还本金",
    )
    arbitration_services.arbitration_decide(
        actor=arbitrator,
        case_id=case.pk,
        kind="final",
        made_on=date(2026, 11, 20),
        summary="裁决赔偿",
        amount=Decimal("9000"),
    )
    case.refresh_from_db()
    assert case.status == "award" and case.correction_until == date(2026, 12, 21)
    assert case.set_aside_until == date(2027, 2, 22)  # 20 Feb 2027 is a Saturday
    ms.dispute_close(actor=staff, reference=ref, reason="arbitration_award")
    html = client_for(customer).get(reverse("mediation:detail", args=[ref])).content.decode()
    assert "先行裁决" in html


def test_arbitration_route_is_for_wealth_suitability(customer, staff, branch, commission):
    dispute = make_dispute(customer, branch, category="credit_card")
    ms.dispute_triage(actor=staff, reference=dispute.reference, cause_label="x", urgency="normal")
    ms.dispute_start_bank_handling(actor=staff, reference=dispute.reference)
    with pytest.raises(ApplicationError):
        arbitration_services.arbitration_start(
            actor=staff,
            reference=dispute.reference,
            commission_id=commission.pk,
            agreement_signed_on=date(2026, 9, 1),
            upload=io.BytesIO(pdf_bytes()),
            file_name="a.pdf",
            size=None,
        )


def test_a_case_moved_on_while_its_agreement_is_stored_keeps_nothing(
    customer, staff, branch, commission, monkeypatch
):
    """The agreement's file is stored before the case is locked, so the rules are read again
    under the lock: a case moved on meanwhile (here: to court) refuses, and the stored file is
    deleted with no exhibit written."""
    from django.core.files.storage import default_storage

    from mediation.models import Dispute
    from mediation.services import evidence

    dispute = make_dispute(customer, branch, category="wealth")
    ms.dispute_triage(actor=staff, reference=dispute.reference, cause_label="x", urgency="normal")
    ms.dispute_start_bank_handling(actor=staff, reference=dispute.reference)
    real_store = evidence.store_clean_file
    stored: list[str] = []

    def store_while_the_case_moves_on(folder, clean):
        stored.append(real_store(folder, clean))
        Dispute.objects.filter(pk=dispute.pk).update(status=DisputeStatus.IN_LITIGATION)
        return stored[-1]

    monkeypatch.setattr(evidence, "store_clean_file", store_while_the_case_moves_on)
    with pytest.raises(TransitionRefused, match="仲裁须在银行处理阶段"):
        arbitration_services.arbitration_start(
            actor=staff,
            reference=dispute.reference,
            commission_id=commission.pk,
            agreement_signed_on=date(2026, 9, 1),
            upload=io.BytesIO(pdf_bytes()),
            file_name="a.pdf",
            size=None,
        )
    assert len(stored) == 1 and not default_storage.exists(stored[0])
    assert not dispute.evidence.exists() and not dispute.arbitrations.exists()


def test_other_commission_and_mediators_cannot_act(customer, staff, branch, commission, mediator):
    dispute = make_dispute(customer, branch, category="wealth")
    ms.dispute_triage(actor=staff, reference=dispute.reference, cause_label="x", urgency="normal")
    ms.dispute_start_bank_handling(actor=staff, reference=dispute.reference)
    case = arbitration_services.arbitration_start(
        actor=staff,
        reference=dispute.reference,
        commission_id=commission.pk,
        agreement_signed_on=date(2026, 9, 1),
        upload=io.BytesIO(pdf_bytes()),
        file_name="a.pdf",
        size=None,
    )
    arbitration_services.arbitration_file(
        actor=staff, case_id=case.pk, filed_on=timezone.localdate()
    )
    other = OrganisationFactory.create(
        name="北京仲裁委员会", kind=OrganisationKind.ARBITRATION_COMMISSION
    )
    outsider = PartnerFactory.create(organisation=other, partner_role="arbitrator")
    for user in (outsider, mediator):
        with pytest.raises(Http404):
            arbitration_services.arbitration_accept(
                actor=user, case_id=case.pk, accepted_on=timezone.localdate(), case_number="x"
            )


def test_litigation_keeps_the_timeline_whole(in_mediation, mediator, staff, customer):
    referral_services.referral_fail(actor=mediator, referral_id=in_mediation.pk, reason="分歧")
    ref = in_mediation.dispute.reference
    arbitration_services.litigation_record(
        actor=staff,
        reference=ref,
        court_name="上海市浦东新区人民法院",
        case_number="（2026）沪0115民初1号",
        filed_on=date(2026, 11, 1),
    )
    in_mediation.refresh_from_db()
    assert in_mediation.dispute.status == DisputeStatus.IN_LITIGATION
    html = client_for(customer).get(reverse("mediation:detail", args=[ref])).content.decode()
    assert "（2026）沪0115民初1号" in html
    with pytest.raises(ActionForbidden):
        arbitration_services.litigation_record(
            actor=customer,
            reference=ref,
            court_name="x",
            case_number="y",
            filed_on=date(2026, 11, 1),
        )


# ---- the mediator's inbox --------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("query", ["", "?status=sent", "?due=overdue", "?mine=on", "?due=soon"])
def test_inbox_query_count_is_constant(staff, mediator, branch, centre, query):
    client = client_for(mediator)
    customer = CustomerFactory.create()
    refer(make_dispute(customer, branch), customer, staff, centre)
    few, _response = _queries(client, reverse("referrals:inbox") + query)
    for _ in range(12):
        customer = CustomerFactory.create()
        refer(make_dispute(customer, branch), customer, staff, centre)
    many, _response = _queries(client, reverse("referrals:inbox") + query)
    assert many == few


def test_inbox_shows_only_own_centre(
    staff, mediator, other_mediator, customer, branch, centre, other_centre
):
    mine = refer(make_dispute(customer, branch), customer, staff, centre)
    theirs = refer(make_dispute(customer, branch), customer, staff, other_centre)
    draft_dispute = make_dispute(customer, branch)
    ms.consent_opt_in(
        actor=customer,
        reference=draft_dispute.reference,
        agree_mediation=True,
        agree_disclosure=True,
    )
    referral_services.referral_create(
        actor=staff, reference=draft_dispute.reference, organisation_id=centre.pk
    )
    _count, response = _queries(client_for(mediator), reverse("referrals:inbox"))
    html = response.content.decode()
    assert mine.dispute.reference in html and theirs.dispute.reference not in html
    assert draft_dispute.reference not in html  # drafts are not sent yet
    assert client_for(staff).get(reverse("referrals:inbox")).status_code == 403


def test_inbox_filters(staff, mediator, customer, branch, centre):
    waiting = refer(make_dispute(customer, branch), customer, staff, centre)
    mine = refer(make_dispute(customer, branch), customer, staff, centre)
    referral_services.referral_accept(actor=mediator, referral_id=mine.pk, mediator_id=mediator.pk)
    _c, response = _queries(client_for(mediator), reverse("referrals:inbox") + "?mine=on")
    html = response.content.decode()
    assert mine.dispute.reference in html and waiting.dispute.reference not in html


def test_withdrawn_consent_stops_the_centre_reading_evidence(
    customer, staff, mediator, branch, centre
):
    dispute = make_dispute(customer, branch)
    refer(dispute, customer, staff, centre)
    item = upload_pdf(customer, dispute, "合同")
    url = reverse("mediation:evidence_download", args=[dispute.reference, item.pk])
    assert client_for(mediator).get(url).status_code == 200
    consent = dispute.consents.get(kind="personal_info", recipient__isnull=False)
    ms.consent_withdraw(actor=customer, consent_id=consent.pk)
    assert client_for(mediator).get(url).status_code == 404
