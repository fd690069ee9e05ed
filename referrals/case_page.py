"""What referrals adds to the dispute page (/disputes/<ref>/): the referral, arbitration,
confirmation, litigation and bundle panels with their actions, and the dispute-level actions
that start a referral, an application for judicial confirmation, an arbitration or a lawsuit.

mediation renders the page and knows none of this; `register()` (called from
`referrals/apps.py`) hands it over through `mediation.hooks`. What each viewer sees and may do
comes from the domains' access modules. Partner session notes show to the centre's members only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy

from mediation import access as dispute_access
from mediation import hooks
from mediation.forms import MediationCentreForm
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute, ProductCategory
from mediation.views.cases import disclosure_url
from portal.actions import Action, shown_actions
from portal.models import BindingAct, User
from portal.transitions import may_transition
from referrals.arbitration import access as arbitration_access
from referrals.arbitration import services as arbitration_services
from referrals.arbitration.forms import ArbitrationStartForm, LitigationForm
from referrals.arbitration.lifecycle import ArbitrationStatus
from referrals.arbitration.views import ARBITRATION_ACTIONS
from referrals.bundles import access as bundle_access
from referrals.bundles.models import being_built
from referrals.centres import access as referral_access
from referrals.centres import services as referral_services
from referrals.centres.lifecycle import OPEN_REFERRAL_STATES, ReferralStatus
from referrals.centres.views import AGREEMENT_ACTIONS, REFERRAL_ACTIONS
from referrals.confirmation import access as confirmation_access
from referrals.confirmation import services as confirmation_services
from referrals.confirmation.forms import ConfirmationStartForm
from referrals.confirmation.lifecycle import ConfirmationStatus
from referrals.confirmation.views import CONFIRMATION_ACTIONS
from referrals.models import (
    AgreementDraft,
    ArbitrationCase,
    Bundle,
    JudicialConfirmation,
    LitigationRecord,
    MediationExtension,
    MediationSession,
    MediatorProposal,
    Referral,
)

# An application is pending while it is being prepared or is before the court.
PENDING_CONFIRMATION = [
    ConfirmationStatus.PREPARING,
    ConfirmationStatus.FILED,
    ConfirmationStatus.ACCEPTED,
]


def _may_refer(user: User, d: Dispute) -> bool:
    return (
        dispute_access.can_handle_dispute(user, d)
        and d.status == DisputeStatus.FAST_LANE
        and not d.referrals.filter(status__in=OPEN_REFERRAL_STATES).exists()
    )


def _may_apply_for_confirmation(user: User, d: Dispute) -> bool:
    return (
        dispute_access.can_handle_dispute(user, d)
        and d.status == DisputeStatus.AGREEMENT_REACHED
        and not d.confirmations.filter(status__in=PENDING_CONFIRMATION).exists()
    )


def _customer_may_apply(user: User, d: Dispute, agreement: Any) -> bool:
    """The customer starts the joint application online while the window is open."""
    return (
        agreement is not None
        and dispute_access.is_dispute_customer(user, d)
        and d.status == DisputeStatus.AGREEMENT_REACHED
        and agreement.confirmation_window_ends >= timezone.localdate()
        and not d.confirmations.filter(status__in=PENDING_CONFIRMATION).exists()
    )


def _may_arbitrate(user: User, d: Dispute) -> bool:
    """Suitability disputes over wealth products may go to arbitration (seed 4.8)."""
    return (
        dispute_access.can_handle_dispute(user, d)
        and d.category == ProductCategory.WEALTH_MANAGEMENT
        and d.status in (DisputeStatus.BANK_HANDLING, DisputeStatus.MEDIATION_FAILED)
        and not d.arbitrations.exclude(status=ArbitrationStatus.WITHDRAWN).exists()
    )


def _may_record_lawsuit(user: User, d: Dispute) -> bool:
    return dispute_access.can_handle_dispute(user, d) and (
        may_transition(d, "start_litigation", user) or d.status == DisputeStatus.IN_LITIGATION
    )


DISPUTE_ACTIONS: dict[str, Action[Dispute]] = {
    "refer": Action(
        gettext_lazy("Refer to a mediation centre"),
        MediationCentreForm,
        lambda r, d, c: referral_services.referral_create(
            actor=r.user, reference=d.reference, organisation_id=c["organisation"].pk
        ),
        _may_refer,
        message=gettext_lazy(
            "Referral drafted. Send it once the customer's consent names the centre."
        ),
    ),
    "confirm_apply": Action(
        gettext_lazy("Prepare a judicial-confirmation application"),
        ConfirmationStartForm,
        lambda r, d, c: confirmation_services.confirmation_start(
            actor=r.user,
            reference=d.reference,
            court_id=c["court"].pk,
            filed_by_agent=c["filed_by_agent"],
        ),
        _may_apply_for_confirmation,
    ),
    "arbitrate": Action(
        gettext_lazy("Record a written arbitration agreement"),
        ArbitrationStartForm,
        lambda r, d, c: arbitration_services.arbitration_start(
            actor=r.user,
            reference=d.reference,
            commission_id=c["commission"].pk,
            agreement_signed_on=c["signed_on"],
            upload=c["file"],
            file_name=c["file"].name,
            size=c["file"].size,
        ),
        _may_arbitrate,
        multipart=True,
    ),
    "litigate": Action(
        gettext_lazy("Record a court case"),
        LitigationForm,
        lambda r, d, c: arbitration_services.litigation_record(
            actor=r.user,
            reference=d.reference,
            court_name=c["court_name"],
            case_number=c["case_number"],
            filed_on=c["filed_on"],
            note=c["note"],
        ),
        _may_record_lawsuit,
    ),
}


# A referral's own lists, each read only if some referral of the case holds any: most
# referrals have no extension or mediator's proposal, and an agreement is drafted at the end.
REFERRAL_LISTS: dict[str, type[models.Model]] = {
    "sessions": MediationSession,
    "extensions": MediationExtension,
    "proposals": MediatorProposal,
    "agreement_drafts": AgreementDraft,
}
# The outside bodies' lists and a referral's, asked with the case page's own (most cases
# never reach an outside body).
CASE_LISTS: tuple[tuple[str, Any], ...] = (
    ("referrals", Referral),
    ("arbitrations", ArbitrationCase),
    ("confirmations", JudicialConfirmation),
    ("litigations", LitigationRecord),
    ("bundles", Bundle),
    *(
        (name, model._default_manager.filter(referral__dispute=OuterRef("pk")))
        for name, model in REFERRAL_LISTS.items()
    ),
)


def _drafts(user: User, referral: Referral, drafts: list[AgreementDraft]) -> list[tuple[Any, Any]]:
    """The agreements put to the parties for signing, each with what this user may do."""
    for draft in drafts:
        draft.referral = referral  # read once, not per draft
    return [(d, shown_actions(AGREEMENT_ACTIONS, user, d, prefix=f"ag{d.pk}-")) for d in drafts]


def case_panels(user: User, dispute: Dispute, holds: Mapping[str, bool]) -> dict[str, Any]:
    """What the referral, arbitration, confirmation, litigation and bundle panels show (each
    list read only if `holds` says it has anything)."""
    held = [name for name in REFERRAL_LISTS if holds[name]]
    referrals = (
        [
            r
            for r in dispute.referrals.select_related(
                "organisation", "mediator", "bundle"
            ).prefetch_related(*held)
            if referral_access.can_view_referral(user, r)
        ]
        if holds["referrals"]
        else []
    )
    is_customer = dispute_access.is_dispute_customer(user, dispute)
    is_handler = dispute_access.can_handle_dispute(user, dispute)
    banks_notes = dispute_access.reads_the_banks_notes(user)
    panels = []
    for referral in referrals:
        concluded = referral.status in (ReferralStatus.AGREEMENT, ReferralStatus.PROPOSAL_ACCEPTED)
        agreement = getattr(referral, "agreement", None) if concluded else None
        # The referral's lists: empty, and not asked for, when no referral of the case has any.
        lists = {
            name: list(getattr(referral, name).all()) if name in held else []
            for name in REFERRAL_LISTS
        }
        panels.append(
            {
                "referral": referral,
                "agreement": agreement,
                "customer_may_apply": _customer_may_apply(user, dispute, agreement),
                "sessions": lists["sessions"],
                "extensions": lists["extensions"],
                "proposals": lists["proposals"],
                "drafts": _drafts(user, referral, lists["agreement_drafts"]),
                # The page where the customer consents to this centre, while that is needed.
                "consent_url": disclosure_url(dispute, referral.organisation_id)
                if is_customer
                and referral.status == ReferralStatus.DRAFT
                and not dispute.consent_in_force(
                    kind="personal_info", organisation_id=referral.organisation_id
                )
                else "",
                "notes_visible": referral_access.can_read_session_notes(user, referral),
                "actions": shown_actions(REFERRAL_ACTIONS, user, referral, prefix="r-"),
                "is_customer": is_customer,
                "is_handler": is_handler,
                "is_centre_member": referral_access.is_referral_partner(user, referral),
                "reads_banks_notes": banks_notes,
            }
        )
    arbitrations = (
        [
            {"case": case, "actions": shown_actions(ARBITRATION_ACTIONS, user, case, prefix="a-")}
            for case in dispute.arbitrations.select_related("commission").prefetch_related(
                "decisions"
            )
            if arbitration_access.can_view_arbitration(user, case)
        ]
        if holds["arbitrations"]
        else []
    )
    confirmations = (
        [
            {
                "c": c,
                "actions": shown_actions(CONFIRMATION_ACTIONS, user, c, prefix="c-"),
                "missing": [] if confirmation_access.court_sees(c) else c.missing_materials(),
                "is_customer": is_customer,
                "customer_joins": is_customer and confirmation_access.consent_pending_from(user, c),
            }
            for c in dispute.confirmations.select_related("court", "agreement", "ruling_document")
            if confirmation_access.can_view_confirmation(user, c)
        ]
        if holds["confirmations"]
        else []
    )
    may_bundle = bundle_access.can_request_bundle(user, dispute)
    # The customer's own binding acts on this case, with their sealed PDFs (portal/binding.py).
    my_acts = (
        list(BindingAct.objects.filter(case_ref=dispute.reference, actor=user))
        if is_customer and referrals
        else []
    )
    bundles = bundle_access.bundles_on_dispute_visible_to(user, dispute) if holds["bundles"] else []
    return {
        "my_acts": my_acts,
        "confirmation_panels": confirmations,
        "referral_panels": panels,
        "arbitration_panels": arbitrations,
        "litigations": list(dispute.litigations.all()) if holds["litigations"] else [],
        "bundles": bundles,
        "bundles_building": being_built(bundles),
        # The request form comes when its panel is opened (bundles' `request_bundle` GET).
        "may_bundle": may_bundle,
        "today": timezone.localdate(),
    }


def register() -> None:
    hooks.register("case_lists", *CASE_LISTS)
    hooks.register("case_panels", case_panels)
    hooks.register("case_actions", ("resume_handling", DISPUTE_ACTIONS))
