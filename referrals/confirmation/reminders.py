"""The parties' daily reminders about judicial confirmation (registered in ReferralsConfig):
the 30-day window to apply (CPL art. 205) at 10, 5 and 1 days before it closes, while nobody has
filed; and the performance of a confirmed agreement, the day before it is due and once overdue.
"""

from __future__ import annotations

from datetime import date

from mediation.lifecycle import DisputeStatus
from mediation.notify import parties
from portal.notifications import notify
from portal.notifications.reminders import threshold_reached
from referrals.centres.models import MediationAgreement
from referrals.confirmation.lifecycle import ConfirmationStatus
from referrals.confirmation.models import JudicialConfirmation

# Once an application is filed (or further), the window no longer needs a reminder.
APPLIED = [ConfirmationStatus.FILED, ConfirmationStatus.ACCEPTED, ConfirmationStatus.CONFIRMED]


def remind_confirmation_window(today: date) -> int:
    sent = 0
    agreements = (
        MediationAgreement.objects.filter(
            confirmation_window_ends__gte=today,
            referral__dispute__status=DisputeStatus.AGREEMENT_REACHED,
        )
        .exclude(referral__dispute__confirmations__status__in=APPLIED)
        .select_related("referral__dispute", "referral__dispute__customer")
    )
    for a in agreements:
        days_left = (a.confirmation_window_ends - today).days
        threshold = threshold_reached(days_left)
        if threshold is None:
            continue
        dispute = a.referral.dispute
        sent += len(
            notify(
                "confirmation_window",
                recipients=parties(dispute),
                case_ref=dispute.reference,
                url=dispute.get_absolute_url(),
                dedupe=f"window:{a.pk}:{threshold}",
                params={
                    "ref": dispute.reference,
                    "days": days_left,
                    "window": a.confirmation_window_ends,
                },
            )
        )
    return sent


def remind_performance(today: date) -> int:
    sent = 0
    confirmed = JudicialConfirmation.objects.filter(
        status=ConfirmationStatus.CONFIRMED, paid_on__isnull=True
    )
    for c in confirmed.select_related("agreement", "dispute", "dispute__customer"):
        due = c.agreement.performance_due
        params = {
            "ref": c.dispute.reference,
            "due": due,
            "amount": f"{c.agreement.amount:,.2f}",
            "until": c.enforcement_until,
        }
        if today > due:
            event, key = "performance_overdue", f"overdue:{c.pk}"
        elif (due - today).days <= 1:
            event, key = "performance_due", f"due:{c.pk}"
        else:
            continue
        sent += len(
            notify(
                event,
                recipients=parties(c.dispute),
                case_ref=c.dispute.reference,
                url=c.dispute.get_absolute_url(),
                dedupe=key,
                params=params,
            )
        )
    return sent
