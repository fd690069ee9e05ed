"""Who may see and act on a referral to a mediation centre, its sessions and proposals.

A centre's members see the referrals sent to their centre (never a draft); the bank and the
customer see the referrals on a case they may see. Session notes are the centre's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from mediation import access as dispute_access
from mediation import lifecycle as dispute_lifecycle
from portal.access import is_member_of, is_partner_member, refuse, visible_or_404

# Modules, not names: the lifecycle points its permissions here while the models are built.
from referrals.centres import lifecycle, models

if TYPE_CHECKING:
    from mediation.models import Dispute
    from portal.models import User
    from referrals.centres.models import (
        AgreementDraft,
        MediationExtension,
        MediationSession,
        MediatorProposal,
        Referral,
        ReferralQuerySet,
    )


def is_referral_partner(user: User, referral: Referral) -> bool:
    return is_member_of(user, referral.organisation_id)


def can_send_referral(user: User, referral: Referral) -> bool:
    return dispute_access.can_handle_dispute(user, referral.dispute)


def can_record_referral_outcome(user: User, referral: Referral) -> bool:
    """The centre's members; bank staff too, for a centre that works on paper."""
    return is_referral_partner(user, referral) or dispute_access.can_handle_dispute(
        user, referral.dispute
    )


def can_answer_proposal(user: User, referral: Referral) -> bool:
    return dispute_access.is_party_or_handler(user, referral.dispute)


def can_withdraw_referral(user: User, referral: Referral) -> bool:
    return dispute_access.is_party_or_handler(user, referral.dispute)


def is_centre_member_while(user: User, referral: Referral, *states: str) -> bool:
    """The centre's members act on an accepted referral (sessions, proposals, extensions)."""
    return is_referral_partner(user, referral) and referral.status in states


def can_read_session_notes(user: User, referral: Referral) -> bool:
    """Session notes are the centre's own: never the bank's or the customer's to read."""
    return is_referral_partner(user, referral)


def can_view_referral(user: User, referral: Referral) -> bool:
    """The centre sees what was sent to it; the customer too, and a draft the bank is still
    preparing, but not one the bank dropped before sending (the bank's own note)."""
    if is_referral_partner(user, referral):
        return referral.status != lifecycle.ReferralStatus.DRAFT
    if is_partner_member(user) or not dispute_access.can_view_dispute(user, referral.dispute):
        return False
    dropped_draft = (
        referral.status == lifecycle.ReferralStatus.WITHDRAWN and referral.sent_at is None
    )
    return not dropped_draft or dispute_access.reads_the_banks_notes(user)


def referrals_visible_to(user: User) -> ReferralQuerySet:
    qs: ReferralQuerySet = models.Referral.objects.all()
    if is_partner_member(user):
        return qs.filter(organisation_id=user.organisation_id).exclude(
            status=lifecycle.ReferralStatus.DRAFT
        )
    qs = qs.filter(dispute__in=dispute_access.disputes_visible_to(user))
    if not dispute_access.reads_the_banks_notes(user):  # as can_view_referral
        qs = qs.exclude(status=lifecycle.ReferralStatus.WITHDRAWN, sent_at__isnull=True)
    return qs


def referral_get_for(user: User, pk: int, *, for_update: bool = False) -> Referral:
    return visible_or_404(
        user,
        models.Referral.objects.select_related(
            "dispute", "dispute__customer", "dispute__branch", "organisation", "mediator"
        ),
        "referral",
        pk,
        lambda r: can_view_referral(user, r),
        for_update=for_update,
        pk=pk,
    )


def proposal_get_for(user: User, pk: int) -> MediatorProposal:
    """A proposal on a referral the user may see, or a logged 404."""
    proposal = models.MediatorProposal.objects.filter(pk=pk).first()
    if proposal is None:
        raise refuse(user, "proposal", pk)
    proposal.referral = referral_get_for(user, proposal.referral_id)
    return proposal


def extension_get_for(user: User, pk: int) -> MediationExtension:
    extension = models.MediationExtension.objects.filter(pk=pk).first()
    if extension is None:
        raise refuse(user, "extension", pk)
    extension.referral = referral_get_for(user, extension.referral_id)
    return extension


def agreement_draft_get_for(user: User, pk: int) -> AgreementDraft:
    """An agreement for signing on a referral the user may see, or a logged 404."""
    draft = models.AgreementDraft.objects.filter(pk=pk).first()
    if draft is None:
        raise refuse(user, "agreement_draft", pk)
    draft.referral = referral_get_for(user, draft.referral_id)
    return draft


def session_notes_get_for(user: User, pk: int) -> MediationSession:
    """A session whose notes the user may read and which they may move or cancel (the centre's
    members only), or a logged 404."""
    session = models.MediationSession.objects.filter(pk=pk).first()
    if session is None:
        raise refuse(user, "session", pk)
    session.referral = referral_get_for(user, session.referral_id)
    if not can_read_session_notes(user, session.referral):
        raise refuse(user, "session", pk)
    return session


# ---- rules mediation asks for (registered in referrals/apps.py) ------------------------------


def sent_to_centre(organisation_id: int) -> Q:
    """Disputes this centre is working on: a referral sent to it and still live, or concluded
    by an agreement on a case still open. Afterwards (and after a decline, a withdrawal or a
    failure at once) the centre sees its referral's summary, not the case."""

    def referral_in(states: list[lifecycle.ReferralStatus]) -> Exists:
        return Exists(
            models.Referral.objects.filter(
                dispute=OuterRef("pk"), organisation_id=organisation_id, status__in=states
            )
        )

    return Q(referral_in(lifecycle.LIVE_STATES)) | Q(
        referral_in(lifecycle.CONCLUDED_STATES), status__in=dispute_lifecycle.OPEN_STATES
    )


def customer_accepted_binding_proposal(dispute: Dispute) -> bool:
    """The customer concludes the mediation by accepting a proposal that binds the bank."""
    return dispute.referrals.filter(status=lifecycle.ReferralStatus.PROPOSAL_ACCEPTED).exists()
