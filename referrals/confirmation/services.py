"""The parties' side of judicial confirmation: starting the joint application, each party's
consent, filing, withdrawing, what follows a rejection (CPL art. 206), and the bank's payment.
The court's acts are in court.py; the application form in application_form.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import IO

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute
from mediation.notify import branch_staff, parties
from mediation.services import disputes as dispute_services
from mediation.services.evidence import exhibit_staged
from portal import binding
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import OrganisationKind, PartnerOrganisation, User
from portal.notifications import notify_after_commit
from portal.periods import (
    CONFIRMATION_ACCEPTANCE,
    JUDICIAL_CONFIRMATION_WINDOW,
)
from portal.transitions import ActionForbidden, check_transition, run_transition
from referrals.confirmation import access as confirmation_access
from referrals.confirmation.lifecycle import ConfirmationStatus
from referrals.models import JudicialConfirmation, MediationAgreement


def confirmation_tell(c: JudicialConfirmation, event: str, **params: object) -> None:
    notify_after_commit(
        event,
        recipients=parties(c.dispute),
        case_ref=c.dispute.reference,
        url=c.dispute.get_absolute_url(),
        params={"ref": c.dispute.reference, **params},
    )


def confirmation_lock(actor: User, pk: int) -> JudicialConfirmation:
    return confirmation_access.confirmation_get_for(actor, pk, for_update=True)


@transaction.atomic
def confirmation_start(
    *, actor: User, reference: str, court_id: int, filed_by_agent: bool = False
) -> JudicialConfirmation:
    """Bank staff prepare the joint application for the agreement reached on this case; the
    customer is asked to join it (their consent is a binding act: confirmation_join_confirmed)."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only bank staff handling this case prepare the application."))
    confirmation = _start(actor, dispute, court_id, filed_by_agent=filed_by_agent)
    notify_after_commit(
        "confirmation_join_customer",
        recipients=[dispute.customer],
        case_ref=reference,
        url=reverse("referrals:confirmation_join", args=[confirmation.pk]),
        params={
            "ref": reference,
            "court": confirmation.court.name,
            "window": confirmation.window_ends.isoformat(),
        },
    )
    return confirmation


def confirmation_court(court_id: int) -> PartnerOrganisation:
    """One of the listed courts (CPL art. 205: where the mediation organisation is, or the court
    that invited it)."""
    court = (
        PartnerOrganisation.objects.active()
        .filter(pk=court_id, kind=OrganisationKind.COURT)
        .first()
    )
    if court is None:
        raise ApplicationError(_("Choose one of the listed courts."))
    return court


def confirmation_agreement(dispute: Dispute) -> MediationAgreement:
    """The agreement an application on this case would ask the court to confirm."""
    if dispute.status != DisputeStatus.AGREEMENT_REACHED:
        raise TransitionRefused(_("Judicial confirmation follows a mediation agreement."))
    agreement = (
        MediationAgreement.objects.filter(referral__dispute=dispute)
        .select_related("referral__organisation")
        .order_by("-recorded_at")
        .first()
    )
    if agreement is None:
        raise TransitionRefused(_("No mediation agreement is recorded on this case."))
    if timezone.localdate() > agreement.confirmation_window_ends:
        raise TransitionRefused(_("The 30-day window to apply has lapsed."))
    return agreement


def _start(
    actor: User, dispute: Dispute, court_id: int, *, filed_by_agent: bool = False
) -> JudicialConfirmation:
    agreement = confirmation_agreement(dispute)
    court = confirmation_court(court_id)
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
        case_ref=dispute.reference,
        data={"court": court.name},
    )
    return confirmation


def confirmation_act_text(
    *, dispute: Dispute, agreement: MediationAgreement, court: PartnerOrganisation
) -> binding.ActText:
    """What the customer applying jointly for judicial confirmation reads in full and confirms
    (a binding act: the application goes to the court in both parties' names)."""
    return binding.ActText(
        kind="confirmation.apply",
        title=_("Joint application for judicial confirmation on case %(ref)s")
        % {"ref": dispute.reference},
        case_ref=dispute.reference,
        lines=[
            (_("Court"), court.name),
            (_("Mediation organisation"), agreement.referral.organisation.name),
            (_("The bank pays"), f"{agreement.amount:,.2f} {_('yuan')}"),
            (_("In capitals"), binding.rmb_upper(agreement.amount)),
            (_("Terms"), agreement.terms),
            (_("To be performed by"), agreement.performance_due.isoformat()),
            (_("Agreement took effect on"), agreement.effective_on.isoformat()),
            (_("Window to apply ends"), agreement.confirmation_window_ends.isoformat()),
        ],
        gives_up=[
            _(
                "you and the bank ask this court together to confirm the agreement above; the "
                "application is filed only once the bank has agreed too (CPL art. 205);"
            ),
            _(
                "if the court confirms it, the agreement is enforceable: if a party does not "
                "perform it, the other may apply to the court for enforcement (CPL art. 206);"
            ),
            _(
                "if the court rejects the application, you and the bank may change the agreement "
                "through mediation or make a new one, or go to court (CPL art. 206);"
            ),
            _(
                "your name, ID number and contact details go to the court with the application, "
                "as the court requires of each party."
            ),
        ],
    )


def _customer_agrees(
    actor: User, c: JudicialConfirmation, proof: binding.Reauthenticated, shown_sha256: str
) -> None:
    binding.record(
        actor=actor,
        act=confirmation_act_text(dispute=c.dispute, agreement=c.agreement, court=c.court),
        target=c,
        proof=proof,
        shown_sha256=shown_sha256,
    )
    c.customer_consent_at = c.customer_consent_at or timezone.now()
    c.save(update_fields=["customer_consent_at", "updated_at"])
    audit_record(
        actor=actor,
        action="confirmation.consented",
        target=c,
        case_ref=c.dispute.reference,
        data={"party": "customer"},
    )


@transaction.atomic
def confirmation_apply_confirmed(
    *,
    actor: User,
    reference: str,
    court_id: int,
    proof: binding.Reauthenticated,
    shown_sha256: str,
) -> JudicialConfirmation:
    """The customer starts the joint application online (a binding act) and the bank is asked
    to join it."""
    binding.check_proof(proof, actor)
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.is_dispute_customer(actor, dispute):
        raise ActionForbidden(_("Only the customer applies here; the bank joins on the case."))
    confirmation = _start(actor, dispute, court_id)
    _customer_agrees(actor, confirmation, proof, shown_sha256)
    notify_after_commit(
        "confirmation_join_bank",
        recipients=branch_staff(dispute),
        case_ref=reference,
        url=dispute.get_absolute_url() + "#confirmation",
        params={
            "ref": reference,
            "court": confirmation.court.name,
            "window": confirmation.window_ends.isoformat(),
        },
    )
    return confirmation


@transaction.atomic
def confirmation_join_confirmed(
    *, actor: User, confirmation_id: int, proof: binding.Reauthenticated, shown_sha256: str
) -> JudicialConfirmation:
    """The customer joins the application the bank prepared (a binding act)."""
    binding.check_proof(proof, actor)
    c = confirmation_lock(actor, confirmation_id)
    if not dispute_access.is_dispute_customer(actor, c.dispute):
        raise ActionForbidden(_("Only the customer joins here."))
    if c.status != ConfirmationStatus.PREPARING:
        raise TransitionRefused(_("The application has already left preparation."))
    if c.customer_consent_at is not None:
        raise TransitionRefused(_("You have already agreed to this application."))
    _customer_agrees(actor, c, proof, shown_sha256)
    return c


@transaction.atomic
def confirmation_consent(*, actor: User, confirmation_id: int) -> JudicialConfirmation:
    """The bank agrees to apply jointly (人民调解法 art. 33); the customer's agreement is a
    binding act (confirmation_join_confirmed, confirmation_apply_confirmed)."""
    c = confirmation_lock(actor, confirmation_id)
    if c.status != ConfirmationStatus.PREPARING:
        raise TransitionRefused(_("The application has already left preparation."))
    if dispute_access.is_dispute_customer(actor, c.dispute):
        # The customer's consent is a binding act, made on its own page with a code.
        binding.check_proof(None, actor)
    if not dispute_access.can_handle_dispute(actor, c.dispute):
        raise ActionForbidden(_("Only the parties agree to apply."))
    c.bank_consent_at = c.bank_consent_at or timezone.now()
    c.save(update_fields=["bank_consent_at", "updated_at"])
    audit_record(
        actor=actor,
        action="confirmation.consented",
        target=c,
        case_ref=c.dispute.reference,
        data={"party": "bank"},
    )
    return c


@transaction.atomic
def confirmation_file(
    *, actor: User, confirmation_id: int, filed_on: date | None = None
) -> JudicialConfirmation:
    """File the joint application: both consents, within the window, materials complete."""
    c = confirmation_lock(actor, confirmation_id)
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

    run_transition(c, "file", actor=actor, before=check)
    return c


@transaction.atomic
def confirmation_withdraw(
    *, actor: User, confirmation_id: int, reason: str
) -> JudicialConfirmation:
    c = confirmation_lock(actor, confirmation_id)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the withdrawal."))
    run_transition(c, "withdraw", actor=actor, reason=reason)
    return c


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
    amended agreement's effective date. Returns the new application. The rules are read before
    the amended agreement's file is stored; the transition reads the state again under the
    application's lock."""
    c = confirmation_access.confirmation_get_for(actor, confirmation_id)
    if upload is None or not terms.strip() or effective_on is None:
        raise ApplicationError(_("Upload the amended agreement, its terms and its date."))
    if effective_on > timezone.localdate():
        raise ApplicationError(_("The agreement cannot take effect in the future."))
    check_transition(c, "amend_agreement", actor=actor)
    with (
        exhibit_staged(
            actor=actor,
            reference=c.dispute.reference,
            upload=upload,
            original_name=file_name,
            declared_size=size,
            title=_("Amended mediation agreement"),
            category="agreement",
        ) as exhibit,
        transaction.atomic(),
    ):
        c = confirmation_lock(actor, confirmation_id)
        run_transition(c, "amend_agreement", actor=actor, reason=reason)  # the state again
        new = JudicialConfirmation.objects.create(
            dispute=c.dispute,
            agreement=c.agreement,
            previous=c,
            court=c.court,
            agreement_document=exhibit.record(),
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
            case_ref=c.dispute.reference,
            data={"court": c.court.name, "amended_from": c.pk},
        )
        return new


@transaction.atomic
def confirmation_mediate_again(
    *, actor: User, confirmation_id: int, reason: str = ""
) -> JudicialConfirmation:
    """After a rejection the parties may mediate again (CPL art. 206): the application closes
    and the dispute goes back to mediation."""
    c = confirmation_lock(actor, confirmation_id)
    run_transition(c, "mediate_again", actor=actor, reason=reason)
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
    c = confirmation_lock(actor, confirmation_id)
    run_transition(c, "sue", actor=actor, reason=reason)
    dispute_services.dispute_start_litigation(
        actor=actor, reference=c.dispute.reference, reason=reason
    )
    return c


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
    """The bank records that it paid what the confirmed agreement requires, with proof (its
    file stored before the application is locked; the rules read before and under the lock)."""
    c = confirmation_access.confirmation_get_for(actor, confirmation_id)
    _check_payment(actor, c, paid_on=paid_on, amount=amount)
    with (
        exhibit_staged(
            actor=actor,
            reference=c.dispute.reference,
            upload=upload,
            original_name=file_name,
            declared_size=size,
            title=_("Proof of payment"),
            category="payment_proof",
        ) as exhibit,
        transaction.atomic(),
    ):
        c = confirmation_lock(actor, confirmation_id)
        _check_payment(actor, c, paid_on=paid_on, amount=amount)
        c.payment_proof = exhibit.record()
        c.paid_on, c.paid_amount = paid_on, amount
        c.save(update_fields=["paid_on", "paid_amount", "payment_proof", "updated_at"])
        c.transition_saved()  # the performance clock stops
        audit_record(
            actor=actor,
            action="confirmation.performed",
            target=c,
            case_ref=c.dispute.reference,
            data={"amount": str(amount), "paid_on": str(paid_on)},
        )
        return c


def _check_payment(actor: User, c: JudicialConfirmation, *, paid_on: date, amount: Decimal) -> None:
    if not dispute_access.can_handle_dispute(actor, c.dispute):
        raise ActionForbidden(_("Only bank staff handling this case record the payment."))
    if c.status != ConfirmationStatus.CONFIRMED:
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
