"""Every access rule of the portal, in one module.

Three layers over the same predicates:
- predicates built on `rules` (`can_view_dispute(user, dispute)`), also registered as object
  permissions so `user.has_perm("mediation.view_dispute", d)` agrees;
- fetch-and-authorise helpers (`dispute_get_for(user, ref)`) that answer 404 for other
  people's objects and log the refusal;
- thin DRF permission adapters (added by the API).

Visibility (DESIGN.md section 5): customers see their own disputes; staff see their branch's
(head office sees all); partner members see referrals to their own organisation; auditors see
closed disputes read-only; administrators work through the admin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import rules
from django.db import models
from django.db.models import QuerySet
from django.http import Http404

if TYPE_CHECKING:
    from mediation.models import Dispute, DisputeQuerySet, EvidenceItem
    from portal.models import User
    from referrals.models import (
        ArbitrationCase,
        Bundle,
        JudicialConfirmation,
        LookbackReview,
        Referral,
        ReferralQuerySet,
    )

access_log = logging.getLogger("portal.access")

# ---- roles ----------------------------------------------------------------------------------


@rules.predicate
def is_customer(user: User) -> bool:
    return bool(user.is_authenticated and user.role == "customer")


@rules.predicate
def is_bank_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.role == "staff" and user.is_active)


@rules.predicate
def is_head_office_staff(user: User) -> bool:
    return bool(is_bank_staff(user) and user.branch is not None and user.branch.is_head_office)


@rules.predicate
def is_partner_member(user: User) -> bool:
    return bool(user.is_authenticated and user.role == "partner" and user.organisation_id)


@rules.predicate
def is_auditor(user: User) -> bool:
    return bool(user.is_authenticated and user.role == "auditor")


@rules.predicate
def is_administrator(user: User) -> bool:
    return bool(user.is_authenticated and (user.role == "admin" or user.is_superuser))


# ---- disputes -------------------------------------------------------------------------------
# Transition permissions in mediation/lifecycle.py call these with (dispute, user).


def is_dispute_customer(dispute: Dispute, user: User) -> bool:
    return bool(is_customer(user) and dispute.customer_id == user.pk)


def can_handle_dispute(dispute: Dispute, user: User) -> bool:
    """Bank staff of the dispute's branch, or of the head office."""
    if not is_bank_staff(user):
        return False
    return bool(is_head_office_staff(user) or dispute.branch_id == user.branch_id)


def is_dispute_mediator(dispute: Dispute, user: User) -> bool:
    """A member of the organisation the dispute is currently referred to."""
    if not is_partner_member(user):
        return False
    org_id = getattr(dispute, "current_organisation_id", None)
    return bool(org_id and org_id == user.organisation_id)


def can_handle_or_mediate_dispute(dispute: Dispute, user: User) -> bool:
    return can_handle_dispute(dispute, user) or is_dispute_mediator(dispute, user)


def can_conclude_mediation(dispute: Dispute, user: User) -> bool:
    """The centre or the bank record an agreement; the customer concludes it by accepting a
    mediator's proposal that binds the bank (the referral is already proposal_accepted)."""
    if can_handle_or_mediate_dispute(dispute, user):
        return True
    return (
        is_dispute_customer(dispute, user)
        and dispute.referrals.filter(status="proposal_accepted").exists()
    )


def is_party_or_handler(dispute: Dispute, user: User) -> bool:
    """The customer, or bank staff handling the case: withdrawing, suing, mediating again."""
    return is_dispute_customer(dispute, user) or can_handle_dispute(dispute, user)


def can_amend_dispute(dispute: Dispute, user: User) -> bool:
    """Customers amend their own claim before triage; staff correct it while it is open."""
    from mediation.lifecycle import OPEN_STATES, DisputeStatus

    if is_dispute_customer(dispute, user):
        return dispute.status == DisputeStatus.SUBMITTED
    return can_handle_dispute(dispute, user) and dispute.status in OPEN_STATES


def partner_has_case(dispute: Dispute, user: User) -> bool:
    """A partner member sees a dispute once it was sent to their organisation: a referral
    beyond draft, an arbitration before their commission, or a confirmation at their court."""
    if not is_partner_member(user):
        return False
    from referrals.lifecycle import DISCLOSED_STATES

    org = user.organisation_id
    return bool(
        dispute.referrals.filter(organisation_id=org, status__in=DISCLOSED_STATES).exists()
        or dispute.arbitrations.filter(commission_id=org).exists()
        or dispute.confirmations.filter(court_id=org).exclude(status="preparing").exists()
    )


def partner_may_receive_data(dispute: Dispute, user: User) -> bool:
    """Personal data goes to a mediation centre only while the customer's consent naming it is
    in force (PIPL arts. 15, 23); arbitration and courts rest on their own legal basis."""
    if not is_partner_member(user):
        return True
    if user.organisation is not None and user.organisation.kind != "mediation_centre":
        return True
    return dispute.consent_in_force(kind="personal_info", organisation_id=user.organisation_id)


def can_view_dispute(user: User, dispute: Dispute) -> bool:
    if is_dispute_customer(dispute, user) or can_handle_dispute(dispute, user):
        return True
    if partner_has_case(dispute, user):
        return True
    return bool(is_auditor(user) and dispute.status == "closed")


def can_upload_evidence(user: User, dispute: Dispute) -> bool:
    from mediation.lifecycle import OPEN_STATES

    if dispute.status not in OPEN_STATES:
        return False
    # Partner members upload agreements, rulings and awards on cases sent to them.
    return (
        is_dispute_customer(dispute, user)
        or can_handle_dispute(dispute, user)
        or partner_has_case(dispute, user)
    )


def can_view_evidence(user: User, item: EvidenceItem) -> bool:
    return can_view_dispute(user, item.dispute) and partner_may_receive_data(item.dispute, user)


def disputes_visible_to(user: User) -> DisputeQuerySet:
    """The disputes a user may list; the same rule as can_view_dispute, as a query."""
    from mediation.models import Dispute

    qs: DisputeQuerySet = Dispute.objects.all()
    if is_customer(user):
        return qs.filter(customer=user)
    if is_bank_staff(user):
        return qs if is_head_office_staff(user) else qs.filter(branch=user.branch)
    if is_partner_member(user):
        from django.db.models import Exists, OuterRef

        from referrals.lifecycle import DISCLOSED_STATES
        from referrals.models import ArbitrationCase, JudicialConfirmation, Referral

        org = user.organisation_id
        referred = Referral.objects.filter(
            dispute=OuterRef("pk"), organisation_id=org, status__in=DISCLOSED_STATES
        )
        arbitrated = ArbitrationCase.objects.filter(dispute=OuterRef("pk"), commission_id=org)
        at_court = JudicialConfirmation.objects.filter(
            dispute=OuterRef("pk"), court_id=org
        ).exclude(status="preparing")
        return qs.filter(Exists(referred) | Exists(arbitrated) | Exists(at_court))
    if is_auditor(user):
        return qs.filter(status="closed")
    return qs.none()


def refuse(user: Any, what: str, key: object) -> Http404:
    """Log a refusal (DESIGN.md 5: every refusal is logged) and return the 404 to raise."""
    access_log.warning(
        "refused user=%s role=%s object=%s key=%s",
        getattr(user, "pk", None),
        getattr(user, "role", "anonymous"),
        what,
        key,
    )
    return Http404(what)


def _visible_or_404[M: models.Model](
    user: User,
    qs: QuerySet[M],
    what: str,
    key: object,
    may_view: Callable[[M], bool],
    *,
    for_update: bool = False,
    **lookup: object,
) -> M:
    """The one object `lookup` finds in `qs` if `may_view` allows it (locked for the rest of
    the transaction with `for_update`), else a logged refusal: the 404 of a missing object."""
    if for_update:
        qs = qs.select_for_update(of=("self",))
    obj = qs.filter(**lookup).first()
    if obj is None or not may_view(obj):
        raise refuse(user, what, key)
    return obj


def dispute_get_for(user: User, reference: str, *, for_update: bool = False) -> Dispute:
    """Fetch a dispute the user may see, or answer 404 as if it did not exist."""
    from mediation.models import Dispute

    return _visible_or_404(
        user,
        Dispute.objects.select_related("customer", "branch"),
        "dispute",
        reference,
        lambda d: can_view_dispute(user, d),
        for_update=for_update,
        reference=reference,
    )


def evidence_get_for(user: User, pk: int) -> EvidenceItem:
    from mediation.models import EvidenceItem

    return _visible_or_404(
        user,
        EvidenceItem.objects.select_related("dispute", "dispute__branch"),
        "evidence",
        pk,
        lambda item: can_view_evidence(user, item),
        pk=pk,
    )


def can_view_bundle(user: User, bundle: Bundle) -> bool:
    """Customers see bundles made on their case; partner members only bundles made for their
    own organisation; staff of the case; auditors once the case is closed."""
    dispute = bundle.dispute
    if is_dispute_customer(dispute, user) or can_handle_dispute(dispute, user):
        return True
    if is_partner_member(user):
        return bool(
            bundle.organisation_id
            and bundle.organisation_id == user.organisation_id
            and partner_may_receive_data(dispute, user)
        )
    return bool(is_auditor(user) and dispute.status == "closed")


def bundles_visible_to(user: User, dispute: Dispute) -> list[Bundle]:
    bundles = dispute.bundles.select_related("organisation").order_by("-requested_at", "-pk")
    return [b for b in bundles if can_view_bundle(user, b)]


def bundle_get_for(user: User, reference: str, pk: int) -> Bundle:
    from referrals.models import Bundle

    return _visible_or_404(
        user,
        Bundle.objects.select_related("dispute", "dispute__branch", "dispute__customer"),
        "bundle",
        pk,
        lambda b: can_view_bundle(user, b),
        pk=pk,
        dispute__reference=reference,
    )


# ---- referrals, proposals, arbitration ------------------------------------------------------
# Transition permissions in referrals/lifecycle.py and referrals/arbitration_lifecycle.py.


def is_referral_partner(referral: Referral, user: User) -> bool:
    return bool(is_partner_member(user) and user.organisation_id == referral.organisation_id)


def can_send_referral(referral: Referral, user: User) -> bool:
    return can_handle_dispute(referral.dispute, user)


def can_record_referral_outcome(referral: Referral, user: User) -> bool:
    """The centre's members; bank staff too, for a centre that works on paper."""
    return is_referral_partner(referral, user) or can_handle_dispute(referral.dispute, user)


def can_answer_proposal(referral: Referral, user: User) -> bool:
    return is_dispute_customer(referral.dispute, user) or can_handle_dispute(referral.dispute, user)


def can_withdraw_referral(referral: Referral, user: User) -> bool:
    return can_handle_dispute(referral.dispute, user) or is_dispute_customer(referral.dispute, user)


def can_read_session_notes(user: User, referral: Referral) -> bool:
    """Session notes are the centre's own: never the bank's or the customer's to read."""
    return is_referral_partner(referral, user)


def can_view_referral(user: User, referral: Referral) -> bool:
    if is_referral_partner(referral, user):
        return referral.status != "draft"
    return can_view_dispute(user, referral.dispute) and not is_partner_member(user)


def referrals_visible_to(user: User) -> ReferralQuerySet:
    from referrals.models import Referral

    qs: ReferralQuerySet = Referral.objects.all()
    if is_partner_member(user):
        return qs.filter(organisation_id=user.organisation_id).exclude(status="draft")
    return qs.filter(dispute__in=disputes_visible_to(user))


def referral_get_for(user: User, pk: int, *, for_update: bool = False) -> Referral:
    from referrals.models import Referral

    return _visible_or_404(
        user,
        Referral.objects.select_related(
            "dispute", "dispute__customer", "dispute__branch", "organisation", "mediator"
        ),
        "referral",
        pk,
        lambda r: can_view_referral(user, r),
        for_update=for_update,
        pk=pk,
    )


def can_file_arbitration(case: ArbitrationCase, user: User) -> bool:
    return can_handle_dispute(case.dispute, user)


def can_act_for_commission(case: ArbitrationCase, user: User) -> bool:
    """The commission's members; bank staff too, when the commission works on paper."""
    if is_partner_member(user):
        return user.organisation_id == case.commission_id
    return can_handle_dispute(case.dispute, user)


def arbitration_get_for(user: User, pk: int, *, for_update: bool = False) -> ArbitrationCase:
    from referrals.models import ArbitrationCase

    return _visible_or_404(
        user,
        ArbitrationCase.objects.select_related("dispute", "dispute__branch", "commission"),
        "arbitration",
        pk,
        lambda case: (
            can_view_dispute(user, case.dispute)
            and not (is_partner_member(user) and user.organisation_id != case.commission_id)
        ),
        for_update=for_update,
        pk=pk,
    )


# ---- judicial confirmation ---------------------------------------------------------------


def can_prepare_confirmation(confirmation: JudicialConfirmation, user: User) -> bool:
    """The parties: bank staff assemble the joint application; the customer may withdraw it or
    choose what follows a rejection."""
    dispute = confirmation.dispute
    return can_handle_dispute(dispute, user) or is_dispute_customer(dispute, user)


def can_act_for_court(confirmation: JudicialConfirmation, user: User) -> bool:
    """The court's own clerks and judges; bank staff too, when the court works on paper."""
    if is_partner_member(user):
        return user.organisation_id == confirmation.court_id
    return can_handle_dispute(confirmation.dispute, user)


def can_view_confirmation(user: User, confirmation: JudicialConfirmation) -> bool:
    if is_partner_member(user):
        return bool(
            user.organisation_id == confirmation.court_id and confirmation.status != "preparing"
        )
    return can_view_dispute(user, confirmation.dispute)


def confirmation_get_for(user: User, pk: int, *, for_update: bool = False) -> JudicialConfirmation:
    from referrals.models import JudicialConfirmation

    return _visible_or_404(
        user,
        JudicialConfirmation.objects.select_related(
            "dispute", "dispute__branch", "dispute__customer", "court", "agreement"
        ),
        "confirmation",
        pk,
        lambda c: can_view_confirmation(user, c),
        for_update=for_update,
        pk=pk,
    )


# ---- look-back reviews -------------------------------------------------------------------


def is_system_or_administrator(_obj: object, user: User | None) -> bool:
    """Scheduled jobs act with no user; an administrator may run them by hand."""
    return user is None or is_administrator(user)


def can_take_review(review: LookbackReview, user: User) -> bool:
    return bool(is_auditor(user))


def is_review_auditor(review: LookbackReview, user: User) -> bool:
    """The auditor who took the review works it; reviews are the audit department's alone."""
    return bool(is_auditor(user) and review.auditor_id == user.pk)


def review_get_for(user: User, pk: int, *, for_update: bool = False) -> LookbackReview:
    from referrals.models import LookbackReview

    return _visible_or_404(
        user,
        LookbackReview.objects.select_related(
            "dispute", "dispute__customer", "dispute__branch", "auditor"
        ),
        "review",
        pk,
        lambda _review: is_auditor(user),
        for_update=for_update,
        pk=pk,
    )


# Object permissions, so templates and admin can ask `user.has_perm(...)` with the same rules.
rules.add_perm("mediation.view_dispute", rules.predicate(can_view_dispute))
rules.add_perm("mediation.add_evidence", rules.predicate(can_upload_evidence))
