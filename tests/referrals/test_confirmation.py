"""Judicial confirmation: the window across holidays, joint consent, materials, every
transition allowed and refused, the court's clocks, after the ruling, and court isolation."""

from __future__ import annotations

import io
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

import referrals.confirmation.lifecycle as confirmation_lifecycle
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute
from mediation.services.evidence import evidence_upload
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import AuditEvent
from referrals.confirmation import application_form as form_services
from referrals.confirmation import court as court_services
from referrals.confirmation import services as confirmation_services
from referrals.confirmation.lifecycle import ConfirmationStatus
from referrals.models import FormStatus, JudicialConfirmation
from tests.conftest import client_for
from tests.factories import (
    PartnerFactory,
    customer_joins,
)
from tests.factories.files import pdf_bytes, png_bytes
from tests.lifecycle_tables import allowed, declared_transitions, docstring_table, refusals

pytestmark = pytest.mark.django_db


def test_table_matches_code():
    assert docstring_table(confirmation_lifecycle) == declared_transitions(JudicialConfirmation)


@pytest.fixture
def clerk(court):
    return PartnerFactory.create(organisation=court, partner_role="court_clerk")


@pytest.fixture
def other_clerk(other_court):
    return PartnerFactory.create(organisation=other_court, partner_role="court_clerk")


def _upload(actor, dispute, title, category, content=None):
    return evidence_upload(
        actor=actor,
        reference=dispute.reference,
        upload=io.BytesIO(content or pdf_bytes()),
        original_name=f"{title}.pdf",
        declared_size=None,
        title=title,
        category=category,
    )


def _ready_to_file(dispute, customer, staff, court, django_capture_on_commit_callbacks):
    c = confirmation_services.confirmation_start(
        actor=staff, reference=dispute.reference, court_id=court.pk
    )
    _upload(staff, dispute, "调解证明", "mediation_proof")
    _upload(customer, dispute, "身份证", "identity", png_bytes())
    _upload(staff, dispute, "营业执照", "bank_identity")
    with django_capture_on_commit_callbacks(execute=True):
        form_services.confirmation_request_form(actor=staff, confirmation_id=c.pk)
    customer_joins(customer, c.pk)
    confirmation_services.confirmation_consent(actor=staff, confirmation_id=c.pk)
    c.refresh_from_db()
    return c


def test_joint_consent_and_materials_are_required(
    agreed, customer, staff, court, django_capture_on_commit_callbacks
):
    c = confirmation_services.confirmation_start(
        actor=staff, reference=agreed.reference, court_id=court.pk, filed_by_agent=True
    )
    with pytest.raises(ApplicationError) as info:
        confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk)
    assert info.value.code == "no_joint_consent"
    customer_joins(customer, c.pk)
    with pytest.raises(ApplicationError):
        confirmation_services.confirmation_file(
            actor=staff, confirmation_id=c.pk
        )  # the bank has not agreed
    confirmation_services.confirmation_consent(actor=staff, confirmation_id=c.pk)
    with pytest.raises(ApplicationError) as info:
        confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk)
    assert info.value.code == "materials_missing"
    assert "授权委托书" in info.value.message and "调解" in info.value.message
    c.refresh_from_db()
    assert c.status == "preparing"


def test_window_ends_on_a_holiday_moves_to_next_working_day(agreed, staff, court):
    c = confirmation_services.confirmation_start(
        actor=staff, reference=agreed.reference, court_id=court.pk
    )
    from portal.calendar import period_end

    # 1 Sept + 30 = 1 Oct (National Day) -> Thursday 8 Oct.
    assert period_end(date(2026, 9, 1), 30) == date(2026, 10, 8)
    # 10 Sept + 30 = Saturday 10 Oct, a 调休 working day: it stays.
    assert period_end(date(2026, 9, 10), 30) == date(2026, 10, 10)
    assert c.window_ends == agreed.referrals.get().agreement.confirmation_window_ends


def test_lapsed_window_refuses_filing_and_offers_routes(
    agreed, customer, staff, court, django_capture_on_commit_callbacks
):
    c = _ready_to_file(agreed, customer, staff, court, django_capture_on_commit_callbacks)
    JudicialConfirmation.objects.filter(pk=c.pk).update(window_ends=date(2026, 1, 5))
    with pytest.raises(ApplicationError) as info:
        confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk)
    assert info.value.code == "window_lapsed"
    html = client_for(customer).get(reverse("mediation:detail", args=[agreed.reference]))
    assert "已届满" in html.content.decode() or "Lapsed" in html.content.decode()


def test_full_path_to_confirmation_and_payment(
    agreed,
    customer,
    staff,
    court,
    clerk,
    django_capture_on_commit_callbacks,
    tmp_path,
    stored_files,
):
    c = _ready_to_file(agreed, customer, staff, court, django_capture_on_commit_callbacks)
    assert c.form_status == FormStatus.READY and not c.missing_materials()
    path = tmp_path / "form.pdf"
    with c.application_pdf.open("rb") as fh:
        path.write_bytes(fh.read())
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert any("CJK" in line and " yes " in line for line in fonts.splitlines())
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "司法确认申请书" in text and court.name in text and agreed.customer.id_number in text

    confirmation_services.confirmation_file(
        actor=staff, confirmation_id=c.pk, filed_on=date(2026, 9, 29)
    )
    c.refresh_from_db()
    assert c.acceptance_due == date(2026, 10, 8)  # 2 Oct falls in National Day
    with pytest.raises(ApplicationError):
        court_services.confirmation_accept(
            actor=clerk, confirmation_id=c.pk, accepted_on=date(2026, 10, 8), case_number="第12号"
        )
    court_services.confirmation_accept(
        actor=clerk,
        confirmation_id=c.pk,
        accepted_on=date(2026, 10, 8),
        case_number="（2026）沪0115民特12号",
    )
    c.refresh_from_db()
    assert c.decision_due == date(2026, 10, 23) and c.decision_ceiling == date(2026, 11, 9)
    court_services.confirmation_extend_review(actor=clerk, confirmation_id=c.pk, reason="院长批准")
    c.refresh_from_db()
    assert c.decision_due == date(2026, 11, 2)
    with pytest.raises(TransitionRefused):
        court_services.confirmation_extend_review(actor=clerk, confirmation_id=c.pk, reason="again")
    court_services.confirmation_confirm(
        actor=clerk,
        confirmation_id=c.pk,
        ruling_number="（2026）沪0115民特12号",
        ruling_on=date(2026, 10, 20),
        received_on=date(2026, 10, 22),
        upload=io.BytesIO(pdf_bytes()),
        file_name="裁定书.pdf",
        size=None,
    )
    c.refresh_from_db()
    assert c.status == "confirmed" and c.objection_until == date(2026, 11, 6)
    assert c.ruling_document.file.name == stored_files[-1][0]
    due = c.agreement.performance_due
    assert c.enforcement_until >= due.replace(year=due.year + 2)
    stored = len(stored_files)
    with pytest.raises(ApplicationError):
        confirmation_services.performance_record(
            actor=staff,
            confirmation_id=c.pk,
            paid_on=timezone.localdate(),
            amount=Decimal("100.00"),
            upload=io.BytesIO(pdf_bytes()),
            file_name="回单.pdf",
            size=None,
        )
    confirmation_services.performance_record(
        actor=staff,
        confirmation_id=c.pk,
        paid_on=timezone.localdate(),
        amount=Decimal("12000.00"),
        upload=io.BytesIO(pdf_bytes()),
        file_name="回单.pdf",
        size=None,
    )
    c.refresh_from_db()
    assert c.paid_on and c.payment_proof and not c.unpaid_after_due
    # The refused payment stored nothing; each file was stored with no transaction open.
    assert len(stored_files) == stored + 1 and c.payment_proof.file.name == stored_files[-1][0]
    assert [depth for _, depth in stored_files] == [0] * len(stored_files)


def test_unpaid_after_due_tells_the_customer_about_enforcement(
    agreed, customer, staff, court, clerk, django_capture_on_commit_callbacks
):
    c = _ready_to_file(agreed, customer, staff, court, django_capture_on_commit_callbacks)
    confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk)
    today = timezone.localdate()
    court_services.confirmation_accept(
        actor=clerk, confirmation_id=c.pk, accepted_on=today, case_number="（2026）沪0115民特3号"
    )
    court_services.confirmation_confirm(
        actor=clerk,
        confirmation_id=c.pk,
        ruling_number="（2026）沪0115民特3号",
        ruling_on=today,
        received_on=today,
    )
    c.agreement.performance_due = today - timedelta(days=1)
    c.agreement.save()
    c.refresh_from_db()
    assert c.unpaid_after_due
    html = client_for(customer).get(reverse("mediation:detail", args=[agreed.reference]))
    assert "强制执行" in html.content.decode()


@pytest.mark.parametrize("route", ["amend", "mediate", "sue"])
def test_after_rejection_each_route_is_a_transition(
    route, agreed, customer, staff, court, clerk, django_capture_on_commit_callbacks, stored_files
):
    c = _ready_to_file(agreed, customer, staff, court, django_capture_on_commit_callbacks)
    confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk)
    today = timezone.localdate()
    court_services.confirmation_accept(
        actor=clerk, confirmation_id=c.pk, accepted_on=today, case_number="（2026）沪0115民特5号"
    )
    court_services.confirmation_reject(
        actor=clerk,
        confirmation_id=c.pk,
        ground="unclear",
        ruling_number="（2026）沪0115民特5号",
        ruling_on=today,
        received_on=today,
        note="履行方式不明确",
    )
    kwargs = (
        {
            "upload": io.BytesIO(pdf_bytes()),
            "file_name": "新协议.pdf",
            "terms": "银行于十日内转账支付12,000元",
            "effective_on": today,
        }
        if route == "amend"
        else {"reason": "双方选择"}
    )
    after_rejection: Any = {
        "amend": confirmation_services.confirmation_amend_agreement,
        "mediate": confirmation_services.confirmation_mediate_again,
        "sue": confirmation_services.confirmation_sue,
    }[route]
    result = after_rejection(actor=customer, confirmation_id=c.pk, **kwargs)
    c.refresh_from_db()
    dispute = Dispute.objects.get(pk=agreed.pk)
    if route == "amend":
        assert c.status == "amended" and result.status == "preparing" and result.previous == c
        assert result.window_ends > today and dispute.status == DisputeStatus.AGREEMENT_REACHED
        assert result.agreement_document.file.name == stored_files[-1][0]
        assert stored_files[-1][1] == 0  # stored with no transaction open
    elif route == "mediate":
        assert c.status == "remediation" and dispute.status == DisputeStatus.FAST_LANE
    else:
        assert c.status == "litigation" and dispute.status == DisputeStatus.IN_LITIGATION


def test_clerk_of_another_court_gets_404(
    agreed, customer, staff, court, clerk, other_clerk, django_capture_on_commit_callbacks
):
    c = _ready_to_file(agreed, customer, staff, court, django_capture_on_commit_callbacks)
    page = reverse("mediation:detail", args=[agreed.reference])
    assert client_for(clerk).get(page).status_code == 404  # not filed yet: nothing to see
    confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk)
    assert client_for(clerk).get(page).status_code == 200
    assert client_for(other_clerk).get(page).status_code == 404
    with pytest.raises(Http404):
        court_services.confirmation_accept(
            actor=other_clerk,
            confirmation_id=c.pk,
            accepted_on=timezone.localdate(),
            case_number="（2026）京0105民特1号",
        )
    url = reverse("referrals:confirmation_action", args=[c.pk, "accept"])
    assert client_for(other_clerk).post(url).status_code == 404
    assert (
        client_for(other_clerk)
        .get(reverse("referrals:confirmation_application", args=[c.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(clerk)
        .get(reverse("referrals:confirmation_application", args=[c.pk]))
        .status_code
        == 200
    )


# ---- every transition allowed and refused ---------------------------------------------------


def _confirmation_in(state, dispute, court, staff):
    agreement = dispute.referrals.get().agreement
    return JudicialConfirmation.objects.create(
        dispute=dispute,
        agreement=agreement,
        court=court,
        terms="t",
        agreement_document=agreement.document,
        effective_on=agreement.effective_on,
        window_ends=agreement.confirmation_window_ends,
        created_by=staff,
        status=state,
        customer_consent_at=timezone.now(),
        bank_consent_at=timezone.now(),
        form_status=FormStatus.READY,
        filed_on=timezone.localdate(),
        accepted_on=timezone.localdate(),
    )


def _go(name, c, customer, staff, clerk):
    today = timezone.localdate()
    ruling: dict[str, Any] = {
        "ruling_number": "（2026）沪0115民特9号",
        "ruling_on": today,
        "received_on": today,
    }
    return {
        "file": lambda: confirmation_services.confirmation_file(actor=staff, confirmation_id=c.pk),
        "accept": lambda: court_services.confirmation_accept(
            actor=clerk,
            confirmation_id=c.pk,
            accepted_on=today,
            case_number="（2026）沪0115民特9号",
        ),
        "not_accept": lambda: court_services.confirmation_not_accept(
            actor=clerk, confirmation_id=c.pk, reason="no_jurisdiction"
        ),
        "confirm": lambda: court_services.confirmation_confirm(
            actor=clerk, confirmation_id=c.pk, **ruling
        ),
        "reject": lambda: court_services.confirmation_reject(
            actor=clerk, confirmation_id=c.pk, ground="unclear", **ruling
        ),
        "withdraw": lambda: confirmation_services.confirmation_withdraw(
            actor=customer, confirmation_id=c.pk, reason="撤回"
        ),
        "amend_agreement": lambda: confirmation_services.confirmation_amend_agreement(
            actor=staff,
            confirmation_id=c.pk,
            upload=io.BytesIO(pdf_bytes()),
            file_name="a.pdf",
            terms="t",
            effective_on=today,
        ),
        "mediate_again": lambda: confirmation_services.confirmation_mediate_again(
            actor=staff, confirmation_id=c.pk
        ),
        "sue": lambda: confirmation_services.confirmation_sue(actor=staff, confirmation_id=c.pk),
    }[name]()


@pytest.fixture
def materials(agreed, customer, staff):
    _upload(staff, agreed, "调解证明", "mediation_proof")
    _upload(customer, agreed, "身份证", "identity", png_bytes())
    _upload(staff, agreed, "营业执照", "bank_identity")
    return agreed


@pytest.mark.parametrize(
    ("name", "state"), refusals(JudicialConfirmation, ConfirmationStatus.values)
)
def test_transition_refused(name, state, materials, customer, staff, court, clerk):
    c = _confirmation_in(state, materials, court, staff)
    # Nothing is recorded but, for the court's acts on an application in preparation, the
    # refusal itself (it enters the audit chain: DESIGN.md 5).
    acts = AuditEvent.objects.exclude(action="access.refused")
    events = acts.count()
    # The court sees nothing of an application still being prepared.
    court_acts = name in ("accept", "not_accept", "confirm", "reject")
    expected = Http404 if state == "preparing" and court_acts else TransitionRefused
    with pytest.raises(expected):
        _go(name, c, customer, staff, clerk)
    c.refresh_from_db()
    assert c.status == state and acts.count() == events


@pytest.mark.parametrize(("name", "state"), allowed(JudicialConfirmation))
def test_transition_allowed(name, state, materials, customer, staff, court, clerk):
    c = _confirmation_in(state, materials, court, staff)
    _go(name, c, customer, staff, clerk)
    c.refresh_from_db()
    assert c.status == declared_transitions(JudicialConfirmation)[name][1]
