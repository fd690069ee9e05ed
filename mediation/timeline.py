"""A dispute's timeline: what happened (from the audit chain) and what happens next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from mediation import access as dispute_access
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute
from portal.models import AuditEvent, Role, User

# Only these events appear on the timeline that parties see; downloads, refusals and other
# internal records stay in the audit log. Dispute state changes driven by a referral or an
# arbitration (refer, start_mediation, reach_agreement, fail_mediation, start_arbitration) are
# shown once, through the referral's or arbitration's own event.
EVENT_LABELS = {
    "dispute.submitted": _("Dispute received"),
    "dispute.amended": _("Claim amended"),
    "dispute.lane_reevaluated": _("Fast-lane eligibility re-evaluated"),
    "dispute.triage": _("Triaged: legal cause and urgency labelled"),
    "dispute.start_bank_handling": _("The bank is handling the complaint"),
    "dispute.milestone.plan": _("Branch plan recorded"),
    "dispute.milestone.consultation": _("Head-office consultation held"),
    "dispute.milestone.return_visit": _("Return visit made"),
    "dispute.decision_extended": _("Decision period extended"),
    "dispute.decision_recorded": _("The bank's decision given"),
    "review_request.made": _("The customer asked for a review of the decision"),
    "review_request.uphold": _("Review: the decision is upheld"),
    "review_request.change": _("Review: the decision is changed"),
    "review_request.reverse": _("Review: the decision is reversed"),
    "consent.given.mediation": _("Consent to mediation given"),
    "consent.given.personal_info": _("Consent to disclose personal information given"),
    "consent.withdrawn.mediation": _("Consent to mediation withdrawn"),
    "consent.withdrawn.personal_info": _("Consent to disclose personal information withdrawn"),
    "dispute.opt_in": _("Entered the mediation fast lane"),
    "dispute.mediation_requested": _("The customer asked for mediation"),
    "dispute.agree_to_mediation": _("The bank agreed to mediation"),
    "dispute.mediation_refused": _("The bank refused mediation"),
    "dispute.leave_fast_lane": _("Left the fast lane: the claim is above its limit"),
    "dispute.return_to_lane": _("Back in the fast lane for another referral"),
    "dispute.resume_handling": _("Back with the bank"),
    "dispute.mediate_again": _("Back in the fast lane to mediate again"),
    "dispute.start_litigation": _("Litigation started"),
    "dispute.close": _("Case closed"),
    "dispute.settle": _("Settled: the customer accepted the bank's offer"),
    "problem_class.offer_sent": _("The bank made a settlement offer"),
    "problem_class.offer_declined": _("The customer declined the bank's offer"),
    "problem_class.advance_paid": _("The bank paid part of the offer in advance"),
    "dispute.withdraw": _("Dispute withdrawn"),
    "evidence.uploaded": _("Evidence uploaded"),
    "representative.authorised": _("The customer authorised an agent"),
    "representative.revoked": _("The customer revoked an agent's authorisation"),
    "referral.created": _("Referral to a mediation centre drafted"),
    "referral.send": _("Case sent to the mediation centre"),
    "referral.acknowledge": _("The mediation centre acknowledged receipt"),
    "referral.accept": _("The mediation centre accepted the case and assigned a mediator"),
    "referral.decline": _("The mediation centre declined the case"),
    "referral.conflicts_declared": _("The mediator declared any conflict of interest"),
    "session.scheduled": _("Mediation session scheduled"),
    "session.moved": _("Mediation session moved"),
    "session.cancelled": _("Mediation session cancelled"),
    "extension.proposed": _("Extension of the mediation period proposed"),
    "extension.consented": _("Consent to extend the mediation period given"),
    "proposal.made": _("Mediator's proposal made"),
    "proposal.withdrawn": _("Mediator's proposal withdrawn"),
    "proposal.accepted": _("Mediator's proposal accepted"),
    "proposal.refused": _("Mediator's proposal refused"),
    "agreement.drafted": _("Agreement put to the parties for signing"),
    "agreement.signed": _("A party signed the agreement"),
    "agreement.draft_withdrawn": _("Agreement for signing withdrawn"),
    "referral.record_agreement": _("Signed mediation agreement recorded"),
    "referral.accept_proposal": _("Mediation concluded on the mediator's proposal"),
    "referral.fail": _("Mediation failed"),
    "referral.withdraw": _("Referral withdrawn"),
    "arbitration.agreement_recorded": _("Written arbitration agreement recorded"),
    "arbitration.file": _("Arbitration application filed"),
    "arbitration.accept": _("The arbitration commission accepted the case"),
    "arbitration.partial_award": _("Partial award made (先行裁决)"),
    "arbitration.make_award": _("Arbitration award made"),
    "arbitration.mediation_document": _("Arbitration mediation document issued"),
    "arbitration.withdraw": _("Arbitration withdrawn"),
    "litigation.recorded": _("Court case recorded"),
    "confirmation.started": _("Judicial-confirmation application being prepared"),
    "confirmation.consented": _("A party agreed to apply jointly for confirmation"),
    "confirmation.file": _("Judicial-confirmation application filed"),
    "confirmation.accept": _("The court accepted the application"),
    "confirmation.not_accept": _("The court did not accept the application"),
    "confirmation.review_extended": _("The court extended its ruling period"),
    "confirmation.confirm": _("The court confirmed the agreement"),
    "confirmation.reject": _("The court rejected the application"),
    "confirmation.withdraw": _("Confirmation application withdrawn"),
    "confirmation.amend_agreement": _("Agreement amended for a new application"),
    "confirmation.mediate_again": _("Parties chose to mediate again"),
    "confirmation.sue": _("A party chose to sue"),
    "confirmation.performed": _("The bank's payment under the agreement recorded"),
    "bundle.generated": _("Evidence bundle prepared"),
}

# What happens next, told to the customer (STYLE.md 15: every text has an audience).
NEXT_STEPS = {
    DisputeStatus.SUBMITTED: _(
        "The bank will label your case within 1 day and give a plan within 3 days. "
        "If your claim is 50,000 yuan or less you may choose the mediation fast lane now."
    ),
    DisputeStatus.TRIAGED: _(
        "The bank's branch team is preparing a legal and business plan for your case."
    ),
    DisputeStatus.BANK_HANDLING: _("The bank will give its written decision by the date shown."),
    DisputeStatus.FAST_LANE: _(
        "The bank will refer your case to a partner mediation centre. A mediator should be "
        "assigned within 3 working days of the referral."
    ),
    DisputeStatus.REFERRED: _(
        "The mediation centre is reviewing your case and will assign a mediator."
    ),
    DisputeStatus.IN_MEDIATION: _(
        "Mediation lasts up to 30 days from the mediator's acceptance; it can be extended only "
        "if both you and the bank agree."
    ),
    DisputeStatus.AGREEMENT_REACHED: _(
        "You and the bank may jointly ask a court to confirm the agreement within 30 days of "
        "its effective date, which makes it enforceable."
    ),
    DisputeStatus.MEDIATION_FAILED: _(
        "Mediation did not succeed. You may still go to arbitration, sue in court, or ask the "
        "bank to handle the complaint again."
    ),
    DisputeStatus.IN_ARBITRATION: _("The arbitration commission is handling your case."),
    DisputeStatus.IN_LITIGATION: _("The case is before a court."),
    DisputeStatus.CLOSED: _("The case is closed. Thank you for your patience."),
    DisputeStatus.WITHDRAWN: _("You withdrew this dispute."),
}
# The same, for everyone else on the case (bank staff, partners, auditors): about the case,
# not addressed to its customer.
CASE_NEXT_STEPS = {
    DisputeStatus.SUBMITTED: _("The bank sets the legal-cause and urgency labels."),
    DisputeStatus.TRIAGED: _(
        "The branch prepares its legal and business plan, then chooses the track."
    ),
    DisputeStatus.BANK_HANDLING: _("The bank gives its written decision by the date shown."),
    DisputeStatus.FAST_LANE: _(
        "The bank refers the case to a mediation centre, which assigns a mediator within 3 "
        "working days of the referral."
    ),
    DisputeStatus.REFERRED: _(
        "With the mediation centre: a mediator is due within 3 working days of the referral."
    ),
    DisputeStatus.IN_MEDIATION: _(
        "In mediation: 30 days from the mediator's acceptance, longer only with both parties' "
        "consent."
    ),
    DisputeStatus.AGREEMENT_REACHED: _(
        "Agreement reached: the parties may jointly apply for judicial confirmation within 30 "
        "days of its effective date."
    ),
    DisputeStatus.MEDIATION_FAILED: _(
        "Mediation failed: arbitration, a lawsuit or the bank's own handling remain."
    ),
    DisputeStatus.IN_ARBITRATION: _("Before the arbitration commission."),
    DisputeStatus.IN_LITIGATION: _("Before a court."),
    DisputeStatus.CLOSED: _("Closed."),
    DisputeStatus.WITHDRAWN: _("Withdrawn by the customer."),
}


def next_step(dispute: Dispute, viewer: User) -> str:
    """What happens next, in words for this viewer and true of this case: no fast-lane offer
    above the threshold, no "the bank will decide" once it has."""
    status = DisputeStatus(dispute.status)
    if not dispute_access.is_dispute_customer(viewer, dispute):
        if status == DisputeStatus.BANK_HANDLING and dispute.decision_at:
            return str(_("The bank's decision is given: close the case once it is settled."))
        return str(CASE_NEXT_STEPS[status])
    if status == DisputeStatus.SUBMITTED and not dispute.fast_lane_eligible:
        return str(_("The bank will label your case within 1 day and give a plan within 3 days."))
    if status == DisputeStatus.BANK_HANDLING and dispute.decision_at:
        return str(
            _(
                "The bank gave its decision (below). If it settles your complaint, the case "
                "will be closed; if not, mediation, arbitration or a lawsuit remain open."
            )
        )
    return str(NEXT_STEPS[status])


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str
    reason: str
    actor_is_bank: bool


# Acts each party makes in its own name: the entry says whose it was ("客户已同意", "银行已同意")
# rather than "a party agreed" twice (issue 17).
BY_PARTY = {
    "confirmation.consented": {
        Role.CUSTOMER: _("The customer agreed to apply jointly for confirmation"),
        Role.STAFF: _("The bank agreed to apply jointly for confirmation"),
    },
    "extension.consented": {
        Role.CUSTOMER: _("The customer consented to extend the mediation period"),
        Role.STAFF: _("The bank consented to extend the mediation period"),
    },
    "proposal.accepted": {
        Role.CUSTOMER: _("The customer accepted the mediator's proposal"),
        Role.STAFF: _("The bank accepted the mediator's proposal"),
    },
    "agreement.signed": {
        Role.CUSTOMER: _("The customer signed the agreement"),
        Role.STAFF: _("The bank signed the agreement"),
    },
    "proposal.refused": {
        Role.CUSTOMER: _("The customer refused the mediator's proposal"),
        Role.STAFF: _("The bank refused the mediator's proposal"),
    },
}


def _label(action: str, role: str | None) -> str:
    by_party = BY_PARTY.get(action, {})
    return str(by_party.get(role) or EVENT_LABELS[action])  # type: ignore[call-overload]


# Whose reason each party may read: a centre's decline or failure, the mediator's withdrawal
# of a proposal, the customer's own withdrawals. Every other reason (staff withdrawing a
# referral, say) is the bank's note, shown to the bank only (access.reads_the_banks_notes).
REASONS_FOR_PARTIES = frozenset(
    {
        "referral.decline",
        "referral.fail",
        "proposal.withdrawn",
        "dispute.withdraw",
        "consent.withdrawn.mediation",
        "consent.withdrawn.personal_info",
        "dispute.mediation_refused",
        "dispute.leave_fast_lane",
        "session.cancelled",
        "agreement.draft_withdrawn",
    }
)
# The bank's drafts: a referral drafted, and one withdrawn before it was ever sent.
BANK_ONLY = frozenset({"referral.created"})


def dispute_timeline(dispute: Dispute, viewer: User) -> list[TimelineEntry]:
    """The case's history as `viewer` may read it (the events' rows as values: the entries need
    five of an event's and its actor's 36 columns, and no model instances)."""
    banks = dispute_access.reads_the_banks_notes(viewer)
    events = (
        AuditEvent.objects.filter(case_ref=dispute.reference, action__in=list(EVENT_LABELS))
        .order_by("seq")
        .values("created_at", "action", "reason", "from_state", role=F("actor__role"))
    )
    return [
        TimelineEntry(
            at=e["created_at"],
            label=_label(e["action"], e["role"]),
            reason=e["reason"] if banks or e["action"] in REASONS_FOR_PARTIES else "",
            actor_is_bank=e["role"] == Role.STAFF,
        )
        for e in events
        if banks or not _bank_only(e["action"], e["from_state"])
    ]


def _bank_only(action: str, from_state: str) -> bool:
    return action in BANK_ONLY or (action == "referral.withdraw" and from_state == "draft")
