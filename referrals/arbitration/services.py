"""Arbitration of suitability disputes, and litigation records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute, ProductCategory
from mediation.notify import parties
from mediation.services import disputes as dispute_services
from mediation.services.evidence import exhibit_staged
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import OrganisationKind, PartnerOrganisation, User
from portal.notifications import notify_after_commit
from portal.periods import (
    ARBITRATION_ACCEPTANCE,
    ARBITRATION_TARGET,
    AWARD_CORRECTION,
    AWARD_SET_ASIDE,
)
from portal.transitions import ActionForbidden, run_transition
from referrals.arbitration import access as arbitration_access
from referrals.arbitration.lifecycle import ArbitrationStatus
from referrals.models import ArbitrationCase, ArbitrationDecision, AwardKind, LitigationRecord


def _transition_and_tell(
    case: ArbitrationCase,
    name: str,
    actor: User,
    *,
    before: Callable[[ArbitrationCase], None] | None = None,
    reason: str = "",
) -> None:
    run_transition(
        case,
        name,
        actor=actor,
        before=before,
        reason=reason,
    )
    notify_after_commit(
        "arbitration_milestone",
        recipients=parties(case.dispute),
        case_ref=case.dispute.reference,
        url=case.dispute.get_absolute_url(),
        params={
            "ref": case.dispute.reference,
            "milestone": case.get_status_display(),
            "commission": case.commission.name,
        },
    )


def arbitration_start(
    *,
    actor: User,
    reference: str,
    commission_id: int,
    agreement_signed_on: date,
    upload: IO[bytes],
    file_name: str,
    size: int | None,
) -> ArbitrationCase:
    """Record the written arbitration agreement (Arbitration Law arts. 4, 16: needed, and it
    may be signed after the dispute arose). The fast route is for suitability disputes over
    wealth-management products. The rules are read before the agreement's file is stored (a
    clear refusal, nothing stored) and again under the case's lock."""
    _start_commission(
        actor, dispute_access.dispute_get_for(actor, reference), commission_id, agreement_signed_on
    )
    with (
        exhibit_staged(
            actor=actor,
            reference=reference,
            upload=upload,
            original_name=file_name,
            declared_size=size,
            title=_("Written arbitration agreement"),
            category="contract",
        ) as exhibit,
        transaction.atomic(),
    ):
        dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
        commission = _start_commission(actor, dispute, commission_id, agreement_signed_on)
        case = ArbitrationCase.objects.create(
            dispute=dispute,
            commission=commission,
            agreement_signed_on=agreement_signed_on,
            agreement_document=exhibit.record(),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="arbitration.agreement_recorded",
            target=case,
            case_ref=reference,
            data={"commission": commission.name},
        )
        return case


def _start_commission(
    actor: User, dispute: Dispute, commission_id: int, agreement_signed_on: date
) -> PartnerOrganisation:
    """The commission arbitration may start with on this case, or the refusal."""
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only bank staff handling this case can start arbitration."))
    if dispute.category != ProductCategory.WEALTH_MANAGEMENT:
        raise ApplicationError(
            _("The arbitration route is for wealth-management suitability disputes.")
        )
    if dispute.status not in (DisputeStatus.BANK_HANDLING, DisputeStatus.MEDIATION_FAILED):
        raise TransitionRefused(
            _("Arbitration starts from the bank's handling or after failed mediation.")
        )
    if dispute.arbitrations.exclude(status=ArbitrationStatus.WITHDRAWN).exists():
        raise TransitionRefused(_("This case already has an arbitration."))
    if agreement_signed_on > timezone.localdate():
        raise ApplicationError(_("The agreement cannot be signed in the future."))
    commission = (
        PartnerOrganisation.objects.active()
        .filter(pk=commission_id, kind=OrganisationKind.ARBITRATION_COMMISSION)
        .first()
    )
    if commission is None:
        raise ApplicationError(_("Choose one of the listed arbitration commissions."))
    return commission


def _lock(actor: User, case_id: int) -> ArbitrationCase:
    return arbitration_access.arbitration_get_for(actor, case_id, for_update=True)


@transaction.atomic
def arbitration_file(*, actor: User, case_id: int, filed_on: date) -> ArbitrationCase:
    """The commission decides on acceptance within 5 days (art. 24)."""
    case = _lock(actor, case_id)

    def prepare(c: ArbitrationCase) -> None:
        c.filed_on = filed_on
        c.acceptance_due = ARBITRATION_ACCEPTANCE.end(filed_on)

    _transition_and_tell(case, "file", actor, before=prepare)
    dispute_services.dispute_start_arbitration(
        actor=actor, reference=case.dispute.reference, reason=case.commission.name
    )
    return case


@transaction.atomic
def arbitration_accept(
    *, actor: User, case_id: int, accepted_on: date, case_number: str
) -> ArbitrationCase:
    case = _lock(actor, case_id)
    if not case_number.strip():
        raise ApplicationError(_("Give the commission's case number."))
    if case.filed_on and accepted_on < case.filed_on:
        raise ApplicationError(_("Acceptance cannot come before filing."))

    def prepare(c: ArbitrationCase) -> None:
        c.accepted_on = accepted_on
        c.case_number = case_number.strip()
        c.target_due = ARBITRATION_TARGET.end(accepted_on)

    _transition_and_tell(case, "accept", actor, before=prepare)
    return case


@transaction.atomic
def arbitration_decide(
    *,
    actor: User,
    case_id: int,
    kind: str,
    made_on: date,
    summary: str,
    amount: Decimal | None = None,
) -> ArbitrationDecision:
    """A partial award (先行裁决), the award, or a mediation document. An award takes effect
    when made; a correction may be asked within 30 days and setting aside within 3 months."""
    case = _lock(actor, case_id)
    if kind not in AwardKind.values:
        raise ApplicationError(_("Choose the kind of decision."))
    if not summary.strip():
        raise ApplicationError(_("Summarise the decision."))
    if made_on > timezone.localdate() or (case.accepted_on and made_on < case.accepted_on):
        raise ApplicationError(_("The date must be between acceptance and today."))
    name = {
        "partial": "partial_award",
        "final": "make_award",
        "mediation_document": "mediation_document",
    }[kind]

    def prepare(c: ArbitrationCase) -> None:
        if kind != AwardKind.PARTIAL:
            c.award_on = made_on
            c.correction_until = AWARD_CORRECTION.end(made_on)
            c.set_aside_until = AWARD_SET_ASIDE.end(made_on)

    _transition_and_tell(case, name, actor, before=prepare)
    return ArbitrationDecision.objects.create(
        case=case,
        kind=kind,
        made_on=made_on,
        summary=summary.strip(),
        amount=amount,
        recorded_by=actor,
    )


@transaction.atomic
def arbitration_withdraw(*, actor: User, case_id: int, reason: str) -> ArbitrationCase:
    case = _lock(actor, case_id)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the withdrawal."))
    _transition_and_tell(case, "withdraw", actor, reason=reason)
    return case


@transaction.atomic
def litigation_record(
    *,
    actor: User,
    reference: str,
    court_name: str,
    case_number: str,
    filed_on: date,
    note: str = "",
) -> LitigationRecord:
    """When mediation fails or a confirmation is rejected and a party sues: the court and case
    number, so the dispute's timeline stays whole (CPL art. 206)."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only bank staff handling this case can record this."))
    if not court_name.strip() or not case_number.strip():
        raise ApplicationError(_("Give the court and its case number."))
    if filed_on > timezone.localdate():
        raise ApplicationError(_("The filing date cannot be in the future."))
    if dispute.status != DisputeStatus.IN_LITIGATION:
        dispute_services.dispute_start_litigation(
            actor=actor, reference=reference, reason=f"{court_name} {case_number}"
        )
    record = LitigationRecord.objects.create(
        dispute=Dispute.objects.get(pk=dispute.pk),
        court_name=court_name.strip(),
        case_number=case_number.strip(),
        filed_on=filed_on,
        note=note.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="litigation.recorded",
        target=record,
        case_ref=reference,
        data={"court": court_name, "case_number": case_number},
    )
    return record
