"""The clocks the work with partners runs on a case (registered with mediation.hooks in
ReferralsConfig.ready()): shown on the case page beside the bank's own, and counted in the
case's next deadline, so the queues and homes keep a date once a case leaves the bank's hands
(issue 17: "deadlines vanish once a case enters the fast lane")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mediation.lifecycle import DisputeStatus
from mediation.models import Clock, Dispute
from referrals.arbitration.lifecycle import ArbitrationStatus
from referrals.centres.lifecycle import ReferralStatus
from referrals.confirmation.lifecycle import ConfirmationStatus
from referrals.models import ArbitrationCase, JudicialConfirmation, MediationAgreement, Referral

# A confirmation that reached the court stops the application window.
_BEFORE_THE_COURT = [ConfirmationStatus.PREPARING, ConfirmationStatus.WITHDRAWN]


def case_clocks(dispute: Dispute) -> list[Clock]:
    """Only the states that have such clocks read the database (none on the bank's track)."""
    if dispute.status == DisputeStatus.REFERRED:
        return [
            Clock("assignment", _("Mediator assigned (3 working days)"), due, False, True)
            for due in Referral.objects.filter(
                dispute=dispute,
                status__in=[ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED],
                assignment_due__isnull=False,
            ).values_list("assignment_due", flat=True)
            if due is not None
        ]
    if dispute.status == DisputeStatus.AGREEMENT_REACHED:
        return _agreement_clocks(dispute)
    if dispute.status == DisputeStatus.IN_ARBITRATION:
        clocks = []
        for case in ArbitrationCase.objects.filter(
            dispute=dispute, status__in=[ArbitrationStatus.FILED, ArbitrationStatus.ACCEPTED]
        ):
            if case.status == ArbitrationStatus.FILED and case.acceptance_due:
                clocks.append(
                    Clock(
                        "arbitration_acceptance",
                        _("Commission decides on acceptance (5 days)"),
                        case.acceptance_due,
                        False,
                        True,
                    )
                )
            elif case.target_due:
                clocks.append(
                    Clock("award", _("Award (45-day target)"), case.target_due, False, False)
                )
        return clocks
    return []


def _agreement_clocks(dispute: Dispute) -> list[Clock]:
    agreement = (
        MediationAgreement.objects.filter(referral__dispute=dispute)
        .order_by("-recorded_at")
        .first()
    )
    if agreement is None:
        return []
    confirmations = list(JudicialConfirmation.objects.filter(dispute=dispute))
    filed = any(c.status not in _BEFORE_THE_COURT for c in confirmations)
    paid = any(c.paid_on for c in confirmations)
    clocks = [
        Clock(
            "confirmation_window",
            _("Apply for judicial confirmation (30 days)"),
            agreement.confirmation_window_ends,
            filed,
            True,
        ),
        Clock(
            "performance",
            _("The bank performs the agreement"),
            agreement.performance_due,
            paid,
            False,
        ),
    ]
    for c in confirmations:
        if c.status == ConfirmationStatus.FILED and c.acceptance_due:
            clocks.append(
                Clock(
                    "court_acceptance",
                    _("Court decides on acceptance (3 days)"),
                    c.acceptance_due,
                    False,
                    True,
                )
            )
        elif c.status == ConfirmationStatus.ACCEPTED and c.decision_due:
            clocks.append(
                Clock(
                    "court_ruling", _("Court rules on the application"), c.decision_due, False, True
                )
            )
    return clocks
