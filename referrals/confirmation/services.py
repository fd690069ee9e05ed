"""Judicial confirmation of mediation agreements, and the bank's performance afterwards.

The 30-day window (CPL 2023 art. 205; 人民调解法 art. 33) is counted per art. 85 on the
statutory calendar. The court's clocks: acceptance within 3 days, ruling within 15 days of
acceptance, 10 more with approval, 30 days as the ceiling (SPC 2011 arts. 4-5; CPL art. 187).
After confirmation: enforcement may be applied for within 2 years of the last day of
performance (CPL art. 250); an objection to the ruling within 15 days of receipt (CPL
interpretation art. 372).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from mediation.notify import case_url, parties
from mediation.services import disputes as dispute_services
from mediation.services.evidence import evidence_upload
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import OrganisationKind, PartnerOrganisation, User
from portal.notifications import notify_after_commit
from portal.periods import (
    CONFIRMATION_ACCEPTANCE,
    CONFIRMATION_DECISION,
    CONFIRMATION_DECISION_CEILING,
    CONFIRMATION_DECISION_EXTENDED,
    ENFORCEMENT_APPLICATION,
    JUDICIAL_CONFIRMATION_WINDOW,
    OBJECTION_TO_RULING,
)
from portal.transitions import ActionForbidden, run_transition
from referrals.confirmation import access as confirmation_access
from referrals.confirmation.lifecycle import NotAcceptedReason, RejectionGround
from referrals.documents import ConfirmationFormData, Party, render_confirmation_form
from referrals.models import FormStatus, JudicialConfirmation, MediationAgreement

log = logging.getLogger("portal.confirmations")

# "（2026）沪0115民特123号" or the older "（2026）沪0115法民调确字第12号".
CASE_NUMBER_RE = re.compile(r"^[（(]\d{4}[）)]\S*?(调确字?|民特)\S*?\d+号$")


def _transition(
    c: JudicialConfirmation,
    name: str,
    actor: User,
    *,
    before: Callable[[JudicialConfirmation], None] | None = None,
    reason: str = "",
) -> None:
    run_transition(
        c,
        name,
        actor=actor,
        case_ref=c.dispute.reference,
        action=f"confirmation.{name}",
        before=before,
        reason=reason,
        data={"confirmation": c.pk, "court": c.court.name},
    )


def _tell(c: JudicialConfirmation, event: str, **params: object) -> None:
    notify_after_commit(
        event,
        recipients=parties(c.dispute),
        case_ref=c.dispute.reference,
        url=case_url(c.dispute),
        params={"ref": c.dispute.reference, **params},
    )


def _lock(actor: User, pk: int) -> JudicialConfirmation:
    return confirmation_access.confirmation_get_for(actor, pk, for_update=True)


@transaction.atomic
def confirmation_start(
    *, actor: User, reference: str, court_id: int, filed_by_agent: bool = False
) -> JudicialConfirmation:
    """Prepare the joint application for the agreement reached on this case. The competent
    court (art. 205): where the mediation organisation is, or the court that invited it."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only bank staff handling this case prepare the application."))
    if dispute.status != DisputeStatus.AGREEMENT_REACHED:
        raise TransitionRefused(_("Judicial confirmation follows a mediation agreement."))
    agreement = (
        MediationAgreement.objects.filter(referral__dispute=dispute)
        .order_by("-recorded_at")
        .first()
    )
    if agreement is None:
        raise TransitionRefused(_("No mediation agreement is recorded on this case."))
    court = (
        PartnerOrganisation.objects.active()
        .filter(pk=court_id, kind=OrganisationKind.COURT)
        .first()
    )
    if court is None:
        raise ApplicationError(_("Choose one of the listed courts."))
    if timezone.localdate() > agreement.confirmation_window_ends:
        raise TransitionRefused(_("The 30-day window to apply has lapsed."))
    try:
        with transaction.atomic():
            confirmation = JudicialConfirmation.objects.create(
                dispute=dispute,
                agreement=agreement,
                court=court,
                agreement_document=agreement.document,
                terms=agreement.terms,
                effective_on=agreement.effective_on,
                window_ends=agreement.confirmation_window_ends,
                filed_by_agent=filed_by_agent,
                created_by=actor,
            )
    except IntegrityError as exc:
        raise TransitionRefused(_("An application is already in progress.")) from exc
    audit_record(
        actor=actor,
        action="confirmation.started",
        target=confirmation,
        case_ref=reference,
        data={"court": court.name},
    )
    return confirmation


@transaction.atomic
def confirmation_consent(*, actor: User, confirmation_id: int) -> JudicialConfirmation:
    """Each party agrees to apply jointly (人民调解法 art. 33)."""
    c = _lock(actor, confirmation_id)
    if c.status != "preparing":
        raise TransitionRefused(_("The application has already left preparation."))
    now = timezone.now()
    if dispute_access.is_dispute_customer(actor, c.dispute):
        c.customer_consent_at = c.customer_consent_at or now
    elif dispute_access.can_handle_dispute(actor, c.dispute):
        c.bank_consent_at = c.bank_consent_at or now
    else:
        raise ActionForbidden(_("Only the parties agree to apply."))
    c.save(update_fields=["customer_consent_at", "bank_consent_at", "updated_at"])
    audit_record(
        actor=actor, action="confirmation.consented", target=c, case_ref=c.dispute.reference
    )
    return c


def _enqueue_form(confirmation_id: int) -> None:
    from referrals.confirmation.tasks import build_confirmation_form

    build_confirmation_form.enqueue(confirmation_id)


@transaction.atomic
def confirmation_request_form(*, actor: User, confirmation_id: int) -> JudicialConfirmation:
    """Queue the application form; it is rendered by the task worker, never in a request."""
    c = _lock(actor, confirmation_id)
    if not dispute_access.can_handle_dispute(actor, c.dispute):
        raise ActionForbidden(_("Only bank staff handling this case prepare the application."))
    if c.status != "preparing":
        raise TransitionRefused(_("The application has already left preparation."))
    c.form_status, c.form_error = FormStatus.QUEUED, ""
    c.save(update_fields=["form_status", "form_error", "updated_at"])
    transaction.on_commit(partial(_enqueue_form, c.pk))
    return c


def confirmation_form_data(c: JudicialConfirmation) -> ConfirmationFormData:
    dispute, customer = c.dispute, c.dispute.customer
    referral = c.agreement.referral
    materials = [
        _("Mediation agreement"),
        _("Proof of mediation by the centre"),
        _("Identity documents of both parties"),
        _("Contact details of both parties"),
    ]
    if c.filed_by_agent:
        materials.append(_("Power of attorney"))
    return ConfirmationFormData(
        court=c.court.name,
        applicants=[
            Party(
                role="申请人",
                name=customer.display_name,
                id_number=customer.id_number,
                contact=customer.mobile or customer.email,
            ),
            Party(
                role="申请人", name=f"本行（{dispute.branch.name}）", contact=dispute.branch.name
            ),
        ],
        agent=c.filed_by_agent,
        mediation_centre=referral.organisation.name,
        mediator=referral.mediator.display_name if referral.mediator else "",
        agreement_effective_on=c.effective_on,
        terms=c.terms,
        amount=f"{c.agreement.amount:,.2f}",
        performance_due=c.agreement.performance_due,
        case_reference=dispute.reference,
        materials=[str(m) for m in materials],
        generated_at=timezone.localtime(),
    )


def confirmation_form_generate(*, confirmation_id: int) -> None:
    """Render and store the application form (run by the task worker)."""
    with transaction.atomic():
        c = JudicialConfirmation.objects.select_for_update().filter(pk=confirmation_id).first()
        if c is None or c.form_status != FormStatus.QUEUED:
            return
    c = JudicialConfirmation.objects.select_related(
        "dispute",
        "dispute__customer",
        "dispute__branch",
        "court",
        "agreement",
        "agreement__referral",
        "agreement__referral__organisation",
        "agreement__referral__mediator",
    ).get(pk=confirmation_id)
    try:
        pdf = render_confirmation_form(confirmation_form_data(c))
        name = default_storage.save(
            f"confirmations/{c.dispute.reference}/application-{c.pk}.pdf", ContentFile(pdf)
        )
    except Exception as exc:
        log.exception("confirmation form %s failed", confirmation_id)
        JudicialConfirmation.objects.filter(pk=confirmation_id).update(
            form_status=FormStatus.FAILED, form_error=f"{type(exc).__name__}: {exc}"[:500]
        )
        return
    with transaction.atomic():
        locked = JudicialConfirmation.objects.select_for_update().get(pk=confirmation_id)
        locked.application_pdf.name = name
        locked.application_sha256 = hashlib.sha256(pdf).hexdigest()
        locked.form_status = FormStatus.READY
        locked.save(
            update_fields=["application_pdf", "application_sha256", "form_status", "updated_at"]
        )
        audit_record(
            actor=None,
            action="confirmation.form_generated",
            target=locked,
            case_ref=locked.dispute.reference,
            data={"sha256": locked.application_sha256},
        )


@transaction.atomic
def confirmation_file(
    *, actor: User, confirmation_id: int, filed_on: date | None = None
) -> JudicialConfirmation:
    """File the joint application: both consents, within the window, materials complete."""
    c = _lock(actor, confirmation_id)
    filed_on = filed_on or timezone.localdate()

    def check(conf: JudicialConfirmation) -> None:
        if not (conf.customer_consent_at and conf.bank_consent_at):
            raise ApplicationError(
                _("Both parties must agree to apply jointly first."), code="no_joint_consent"
            )
        if filed_on > conf.window_ends:
            raise ApplicationError(
                _("The window closed on %(d)s: confirmation can no longer be applied for.")
                % {"d": conf.window_ends},
                code="window_lapsed",
            )
        missing = conf.missing_materials()
        if missing:
            raise ApplicationError(
                _("Still missing: %(list)s.") % {"list": "、".join(missing)},
                code="materials_missing",
            )
        conf.filed_on = filed_on
        conf.acceptance_due = CONFIRMATION_ACCEPTANCE.end(filed_on)

    _transition(c, "file", actor, before=check)
    return c


@transaction.atomic
def confirmation_accept(
    *, actor: User, confirmation_id: int, accepted_on: date, case_number: str
) -> JudicialConfirmation:
    c = _lock(actor, confirmation_id)
    case_number = case_number.strip()
    if not CASE_NUMBER_RE.match(case_number):
        raise ApplicationError(
            _(
                "Give the court's case number, e.g. （2026）沪0115民特123号 or "
                "（2026）沪0115法民调确字第12号."
            )
        )
    if c.filed_on and accepted_on < c.filed_on:
        raise ApplicationError(_("Acceptance cannot come before filing."))

    def prepare(conf: JudicialConfirmation) -> None:
        conf.accepted_on = accepted_on
        conf.case_number = case_number
        conf.decision_due = CONFIRMATION_DECISION.end(accepted_on)
        conf.decision_ceiling = CONFIRMATION_DECISION_CEILING.end(accepted_on)

    _transition(c, "accept", actor, before=prepare)
    _tell(c, "court_accepted", number=c.case_number, due=c.decision_due)
    return c


@transaction.atomic
def confirmation_extend_review(
    *, actor: User, confirmation_id: int, reason: str
) -> JudicialConfirmation:
    """10 more days with the court president's approval, once (SPC 2011 art. 5)."""
    c = _lock(actor, confirmation_id)
    if not confirmation_access.can_act_for_court(actor, c):
        raise ActionForbidden(_("Only the court (or the bank for a paper file) records this."))
    if c.status != "accepted" or c.decision_extended or c.accepted_on is None:
        raise TransitionRefused(_("The ruling period can be extended once, after acceptance."))
    if not reason.strip():
        raise ApplicationError(_("Record the approval for the extension."))
    c.decision_due = min(
        CONFIRMATION_DECISION_EXTENDED.end(c.accepted_on), c.decision_ceiling or date.max
    )
    c.decision_extended = True
    c.save(update_fields=["decision_due", "decision_extended", "updated_at"])
    audit_record(
        actor=actor,
        action="confirmation.review_extended",
        target=c,
        case_ref=c.dispute.reference,
        reason=reason,
    )
    return c


@transaction.atomic
def confirmation_not_accept(
    *, actor: User, confirmation_id: int, reason: str, note: str = ""
) -> JudicialConfirmation:
    c = _lock(actor, confirmation_id)
    if reason not in NotAcceptedReason.values:
        raise ApplicationError(_("Choose the ground (CPL interpretation art. 355)."))

    def prepare(conf: JudicialConfirmation) -> None:
        conf.not_accepted_reason, conf.note = reason, note.strip()

    _transition(c, "not_accept", actor, before=prepare, reason=note)
    return c


def _ruling(
    actor: User,
    c: JudicialConfirmation,
    *,
    ruling_number: str,
    ruling_on: date,
    received_on: date,
    upload: IO[bytes] | None,
    file_name: str,
    size: int | None,
) -> None:
    if not ruling_number.strip():
        raise ApplicationError(_("Give the ruling's number."))
    if received_on < ruling_on or received_on > timezone.localdate():
        raise ApplicationError(
            _("The ruling is received on or after its date, and not in the future.")
        )
    c.ruling_number, c.ruling_on, c.ruling_received_on = (
        ruling_number.strip(),
        ruling_on,
        received_on,
    )
    c.objection_until = OBJECTION_TO_RULING.end(received_on)
    if upload is not None:
        c.ruling_document = evidence_upload(
            actor=actor,
            reference=c.dispute.reference,
            upload=upload,
            original_name=file_name,
            declared_size=size,
            title=_("Court ruling %(n)s") % {"n": c.ruling_number},
            category="ruling",
        )


@transaction.atomic
def confirmation_confirm(
    *,
    actor: User,
    confirmation_id: int,
    ruling_number: str,
    ruling_on: date,
    received_on: date,
    upload: IO[bytes] | None = None,
    file_name: str = "",
    size: int | None = None,
) -> JudicialConfirmation:
    c = _lock(actor, confirmation_id)

    def prepare(conf: JudicialConfirmation) -> None:
        _ruling(
            actor,
            conf,
            ruling_number=ruling_number,
            ruling_on=ruling_on,
            received_on=received_on,
            upload=upload,
            file_name=file_name,
            size=size,
        )
        conf.enforcement_until = ENFORCEMENT_APPLICATION.end(conf.agreement.performance_due)

    _transition(c, "confirm", actor, before=prepare)
    _tell(c, "court_ruling", number=c.ruling_number, outcome=_("agreement confirmed"))
    return c


@transaction.atomic
def confirmation_reject(
    *,
    actor: User,
    confirmation_id: int,
    ground: str,
    ruling_number: str,
    ruling_on: date,
    received_on: date,
    note: str = "",
    upload: IO[bytes] | None = None,
    file_name: str = "",
    size: int | None = None,
) -> JudicialConfirmation:
    c = _lock(actor, confirmation_id)
    if ground not in RejectionGround.values:
        raise ApplicationError(_("Choose the ground (CPL interpretation art. 358)."))

    def prepare(conf: JudicialConfirmation) -> None:
        _ruling(
            actor,
            conf,
            ruling_number=ruling_number,
            ruling_on=ruling_on,
            received_on=received_on,
            upload=upload,
            file_name=file_name,
            size=size,
        )
        conf.rejection_ground, conf.note = ground, note.strip()

    _transition(c, "reject", actor, before=prepare, reason=note)
    _tell(c, "court_ruling", number=c.ruling_number, outcome=_("application rejected"))
    return c


@transaction.atomic
def confirmation_withdraw(
    *, actor: User, confirmation_id: int, reason: str
) -> JudicialConfirmation:
    c = _lock(actor, confirmation_id)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the withdrawal."))
    _transition(c, "withdraw", actor, reason=reason)
    return c


@transaction.atomic
def confirmation_amend_agreement(
    *,
    actor: User,
    confirmation_id: int,
    upload: IO[bytes] | None,
    terms: str,
    effective_on: date | None,
    file_name: str = "",
    size: int | None = None,
    reason: str = "",
) -> JudicialConfirmation:
    """After a rejection the parties may amend the agreement and apply again (CPL art. 206):
    the rejected application closes and a new one starts, with its own 30-day window from the
    amended agreement's effective date. Returns the new application."""
    c = _lock(actor, confirmation_id)
    ref = c.dispute.reference
    if upload is None or not terms.strip() or effective_on is None:
        raise ApplicationError(_("Upload the amended agreement, its terms and its date."))
    if effective_on > timezone.localdate():
        raise ApplicationError(_("The agreement cannot take effect in the future."))
    _transition(c, "amend_agreement", actor, reason=reason)
    document = evidence_upload(
        actor=actor,
        reference=ref,
        upload=upload,
        original_name=file_name,
        declared_size=size,
        title=_("Amended mediation agreement"),
        category="agreement",
    )
    new = JudicialConfirmation.objects.create(
        dispute=c.dispute,
        agreement=c.agreement,
        previous=c,
        court=c.court,
        agreement_document=document,
        terms=terms.strip(),
        effective_on=effective_on,
        window_ends=JUDICIAL_CONFIRMATION_WINDOW.end(effective_on),
        filed_by_agent=c.filed_by_agent,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="confirmation.started",
        target=new,
        case_ref=ref,
        data={"court": c.court.name, "amended_from": c.pk},
    )
    return new


@transaction.atomic
def confirmation_mediate_again(
    *, actor: User, confirmation_id: int, reason: str = ""
) -> JudicialConfirmation:
    """After a rejection the parties may mediate again (CPL art. 206): the application closes
    and the dispute goes back to mediation."""
    c = _lock(actor, confirmation_id)
    _transition(c, "mediate_again", actor, reason=reason)
    dispute_services.dispute_mediate_again(
        actor=actor, reference=c.dispute.reference, reason=reason
    )
    return c


@transaction.atomic
def confirmation_sue(
    *, actor: User, confirmation_id: int, reason: str = ""
) -> JudicialConfirmation:
    """After a rejection a party may sue (CPL art. 206): the application closes and the dispute
    goes to litigation."""
    c = _lock(actor, confirmation_id)
    _transition(c, "sue", actor, reason=reason)
    dispute_services.dispute_start_litigation(
        actor=actor, reference=c.dispute.reference, reason=reason
    )
    return c


@transaction.atomic
def performance_record(
    *,
    actor: User,
    confirmation_id: int,
    paid_on: date,
    amount: Decimal,
    upload: IO[bytes],
    file_name: str,
    size: int | None,
) -> JudicialConfirmation:
    """The bank records that it paid what the confirmed agreement requires, with proof."""
    c = _lock(actor, confirmation_id)
    if not dispute_access.can_handle_dispute(actor, c.dispute):
        raise ActionForbidden(_("Only bank staff handling this case record the payment."))
    if c.status != "confirmed":
        raise TransitionRefused(_("Payment is recorded against a confirmed agreement."))
    if c.paid_on is not None:
        raise TransitionRefused(_("The payment is already recorded."))
    if paid_on > timezone.localdate():
        raise ApplicationError(_("The payment date cannot be in the future."))
    if amount < c.agreement.amount:
        raise ApplicationError(
            _("The amount paid is less than the agreed %(a)s yuan.")
            % {"a": f"{c.agreement.amount:,.2f}"}
        )
    c.payment_proof = evidence_upload(
        actor=actor,
        reference=c.dispute.reference,
        upload=upload,
        original_name=file_name,
        declared_size=size,
        title=_("Proof of payment"),
        category="payment_proof",
    )
    c.paid_on, c.paid_amount = paid_on, amount
    c.save(update_fields=["paid_on", "paid_amount", "payment_proof", "updated_at"])
    audit_record(
        actor=actor,
        action="confirmation.performed",
        target=c,
        case_ref=c.dispute.reference,
        data={"amount": str(amount), "paid_on": str(paid_on)},
    )
    return c


def confirmation_requeue_stale_forms(*, now: datetime | None = None) -> int:
    """Requeue application forms whose task was lost (a crashed worker). Idempotent."""
    cutoff = (now or timezone.now()) - timedelta(minutes=15)
    stale = list(
        JudicialConfirmation.objects.filter(
            form_status=FormStatus.QUEUED, updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in stale:
        JudicialConfirmation.objects.filter(pk=pk).update(updated_at=timezone.now())
        transaction.on_commit(partial(_enqueue_form, pk))
    return len(stale)
