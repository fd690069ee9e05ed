"""Referrals to mediation centres, from draft to outcome.

Each service locks the referral, runs its transition (portal/transitions.py) and moves the
dispute through the dispute services, so the dispute's state always follows the referral's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute
from mediation.notify import branch_staff, case_url, parties
from mediation.services import disputes as dispute_services
from mediation.services.evidence import evidence_upload
from portal import access as portal_access
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import OrganisationKind, PartnerOrganisation, PartnerRole, User
from portal.notifications import notify_after_commit
from portal.notifications.audience import organisation_members
from portal.periods import JUDICIAL_CONFIRMATION_WINDOW, MEDIATOR_ASSIGNMENT, agreed_period
from portal.transitions import ActionForbidden, run_transition
from referrals.centres import access as referral_access
from referrals.models import (
    Bundle,
    BundleStatus,
    MediationAgreement,
    MediationExtension,
    MediationSession,
    MediatorProposal,
    ProposalAnswer,
    Referral,
)
from referrals.webhooks.services import webhook_emit


def _lock(actor: User, referral_id: int) -> Referral:
    return referral_access.referral_get_for(actor, referral_id, for_update=True)


def _transition(
    referral: Referral,
    name: str,
    actor: User,
    *,
    before: Callable[[Referral], None] | None = None,
    reason: str = "",
) -> Referral:
    return run_transition(
        referral,
        name,
        actor=actor,
        case_ref=referral.dispute.reference,
        action=f"referral.{name}",
        before=before,
        reason=reason,
        data={"referral": referral.pk, "organisation": referral.organisation.name},
    )


def _tell(referral: Referral, event: str, recipients: list[User], **params: object) -> None:
    dispute = referral.dispute
    notify_after_commit(
        event,
        recipients=recipients,
        case_ref=dispute.reference,
        url=case_url(dispute),
        params={"ref": dispute.reference, "org": referral.organisation.name, **params},
    )


def _tell_agreement(agreement: MediationAgreement) -> None:
    _tell(
        agreement.referral,
        "agreement_recorded",
        parties(agreement.referral.dispute),
        effective=agreement.effective_on,
        window=agreement.confirmation_window_ends,
    )


def _partner_only(referral: Referral, actor: User) -> None:
    if not referral_access.is_referral_partner(actor, referral):
        raise ActionForbidden(_("Only members of the mediation centre can do this."))


@transaction.atomic
def referral_create(*, actor: User, reference: str, organisation_id: int) -> Referral:
    """A draft referral to a partner mediation centre. Nothing is disclosed yet: the customer is
    asked to consent to disclosure to this centre if they have not already."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only bank staff handling this case can refer it."))
    if dispute.status != DisputeStatus.FAST_LANE:
        raise TransitionRefused(_("Only a case in the mediation fast lane can be referred."))
    centre = (
        PartnerOrganisation.objects.active()
        .filter(pk=organisation_id, kind=OrganisationKind.MEDIATION_CENTRE)
        .first()
    )
    if centre is None:
        raise ApplicationError(_("Choose one of the listed mediation centres."))
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                dispute=dispute, organisation=centre, created_by=actor
            )
    except IntegrityError as exc:
        raise TransitionRefused(_("This case already has an open referral.")) from exc
    audit_record(
        actor=actor,
        action="referral.created",
        target=referral,
        case_ref=dispute.reference,
        data={"organisation": centre.name},
    )
    return referral


@transaction.atomic
def referral_send(*, actor: User, referral_id: int, bundle_id: int | None = None) -> Referral:
    """Send the case to the centre with a bundle version (or the case file when no bundle was
    made). Needs the customer's consent naming the centre (PIPL art. 23). A mediator is due
    within 3 working days (在线调解规则 arts. 11-12)."""
    referral = _lock(actor, referral_id)
    bundle = None
    if bundle_id is not None:
        bundle = Bundle.objects.filter(
            pk=bundle_id,
            dispute=referral.dispute,
            status=BundleStatus.READY,
            recipient_kind=OrganisationKind.MEDIATION_CENTRE,
        ).first()
        if bundle is None or bundle.organisation_id not in (None, referral.organisation_id):
            raise ApplicationError(_("Choose a ready mediation-centre bundle of this case."))

    def prepare(r: Referral) -> None:
        if not r.consent_in_force():
            raise ApplicationError(
                _("The customer has not consented to disclosure to this organisation."),
                code="no_disclosure_consent",
            )
        now = timezone.now()
        r.sent_at = now
        r.assignment_due = MEDIATOR_ASSIGNMENT.end(timezone.localdate(now))
        r.bundle = bundle

    _transition(referral, "send", actor, before=prepare)
    dispute_services.dispute_refer(
        actor=actor, reference=referral.dispute.reference, organisation_id=referral.organisation_id
    )
    _tell(
        referral,
        "referral_sent",
        [referral.dispute.customer, *organisation_members(referral.organisation_id)],
    )
    webhook_emit(
        "referral.sent",
        organisation_id=referral.organisation_id,
        payload={
            "referral": referral.pk,
            "case": referral.dispute.reference,
            "bundle_version": referral.bundle.version if referral.bundle else None,
        },
    )
    return referral


@transaction.atomic
def referral_acknowledge(*, actor: User, referral_id: int) -> Referral:
    referral = _lock(actor, referral_id)

    def stamp(r: Referral) -> None:
        r.acknowledged_at = timezone.now()

    return _transition(referral, "acknowledge", actor, before=stamp)


@transaction.atomic
def referral_accept(
    *, actor: User, referral_id: int, mediator_id: int, accepted_on: date | None = None
) -> Referral:
    """Assign a mediator; the 30-day mediation period runs from this acceptance."""
    referral = _lock(actor, referral_id)
    mediator = User.objects.filter(
        pk=mediator_id,
        role="partner",
        organisation_id=referral.organisation_id,
        partner_role=PartnerRole.MEDIATOR,
        is_active=True,
    ).first()
    if mediator is None:
        raise ApplicationError(_("Choose a mediator of this centre."))
    accepted_on = accepted_on or timezone.localdate()

    def assign(r: Referral) -> None:
        r.mediator = mediator
        r.accepted_at = timezone.now()

    _transition(referral, "accept", actor, before=assign)
    dispute = dispute_services.dispute_start_mediation(
        actor=actor, reference=referral.dispute.reference, accepted_on=accepted_on
    )
    referral.mediation_due = dispute.mediation_due
    referral.save(update_fields=["mediation_due"])
    _tell(
        referral,
        "referral_accepted",
        parties(referral.dispute),
        mediator=mediator.display_name,
        due=referral.mediation_due,
    )
    return referral


@transaction.atomic
def referral_decline(*, actor: User, referral_id: int, reason: str) -> Referral:
    referral = _lock(actor, referral_id)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for declining."))

    def note(r: Referral) -> None:
        r.reason = reason.strip()
        r.closed_at = timezone.now()

    _transition(referral, "decline", actor, before=note, reason=reason)
    dispute_services.dispute_return_to_lane(
        actor=actor, reference=referral.dispute.reference, reason=reason
    )
    _tell(referral, "referral_declined", parties(referral.dispute), reason=reason)
    return referral


@transaction.atomic
def referral_declare_conflicts(*, actor: User, referral_id: int, text: str) -> Referral:
    """The mediator's conflict-of-interest declaration, shown to the customer before the first
    session (特邀调解规定)."""
    referral = _lock(actor, referral_id)
    _partner_only(referral, actor)
    if not text.strip():
        raise ApplicationError(_("Write the declaration (or state that there is no conflict)."))
    if referral.sessions.exists():
        raise TransitionRefused(_("The declaration is made before the first session."))
    referral.conflict_declaration = text.strip()
    referral.conflict_declared_at = timezone.now()
    referral.save(update_fields=["conflict_declaration", "conflict_declared_at", "updated_at"])
    audit_record(
        actor=actor,
        action="referral.conflicts_declared",
        target=referral,
        case_ref=referral.dispute.reference,
    )
    return referral


@transaction.atomic
def session_schedule(
    *, actor: User, referral_id: int, starts_at: datetime, mode: str, place: str
) -> MediationSession:
    referral = _lock(actor, referral_id)
    _partner_only(referral, actor)
    if referral.status != "accepted":
        raise TransitionRefused(_("Sessions are scheduled once the centre accepted the case."))
    if not referral.conflict_declared_at:
        raise ApplicationError(
            _(
                "Record the conflict-of-interest declaration first: the "
                "customer sees it before the first session."
            )
        )
    if starts_at <= timezone.now():
        raise ApplicationError(_("Choose a time in the future."))
    if not place.strip():
        raise ApplicationError(_("Give the place, the link or the phone arrangement."))
    session = MediationSession.objects.create(
        referral=referral, starts_at=starts_at, mode=mode, place=place.strip(), created_by=actor
    )
    audit_record(
        actor=actor,
        action="session.scheduled",
        target=session,
        case_ref=referral.dispute.reference,
        data={"starts_at": starts_at.isoformat(), "mode": mode},
    )
    _tell(
        referral,
        "session_scheduled",
        parties(referral.dispute),
        when=timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M"),
        mode=session.get_mode_display(),
        place=session.place,
    )
    return session


def _session_for_partner(actor: User, session_id: int) -> MediationSession:
    session = MediationSession.objects.select_related("referral").filter(pk=session_id).first()
    if session is None:
        raise portal_access.refuse(actor, "session", session_id)
    referral = _lock(actor, session.referral_id)
    _partner_only(referral, actor)
    return MediationSession.objects.select_for_update().get(pk=session_id)


@transaction.atomic
def session_reschedule(
    *, actor: User, session_id: int, starts_at: datetime, place: str
) -> MediationSession:
    session = _session_for_partner(actor, session_id)
    if starts_at <= timezone.now():
        raise ApplicationError(_("Choose a time in the future."))
    old = session.starts_at
    session.starts_at = starts_at
    session.place = place.strip() or session.place
    session.save(update_fields=["starts_at", "place"])
    audit_record(
        actor=actor,
        action="session.moved",
        target=session,
        case_ref=session.referral.dispute.reference,
        data={"from": old.isoformat(), "to": starts_at.isoformat()},
    )
    _tell(
        session.referral,
        "session_moved",
        parties(session.referral.dispute),
        when=timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M"),
        place=session.place,
    )
    return session


@transaction.atomic
def session_record_notes(*, actor: User, session_id: int, notes: str) -> MediationSession:
    """The centre's own notes: never shown to the bank or the customer, and not copied into
    the audit log."""
    session = _session_for_partner(actor, session_id)
    session.notes = notes.strip()
    session.save(update_fields=["notes"])
    audit_record(
        actor=actor,
        action="session.notes_recorded",
        target=session,
        case_ref=session.referral.dispute.reference,
    )
    return session


@transaction.atomic
def extension_propose(
    *, actor: User, referral_id: int, days: int, reason: str
) -> MediationExtension:
    referral = _lock(actor, referral_id)
    _partner_only(referral, actor)
    if referral.status != "accepted":
        raise TransitionRefused(_("Only a mediation under way can be extended."))
    if not 1 <= days <= 30 or not reason.strip():
        raise ApplicationError(_("Give 1 to 30 extra days and the reason."))
    if referral.extensions.filter(applied_at__isnull=True).exists():
        raise ApplicationError(_("An extension is already awaiting the parties' consent."))
    extension = MediationExtension.objects.create(
        referral=referral, days=days, reason=reason.strip(), proposed_by=actor
    )
    audit_record(
        actor=actor,
        action="extension.proposed",
        target=extension,
        case_ref=referral.dispute.reference,
        data={"days": days},
    )
    return extension


@transaction.atomic
def extension_consent(*, actor: User, extension_id: int) -> MediationExtension:
    """Each party consents separately; the period is extended only once both have (在线调解
    规则 art. 20)."""
    extension = MediationExtension.objects.filter(pk=extension_id).first()
    if extension is None:
        raise portal_access.refuse(actor, "extension", extension_id)
    referral = _lock(actor, extension.referral_id)
    extension = MediationExtension.objects.select_for_update().get(pk=extension_id)
    dispute = referral.dispute
    now = timezone.now()
    if extension.applied_at is not None:
        raise ApplicationError(_("This extension is already in effect."))
    if dispute_access.is_dispute_customer(actor, dispute):
        extension.customer_consent_at = extension.customer_consent_at or now
    elif dispute_access.can_handle_dispute(actor, dispute):
        extension.bank_consent_at = extension.bank_consent_at or now
        extension.bank_consent_by = actor
    else:
        raise ActionForbidden(_("Only the customer and the bank consent to an extension."))
    if extension.customer_consent_at and extension.bank_consent_at:
        if referral.status != "accepted" or dispute.mediation_due is None:
            raise TransitionRefused(_("Only a mediation under way can be extended."))
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        assert locked.mediation_due is not None
        new_due = agreed_period(
            extension.days, cite="特邀调解规定 art. 27 (extension by both parties' consent)"
        ).end(locked.mediation_due)
        locked.mediation_due = new_due
        locked.next_deadline = locked.compute_next_deadline()
        locked.save(update_fields=["mediation_due", "next_deadline", "updated_at"])
        referral.mediation_due = new_due
        referral.save(update_fields=["mediation_due", "updated_at"])
        extension.applied_at, extension.new_due = now, new_due
    extension.save()
    audit_record(
        actor=actor,
        action="extension.consented",
        target=extension,
        case_ref=dispute.reference,
        data={"applied": extension.applied_at is not None, "new_due": str(extension.new_due or "")},
    )
    return extension


def _agreement_window(effective_on: date) -> date:
    """30 days from the agreement's effective date (CPL 2023 art. 205; 人民调解法 art. 33)."""
    return JUDICIAL_CONFIRMATION_WINDOW.end(effective_on)


@transaction.atomic
def agreement_record(
    *,
    actor: User,
    referral_id: int,
    upload: IO[bytes],
    file_name: str,
    size: int | None,
    amount: Decimal,
    terms: str,
    performance_due: date,
    effective_on: date,
) -> MediationAgreement:
    """The signed agreement takes effect when both parties and the mediator have signed and
    the centre has sealed it (人民调解法 arts. 29-30); its date starts the 30-day window to ask
    a court to confirm it."""
    referral = _lock(actor, referral_id)
    if not referral_access.can_record_referral_outcome(actor, referral):
        raise ActionForbidden(_("Only the centre (or the bank for a paper file) records this."))
    if referral.status != "accepted":
        raise TransitionRefused(_("An agreement is recorded while the mediation is under way."))
    if effective_on > timezone.localdate():
        raise ApplicationError(_("The agreement cannot take effect in the future."))
    if performance_due < effective_on:
        raise ApplicationError(_("The performance deadline is before the agreement's date."))
    if amount < 0 or not terms.strip():
        raise ApplicationError(_("Give the amount the bank pays and the terms."))
    document = evidence_upload(
        actor=actor,
        reference=referral.dispute.reference,
        upload=upload,
        original_name=file_name,
        declared_size=size,
        title=_("Signed mediation agreement"),
        category="agreement",
    )
    agreement = MediationAgreement.objects.create(
        referral=referral,
        document=document,
        amount=amount,
        terms=terms.strip(),
        performance_due=performance_due,
        effective_on=effective_on,
        confirmation_window_ends=_agreement_window(effective_on),
        recorded_by=actor,
    )

    def close(r: Referral) -> None:
        r.closed_at = timezone.now()

    _transition(referral, "record_agreement", actor, before=close)
    dispute_services.dispute_reach_agreement(actor=actor, reference=referral.dispute.reference)
    _tell_agreement(agreement)
    return agreement


def is_binding_on_bank(amount: Decimal) -> bool:
    """Below the bank's pre-commitment amount, the bank is bound by a mediator's proposal the
    customer accepts (金发〔2025〕14号). "Below" is strict: at the threshold the bank answers."""
    return amount < Decimal(settings.BANK_PRE_COMMITMENT_THRESHOLD)


@transaction.atomic
def proposal_make(
    *, actor: User, referral_id: int, amount: Decimal, terms: str, performance_due: date
) -> MediatorProposal:
    referral = _lock(actor, referral_id)
    _partner_only(referral, actor)
    if referral.status != "accepted":
        raise TransitionRefused(_("A proposal is made while the mediation is under way."))
    if amount < 0 or not terms.strip():
        raise ApplicationError(_("Give the amount the bank pays and the terms."))
    if performance_due < timezone.localdate():
        raise ApplicationError(_("The performance deadline cannot be in the past."))
    if any(p.is_pending for p in referral.proposals.all()):
        raise ApplicationError(_("An earlier proposal is still awaiting an answer."))
    proposal = MediatorProposal.objects.create(
        referral=referral,
        amount=amount,
        terms=terms.strip(),
        performance_due=performance_due,
        binding_on_bank=is_binding_on_bank(amount),
        threshold=Decimal(settings.BANK_PRE_COMMITMENT_THRESHOLD),
        proposed_by=actor,
    )
    audit_record(
        actor=actor,
        action="proposal.made",
        target=proposal,
        case_ref=referral.dispute.reference,
        data={"amount": str(amount), "binding": proposal.binding_on_bank},
    )
    answering = [referral.dispute.customer]
    if not proposal.binding_on_bank:
        answering += branch_staff(referral.dispute)
    _tell(referral, "proposal_awaiting", answering, amount=f"{amount:,.2f}")
    return proposal


@transaction.atomic
def proposal_answer(*, actor: User, proposal_id: int, accept: bool) -> MediatorProposal:
    """The customer accepts or refuses online. A binding proposal accepted by the customer
    ends the mediation with an agreement; otherwise the bank must accept it too."""
    found = MediatorProposal.objects.filter(pk=proposal_id).first()
    if found is None:
        raise portal_access.refuse(actor, "proposal", proposal_id)
    referral = _lock(actor, found.referral_id)
    proposal = MediatorProposal.objects.select_for_update().get(pk=proposal_id)
    dispute = referral.dispute
    if referral.status != "accepted" or not proposal.is_pending:
        raise TransitionRefused(_("This proposal is no longer awaiting an answer."))
    answer = ProposalAnswer.ACCEPTED if accept else ProposalAnswer.REFUSED
    now = timezone.now()
    if dispute_access.is_dispute_customer(actor, dispute):
        if proposal.customer_answer != ProposalAnswer.PENDING:
            raise TransitionRefused(_("You have already answered this proposal."))
        proposal.customer_answer, proposal.customer_answered_at = answer, now
    elif dispute_access.can_handle_dispute(actor, dispute):
        if proposal.binding_on_bank:
            raise TransitionRefused(_("This proposal binds the bank: only the customer answers."))
        if proposal.bank_answer != ProposalAnswer.PENDING:
            raise TransitionRefused(_("The bank has already answered this proposal."))
        proposal.bank_answer, proposal.bank_answered_at = answer, now
    else:
        raise ActionForbidden(_("Only the parties answer a mediator's proposal."))
    proposal.save()
    audit_record(
        actor=actor,
        action=f"proposal.{answer}",
        target=proposal,
        case_ref=dispute.reference,
        data={"binding": proposal.binding_on_bank},
    )
    customer_yes = proposal.customer_answer == ProposalAnswer.ACCEPTED
    bank_yes = proposal.binding_on_bank or proposal.bank_answer == ProposalAnswer.ACCEPTED
    if customer_yes and bank_yes:
        today = timezone.localdate()
        MediationAgreement.objects.create(
            referral=referral,
            from_proposal=True,
            amount=proposal.amount,
            terms=proposal.terms,
            performance_due=proposal.performance_due,
            effective_on=today,
            confirmation_window_ends=_agreement_window(today),
            recorded_by=actor,
        )

        def close(r: Referral) -> None:
            r.closed_at = now

        _transition(referral, "accept_proposal", actor, before=close)
        dispute_services.dispute_reach_agreement(actor=actor, reference=dispute.reference)
        _tell_agreement(referral.agreement)
    return proposal


@transaction.atomic
def referral_fail(*, actor: User, referral_id: int, reason: str) -> Referral:
    referral = _lock(actor, referral_id)
    if not reason.strip():
        raise ApplicationError(_("Give the reason mediation failed."))

    def note(r: Referral) -> None:
        r.reason = reason.strip()
        r.closed_at = timezone.now()

    _transition(referral, "fail", actor, before=note, reason=reason)
    dispute_services.dispute_fail_mediation(
        actor=actor, reference=referral.dispute.reference, reason=reason
    )
    return referral


@transaction.atomic
def referral_withdraw(*, actor: User, referral_id: int, reason: str) -> Referral:
    """Withdrawn by the bank or at the customer's wish; the dispute goes back to the fast lane
    (not yet mediating) or is recorded as mediation failed (mediation under way)."""
    referral = _lock(actor, referral_id)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the withdrawal."))
    was = referral.status

    def note(r: Referral) -> None:
        r.reason = reason.strip()
        r.closed_at = timezone.now()

    _transition(referral, "withdraw", actor, before=note, reason=reason)
    ref = referral.dispute.reference
    dispute = Dispute.objects.get(pk=referral.dispute_id)
    if was == "accepted" and dispute.status == DisputeStatus.IN_MEDIATION:
        dispute_services.dispute_fail_mediation(actor=actor, reference=ref, reason=reason)
    elif dispute.status == DisputeStatus.REFERRED:
        dispute_services.dispute_return_to_lane(actor=actor, reference=ref, reason=reason)
    if was != "draft":
        webhook_emit(
            "referral.withdrawn",
            organisation_id=referral.organisation_id,
            payload={"referral": referral.pk, "case": ref, "reason": reason.strip()},
        )
    return referral
