"""Referrals to mediation centres, from draft to outcome (sessions and extensions are in
sessions.py, proposals and agreements in agreements.py).

Each service locks the referral, runs its transition (portal/transitions.py) and moves the
dispute through the dispute services, so the dispute's state always follows the referral's."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute
from mediation.notify import parties
from mediation.services import disputes as dispute_services
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import OrganisationKind, PartnerOrganisation, PartnerRole, User
from portal.notifications import notify_after_commit
from portal.notifications.audience import organisation_members
from portal.periods import MEDIATOR_ASSIGNMENT
from portal.transitions import ActionForbidden, check_transition, run_transition
from referrals.centres import access as referral_access
from referrals.models import (
    Bundle,
    BundleStatus,
    Referral,
)
from referrals.webhooks.services import webhook_emit


def referral_lock(actor: User, referral_id: int) -> Referral:
    return referral_access.referral_get_for(actor, referral_id, for_update=True)


def referral_tell(referral: Referral, event: str, recipients: list[User], **params: object) -> None:
    dispute = referral.dispute
    notify_after_commit(
        event,
        recipients=recipients,
        case_ref=dispute.reference,
        url=dispute.get_absolute_url(),
        params={"ref": dispute.reference, "org": referral.organisation.name, **params},
    )


def require_centre_member(referral: Referral, actor: User) -> None:
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
    referral = referral_lock(actor, referral_id)
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

    run_transition(referral, "send", actor=actor, before=prepare)
    dispute_services.dispute_refer(
        actor=actor, reference=referral.dispute.reference, organisation_id=referral.organisation_id
    )
    referral_tell(
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
    referral = referral_lock(actor, referral_id)

    def stamp(r: Referral) -> None:
        r.acknowledged_at = timezone.now()

    return run_transition(referral, "acknowledge", actor=actor, before=stamp)


@transaction.atomic
def referral_accept(
    *, actor: User, referral_id: int, mediator_id: int, accepted_on: date | None = None
) -> Referral:
    """Assign a mediator; the 30-day mediation period runs from this acceptance."""
    referral = referral_lock(actor, referral_id)
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

    run_transition(referral, "accept", actor=actor, before=assign)
    dispute = dispute_services.dispute_start_mediation(
        actor=actor, reference=referral.dispute.reference, accepted_on=accepted_on
    )
    referral.mediation_due = dispute.mediation_due
    referral.save(update_fields=["mediation_due"])
    referral_tell(
        referral,
        "referral_accepted",
        parties(referral.dispute),
        mediator=mediator.display_name,
        due=referral.mediation_due,
    )
    return referral


@transaction.atomic
def referral_decline(*, actor: User, referral_id: int, reason: str) -> Referral:
    referral = referral_lock(actor, referral_id)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for declining."))

    def note(r: Referral) -> None:
        r.reason = reason.strip()
        r.closed_at = timezone.now()

    # The case first (the centre sees it only while the referral is live: centres/access.py),
    # once this referral's own step is known to be allowed.
    check_transition(referral, "decline", actor=actor)
    dispute_services.dispute_return_to_lane(
        actor=actor, reference=referral.dispute.reference, reason=reason
    )
    run_transition(referral, "decline", actor=actor, before=note, reason=reason)
    referral_tell(referral, "referral_declined", parties(referral.dispute), reason=reason)
    return referral


@transaction.atomic
def referral_declare_conflicts(*, actor: User, referral_id: int, text: str) -> Referral:
    """The mediator's conflict-of-interest declaration, shown to the customer before the first
    session (特邀调解规定)."""
    referral = referral_lock(actor, referral_id)
    require_centre_member(referral, actor)
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
def referral_fail(*, actor: User, referral_id: int, reason: str) -> Referral:
    referral = referral_lock(actor, referral_id)
    if not reason.strip():
        raise ApplicationError(_("Give the reason mediation failed."))

    def note(r: Referral) -> None:
        r.reason = reason.strip()
        r.closed_at = timezone.now()

    # The case first (the centre sees it only while the referral is live: centres/access.py),
    # once this referral's own step is known to be allowed.
    check_transition(referral, "fail", actor=actor)
    dispute_services.dispute_fail_mediation(
        actor=actor, reference=referral.dispute.reference, reason=reason
    )
    run_transition(referral, "fail", actor=actor, before=note, reason=reason)
    return referral


@transaction.atomic
def referral_withdraw(*, actor: User, referral_id: int, reason: str) -> Referral:
    """Withdrawn by the bank or at the customer's wish; the dispute goes back to the fast lane
    (not yet mediating) or is recorded as mediation failed (mediation under way)."""
    referral = referral_lock(actor, referral_id)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the withdrawal."))
    was = referral.status

    def note(r: Referral) -> None:
        r.reason = reason.strip()
        r.closed_at = timezone.now()

    run_transition(referral, "withdraw", actor=actor, before=note, reason=reason)
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
