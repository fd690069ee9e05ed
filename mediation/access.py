"""Who may see and act on a dispute and its evidence (DESIGN.md section 5).

Customers see their own disputes; bank staff their branch's (head office: all); auditors closed
disputes, read-only; partner members the cases sent to their organisation. What "sent to their
organisation" means is known to the layer above (referrals: a referral beyond draft, an
arbitration before the commission, an application at the court), which adds its rules through
`mediation.hooks` at start-up: this module never imports referrals.

Predicates take the user first. `disputes_visible_to(user)` is the same rule as
`can_view_dispute` written as a query, and `dispute_get_for` answers 404 for anyone else's case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules
from django.db.models import Exists, OuterRef, Q, QuerySet

# Modules, not names: mediation.lifecycle points its transitions' permissions at this module
# while mediation.models is still being built, so the states and models are read at call time.
from mediation import hooks, lifecycle, models
from portal.access import (
    is_auditor,
    is_bank_side,
    is_bank_staff,
    is_customer,
    is_head_office_staff,
    is_partner_member,
    refuse,
    visible_or_404,
)
from portal.models import OrganisationKind, Role, User

if TYPE_CHECKING:
    from mediation.models import Consent, Dispute, DisputeQuerySet, EvidenceItem, SavedFilter


def is_dispute_customer(user: User, dispute: Dispute) -> bool:
    """The customer, or an agent they authorised on this case (who acts as they would)."""
    return is_principal(user, dispute) or is_agent(user, dispute)


def is_principal(user: User, dispute: Dispute) -> bool:
    """The customer themself: only they authorise or revoke an agent."""
    return bool(is_customer(user) and dispute.customer_id == user.pk)


def is_agent(user: User, dispute: Dispute) -> bool:
    """An agent the customer authorised on this case, while the authorisation stands. Read
    once per case object (a page asks many times)."""
    if not is_customer(user) or dispute.customer_id == user.pk:
        return False
    agents: set[int] | None = getattr(dispute, "_agent_ids", None)
    if agents is None:
        agents = set(
            models.Representative.objects.filter(
                dispute_id=dispute.pk, revoked_at__isnull=True
            ).values_list("agent_id", flat=True)
        )
        dispute._agent_ids = agents  # type: ignore[attr-defined]
    return user.pk in agents


def can_handle_dispute(user: User, dispute: Dispute) -> bool:
    """Bank staff of the dispute's branch, or of the head office."""
    if not is_bank_staff(user):
        return False
    return bool(is_head_office_staff(user) or dispute.branch_id == user.branch_id)


def can_link_repeats(user: User, dispute: Dispute) -> bool:
    """Staff who handle the case confirm, undo or make its link to a repeat."""
    return can_handle_dispute(user, dispute)


def sees_repeat_link(user: User, dispute: Dispute) -> bool:
    """The bank's side sees a link as soon as the rule makes it; the customer once staff
    have confirmed it (a wrong automatic link is never shown to them)."""
    if dispute.repeat_of_id is None:
        return False
    return is_bank_side(user) or dispute.repeat_confirmed_at is not None


def is_dispute_mediator(user: User, dispute: Dispute) -> bool:
    """A member of the organisation the dispute is currently referred to."""
    if not is_partner_member(user):
        return False
    return bool(dispute.current_organisation_id == user.organisation_id)


def can_handle_or_mediate_dispute(user: User, dispute: Dispute) -> bool:
    return can_handle_dispute(user, dispute) or is_dispute_mediator(user, dispute)


def can_conclude_mediation(user: User, dispute: Dispute) -> bool:
    """The centre or the bank record an agreement; the customer concludes it by accepting a
    mediator's proposal that binds the bank (a rule the referrals layer adds)."""
    if can_handle_or_mediate_dispute(user, dispute):
        return True
    return is_dispute_customer(user, dispute) and hooks.customer_concluded(dispute)


def is_party_or_handler(user: User, dispute: Dispute) -> bool:
    """The customer, or bank staff handling the case: withdrawing, suing, mediating again."""
    return is_dispute_customer(user, dispute) or can_handle_dispute(user, dispute)


def can_amend_dispute(user: User, dispute: Dispute) -> bool:
    """Customers amend their own claim before triage; staff amend it on the customer's recorded
    request while the bank still holds the case (once a centre, a commission or a court has
    it, the claim changes there)."""
    if is_dispute_customer(user, dispute):
        return dispute.status == lifecycle.DisputeStatus.SUBMITTED
    return can_handle_dispute(user, dispute) and dispute.status in lifecycle.AMENDABLE_STATES


def _partner_cases(user: User) -> Q:
    """The disputes sent to the user's organisation, as a condition on Dispute."""
    return hooks.partner_cases(user.organisation_id)


def partner_has_case(user: User, dispute: Dispute) -> bool:
    """A partner member sees a dispute once it was sent to their organisation."""
    if not is_partner_member(user):
        return False
    return models.Dispute.objects.filter(_partner_cases(user), pk=dispute.pk).exists()


def partner_may_receive_data(user: User, dispute: Dispute) -> bool:
    """Personal data goes to a mediation centre only while the customer's consent naming it is
    in force (PIPL arts. 15, 23); arbitration and courts rest on their own legal basis."""
    if not is_partner_member(user):
        return True
    if (
        user.organisation is not None
        and user.organisation.kind != OrganisationKind.MEDIATION_CENTRE
    ):
        return True
    return dispute.consent_in_force(kind="personal_info", organisation_id=user.organisation_id)


def consent_for_partner(user: User) -> Exists | None:
    """For a list: per dispute, whether a mediation centre's member may receive the customer's
    personal data (a disclosure consent naming the centre in force). None for everyone else,
    whose lists carry the person as they are."""
    if not is_partner_member(user) or user.organisation is None:
        return None
    if user.organisation.kind != OrganisationKind.MEDIATION_CENTRE:
        return None
    return Exists(
        models.Consent.objects.filter(
            dispute=OuterRef("pk"),
            kind="personal_info",
            withdrawn_at__isnull=True,
            recipient_id=user.organisation_id,
        )
    )


def reads_the_banks_notes(user: User) -> bool:
    """The bank's own reasons and drafts (a withdrawn draft referral, why staff withdrew a
    referral) are for the bank's staff, its auditors and administrators: never customers or
    partners (STYLE.md 15)."""
    return is_bank_side(user)


def can_view_dispute(user: User, dispute: Dispute) -> bool:
    if is_dispute_customer(user, dispute) or can_handle_dispute(user, dispute):
        return True
    if partner_has_case(user, dispute):
        return True
    return bool(is_auditor(user) and dispute.status == lifecycle.DisputeStatus.CLOSED)


# What a customer files: their own documents, never the bank's licence or what a centre or a
# court issues (issue 19: "the customer's evidence categories include 法院裁定书 and 银行营业执照").
CUSTOMER_EVIDENCE = [
    "contract",
    "statement",
    "correspondence",
    "transcript",
    "identity",
    "agreement",  # a signed agreement they hold (an amended one after a court's rejection)
    "power_of_attorney",
    "payment_proof",
    "other",
]


def evidence_categories_for(user: User, dispute: Dispute) -> list[str]:
    """The categories this user may file on this case."""
    if is_dispute_customer(user, dispute):
        return CUSTOMER_EVIDENCE
    return list(models.EvidenceCategory.values)


def can_upload_evidence(user: User, dispute: Dispute) -> bool:
    if dispute.status not in lifecycle.OPEN_STATES:
        return False
    # Partner members upload agreements, rulings and awards on cases sent to them.
    return (
        is_dispute_customer(user, dispute)
        or can_handle_dispute(user, dispute)
        or partner_has_case(user, dispute)
    )


def partner_evidence_categories(kind: str) -> frozenset[str]:
    """What each kind of partner organisation receives of a case's evidence (PIPL art. 6, the
    minimum necessary): a mediation centre no identity documents; an arbitration commission
    and a court all of it (they identify the parties). The bundle profiles follow this rule."""
    everything = frozenset(models.EvidenceCategory.values)
    if kind == OrganisationKind.MEDIATION_CENTRE:
        return everything - {models.EvidenceCategory.IDENTITY}
    return everything


def _categories_for(user: User) -> frozenset[str] | None:
    """The evidence categories a partner member may see; None for everyone else (all)."""
    if not is_partner_member(user) or user.organisation is None:
        return None
    return partner_evidence_categories(user.organisation.kind)


def can_view_evidence(user: User, item: EvidenceItem) -> bool:
    categories = _categories_for(user)
    return (
        can_view_dispute(user, item.dispute)
        and partner_may_receive_data(user, item.dispute)
        and (categories is None or item.category in categories)
    )


def evidence_visible_to(user: User, dispute: Dispute) -> list[EvidenceItem]:
    """The evidence on a dispute the user may already see: all of it, what a partner's kind of
    organisation may receive, or none when a partner may not receive the customer's data (one
    check for the list, not one a row)."""
    if not partner_may_receive_data(user, dispute):
        return []
    items = dispute.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk")
    categories = _categories_for(user)
    if categories is not None:
        items = items.filter(category__in=categories)
    return list(items)


def can_record_return_visit(user: User, dispute: Dispute) -> bool:
    """Bank staff of the case record a telephone return visit once it is closed (seed 4.2)."""
    return can_handle_dispute(user, dispute) and dispute.status == lifecycle.DisputeStatus.CLOSED


def can_assign_handler(user: User, dispute: Dispute) -> bool:
    """Who handles an open case is decided by the staff who may handle it themselves."""
    return can_handle_dispute(user, dispute) and dispute.is_open


def may_be_handler(user: User, dispute: Dispute) -> bool:
    """A case is handled by an active member of staff who may handle it: its branch's staff
    or head office's."""
    return bool(user.is_active) and can_handle_dispute(user, dispute)


def assignable_staff(branch_id: int | None) -> QuerySet[User]:
    """The staff a case of `branch_id` may be given to (its branch's and head office's); with
    no branch, every active member of staff (head office choosing for cases of any branch)."""
    staff = User.objects.filter(role=Role.STAFF, is_active=True)
    if branch_id is not None:
        staff = staff.filter(Q(branch_id=branch_id) | Q(branch__is_head_office=True))
    return staff.select_related("branch").order_by("branch__is_head_office", "real_name", "pk")


def staff_assignable_by(user: User) -> QuerySet[User]:
    """Whom a member of staff may give cases of their scope to: head office any member of
    staff, a branch's staff their branch's and head office's."""
    return assignable_staff(None if is_head_office_staff(user) else user.branch_id)


def disputes_visible_to(user: User) -> DisputeQuerySet:
    """The disputes a user may list; the same rule as can_view_dispute, as a query."""
    qs: DisputeQuerySet = models.Dispute.objects.all()
    if is_customer(user):
        represented = models.Representative.objects.filter(agent=user, revoked_at__isnull=True)
        return qs.filter(Q(customer=user) | Q(pk__in=represented.values("dispute_id")))
    if is_bank_staff(user):
        return qs if is_head_office_staff(user) else qs.filter(branch=user.branch)
    if is_partner_member(user):
        return qs.filter(_partner_cases(user))
    if is_auditor(user):
        return qs.filter(status=lifecycle.DisputeStatus.CLOSED)
    return qs.none()


def dispute_get_for(user: User, reference: str, *, for_update: bool = False) -> Dispute:
    """Fetch a dispute the user may see, or answer 404 as if it did not exist."""
    return visible_or_404(
        user,
        models.Dispute.objects.select_related("customer", "branch"),
        "dispute",
        reference,
        lambda d: can_view_dispute(user, d),
        for_update=for_update,
        reference=reference,
    )


def evidence_get_for(user: User, pk: int) -> EvidenceItem:
    return visible_or_404(
        user,
        models.EvidenceItem.objects.select_related("dispute", "dispute__branch"),
        "evidence",
        pk,
        lambda item: can_view_evidence(user, item),
        pk=pk,
    )


def consent_get_for(user: User, dispute: Dispute, consent_id: int) -> Consent:
    """A consent given on this dispute (which the user may already see), or a logged 404."""
    consent = dispute.consents.filter(pk=consent_id).first()
    if consent is None:
        raise refuse(user, "consent", consent_id)
    return consent


def saved_filter_get_for(user: User, pk: int) -> SavedFilter:
    """One of the user's own saved queue filters, or a logged 404."""
    return visible_or_404(
        user,
        models.SavedFilter.objects.all(),
        "saved_filter",
        pk,
        lambda f: f.user_id == user.pk,
        pk=pk,
    )


def letter_scan_get_for(user: User, pk: int, *, for_update: bool = False) -> models.LetterScan:
    """A scanned letter, for staff of the branch it was scanned for (head office: any), or a
    logged 404. Its text is a customer's letter: nobody else reads it."""
    return visible_or_404(
        user,
        models.LetterScan.objects.select_related("evidence__dispute"),
        "letter_scan",
        pk,
        lambda scan: (
            is_head_office_staff(user) or (is_bank_staff(user) and scan.branch_id == user.branch_id)
        ),
        for_update=for_update,
        pk=pk,
    )


# Object permissions, so templates and admin can ask `user.has_perm(...)` with the same rules.
rules.add_perm("mediation.view_dispute", rules.predicate(can_view_dispute))
rules.add_perm("mediation.add_evidence", rules.predicate(can_upload_evidence))


# The figures (complaint figures, decisions that did not stand): whose branches a person reads.
ALL_BRANCHES = 0


def figures_branch(user: User) -> int | None:
    """ALL_BRANCHES for head office and auditors, their own branch for a branch's staff (a
    branch manager's view), None for everyone else (customers, partners)."""
    if is_head_office_staff(user) or is_auditor(user):
        return ALL_BRANCHES
    if is_bank_staff(user) and user.branch_id:
        return int(user.branch_id)
    return None


def caseload_owner(user_id: int) -> User | None:
    """The member of staff whose caseload a queue filter names (a case page's link to its
    handler's other cases): named only if that account is staff, never a customer's name."""
    return User.objects.filter(pk=user_id, role=Role.STAFF).first()
