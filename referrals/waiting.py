"""What waits for each person in the work with partners (registered with portal.waiting in
ReferralsConfig.ready()): the customer's binding acts, the bank's answers and applications, a
centre's referrals, a court's applications, an arbitration commission's filings, the auditors'
reviews. Each item is addressed to its viewer and links to where it is done."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from mediation.models import Consent
from mediation.views.cases import disclosure_url
from portal.access import is_auditor, is_bank_staff, is_customer, is_partner_member
from portal.models import OrganisationKind, User
from portal.waiting import HOME_LIMIT, Waiting
from referrals.arbitration.access import arbitrations_visible_to
from referrals.arbitration.lifecycle import ArbitrationStatus
from referrals.centres.access import referrals_visible_to
from referrals.centres.lifecycle import ReferralStatus
from referrals.centres.models import (
    AgreementDraft,
    MediationAgreement,
    MediatorProposal,
    ProposalAnswer,
)
from referrals.confirmation.access import confirmations_visible_to
from referrals.confirmation.lifecycle import ConfirmationStatus
from referrals.reviews.lifecycle import ReviewStatus
from referrals.reviews.models import LookbackReview

# The auditors' home shows reviews due within this many days (the queue holds the rest).
REVIEW_HORIZON = timedelta(days=30)


def _case_url(reference: str, anchor: str) -> str:
    return reverse("mediation:detail", args=[reference]) + anchor


def _open_proposals(user: User) -> list[MediatorProposal]:
    return list(
        MediatorProposal.objects.filter(
            referral__in=referrals_visible_to(user),
            referral__status=ReferralStatus.ACCEPTED,
            withdrawn_at__isnull=True,
        )
        .select_related("referral__dispute")
        .order_by("proposed_at")[:HOME_LIMIT]
    )


def _open_drafts(user: User) -> QuerySet[AgreementDraft]:
    return AgreementDraft.objects.filter(
        referral__in=referrals_visible_to(user),
        referral__status=ReferralStatus.ACCEPTED,
        sealed_at__isnull=True,
        withdrawn_at__isnull=True,
    ).select_related("referral__dispute")


def customer_waiting(user: User, today: date) -> list[Waiting]:
    if not is_customer(user):
        return []
    items = [
        Waiting(
            _("Answer the mediator's proposal: the bank pays %(amount)s yuan")
            % {"amount": f"{p.amount:,.2f}"},
            p.referral.dispute.reference,
            _case_url(p.referral.dispute.reference, "#referral"),
            binding=True,
        )
        for p in _open_proposals(user)
        if p.customer_answer == ProposalAnswer.PENDING
    ]
    items += [
        Waiting(
            _("Sign the mediation agreement: the bank pays %(amount)s yuan")
            % {"amount": f"{d.amount:,.2f}"},
            d.referral.dispute.reference,
            reverse("referrals:agreement_sign", args=[d.pk]),
            binding=True,
        )
        for d in _open_drafts(user).filter(customer_signed_at__isnull=True)[:HOME_LIMIT]
    ]
    drafts = (
        referrals_visible_to(user)
        .filter(status=ReferralStatus.DRAFT)
        .exclude(
            Exists(
                Consent.objects.filter(
                    dispute=OuterRef("dispute"),
                    recipient=OuterRef("organisation"),
                    kind=Consent.Kind.PERSONAL_INFO,
                    withdrawn_at__isnull=True,
                )
            )
        )
        .select_related("dispute", "organisation")[:HOME_LIMIT]
    )
    items += [
        Waiting(
            _("Consent to give %(org)s your information, so the bank can refer your case")
            % {"org": r.organisation.name},
            r.dispute.reference,
            disclosure_url(r.dispute, r.organisation_id),
            binding=True,
        )
        for r in drafts
    ]
    preparing = confirmations_visible_to(user).filter(
        status=ConfirmationStatus.PREPARING, customer_consent_at__isnull=True
    )
    items += [
        Waiting(
            _("Join the application for judicial confirmation"),
            c.dispute.reference,
            reverse("referrals:confirmation_join", args=[c.pk]),
            c.window_ends,
            binding=True,
        )
        for c in preparing.select_related("dispute")[:HOME_LIMIT]
    ]
    # An agreement with no application yet, while the 30-day window is open (CPL art. 205).
    agreements = (
        MediationAgreement.objects.filter(
            referral__dispute__in=dispute_access.disputes_visible_to(user),
            referral__dispute__status=DisputeStatus.AGREEMENT_REACHED,
            confirmation_window_ends__gte=today,
        )
        .exclude(
            referral__dispute__confirmations__status__in=[
                s for s in ConfirmationStatus if s != ConfirmationStatus.WITHDRAWN
            ]
        )
        .select_related("referral__dispute")
        .order_by("confirmation_window_ends")[:HOME_LIMIT]
    )
    items += [
        Waiting(
            _("You may apply for judicial confirmation of your agreement"),
            a.referral.dispute.reference,
            reverse("referrals:confirmation_apply", args=[a.referral.dispute.reference]),
            a.confirmation_window_ends,
            binding=True,
        )
        for a in agreements
    ]
    return items


def staff_waiting(user: User, today: date) -> list[Waiting]:
    if not is_bank_staff(user):
        return []
    items = [
        Waiting(
            _("Answer the mediator's proposal of %(amount)s yuan") % {"amount": f"{p.amount:,.2f}"},
            p.referral.dispute.reference,
            _case_url(p.referral.dispute.reference, "#referral"),
        )
        for p in _open_proposals(user)
        if not p.binding_on_bank and p.bank_answer == ProposalAnswer.PENDING
    ]
    items += [
        Waiting(
            _("Sign the mediation agreement for the bank"),
            d.referral.dispute.reference,
            _case_url(d.referral.dispute.reference, f"#agreement-{d.pk}"),
        )
        for d in _open_drafts(user).filter(bank_signed_at__isnull=True)[:HOME_LIMIT]
    ]
    preparing = (
        confirmations_visible_to(user)
        .filter(status=ConfirmationStatus.PREPARING)
        .select_related("dispute")[:HOME_LIMIT]
    )
    for c in preparing:
        if c.bank_consent_at is None:
            what = _("Agree to apply jointly for judicial confirmation")
        elif c.customer_consent_at is None:
            what = _("Judicial confirmation: waiting for the customer to join")
        else:
            what = _("File the application for judicial confirmation")
        items.append(
            Waiting(
                what,
                c.dispute.reference,
                _case_url(c.dispute.reference, "#confirmation"),
                c.window_ends,
            )
        )
    return items


def partner_waiting(user: User, today: date) -> list[Waiting]:
    if not is_partner_member(user):
        return []
    kind = user.organisation.kind if user.organisation else ""
    items: list[Waiting] = []
    if kind == OrganisationKind.MEDIATION_CENTRE:
        items += [
            Waiting(
                _("Seal the agreement both parties signed"),
                d.referral.dispute.reference,
                _case_url(d.referral.dispute.reference, f"#agreement-{d.pk}"),
            )
            for d in _open_drafts(user).filter(
                customer_signed_at__isnull=False, bank_signed_at__isnull=False
            )[:HOME_LIMIT]
        ]
        referrals = (
            referrals_visible_to(user)
            .filter(
                status__in=[
                    ReferralStatus.SENT,
                    ReferralStatus.ACKNOWLEDGED,
                    ReferralStatus.ACCEPTED,
                ]
            )
            .select_related("dispute")
            .order_by("assignment_due", "pk")[:HOME_LIMIT]
        )
        for r in referrals:
            if r.status == ReferralStatus.ACCEPTED:
                what, due = _("Mediate: the 30-day period runs"), r.mediation_due
            elif r.status == ReferralStatus.SENT:
                what, due = _("Acknowledge the referral and assign a mediator"), r.assignment_due
            else:
                what, due = _("Accept or decline the referral"), r.assignment_due
            items.append(
                Waiting(what, r.dispute.reference, _case_url(r.dispute.reference, "#referral"), due)
            )
    elif kind == OrganisationKind.COURT:
        confirmations = (
            confirmations_visible_to(user)
            .filter(status__in=[ConfirmationStatus.FILED, ConfirmationStatus.ACCEPTED])
            .select_related("dispute")[:HOME_LIMIT]
        )
        for c in confirmations:
            if c.status == ConfirmationStatus.FILED:
                what, due = _("Decide whether to accept the application"), c.acceptance_due
            else:
                what, due = _("Rule on the application"), c.decision_due
            items.append(
                Waiting(
                    what, c.dispute.reference, _case_url(c.dispute.reference, "#confirmation"), due
                )
            )
    elif kind == OrganisationKind.ARBITRATION_COMMISSION:
        cases = (
            arbitrations_visible_to(user)
            .filter(status__in=[ArbitrationStatus.FILED, ArbitrationStatus.ACCEPTED])
            .select_related("dispute")[:HOME_LIMIT]
        )
        for a in cases:
            if a.status == ArbitrationStatus.FILED:
                what, due = _("Decide whether to accept the arbitration"), a.acceptance_due
            else:
                what, due = _("Make the award (45-day target)"), a.target_due
            items.append(
                Waiting(
                    what, a.dispute.reference, _case_url(a.dispute.reference, "#arbitration"), due
                )
            )
    return items


def auditor_waiting(user: User, today: date) -> list[Waiting]:
    if not is_auditor(user):
        return []
    # Any auditor takes a queued review; one in review waits only on the auditor who took it.
    reviews = (
        LookbackReview.objects.filter(
            Q(status__in=[ReviewStatus.QUEUED, ReviewStatus.SCHEDULED])
            | Q(status=ReviewStatus.IN_REVIEW, auditor=user),
            due_on__lte=today + REVIEW_HORIZON,
        )
        .select_related("dispute")
        .order_by("due_on", "pk")[:HOME_LIMIT]
    )
    return [
        Waiting(
            _("Look-back review: %(status)s") % {"status": r.get_status_display()},
            r.dispute.reference,
            reverse("reviews:detail", args=[r.pk]),
            r.due_on,
        )
        for r in reviews
    ]


PROVIDERS = [customer_waiting, staff_waiting, partner_waiting, auditor_waiting]
