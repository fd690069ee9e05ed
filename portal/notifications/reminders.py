"""The daily reminders (`manage.py send_due_reminders`).

Idempotent: every reminder carries a dedupe key of its deadline and threshold, so running the
job twice notifies nobody twice; and it looks at every deadline still ahead or just missed, so
a day the job did not run is caught up the next day (with the most urgent threshold reached).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from mediation.models import Dispute
from portal.notifications import notify
from portal.notifications.audience import branch_staff, case_url, parties

WINDOW_THRESHOLDS = (10, 5, 1)


def _threshold(days_left: int) -> int | None:
    reached = [t for t in WINDOW_THRESHOLDS if days_left <= t]
    return min(reached) if reached else None


def send_due_reminders(*, today: date) -> int:
    from referrals.models import JudicialConfirmation, MediationAgreement

    sent = 0
    # Judicial-confirmation window: 10, 5 and 1 days before it closes, while nobody has filed.
    agreements = (
        MediationAgreement.objects.filter(
            confirmation_window_ends__gte=today,
            referral__dispute__status="agreement_reached",
        )
        .exclude(referral__dispute__confirmations__status__in=["filed", "accepted", "confirmed"])
        .select_related("referral__dispute", "referral__dispute__customer")
    )
    for a in agreements:
        days_left = (a.confirmation_window_ends - today).days
        threshold = _threshold(days_left)
        if threshold is None:
            continue
        dispute = a.referral.dispute
        sent += len(
            notify(
                "confirmation_window",
                recipients=parties(dispute),
                case_ref=dispute.reference,
                url=case_url(dispute),
                dedupe=f"window:{a.pk}:{threshold}",
                params={
                    "ref": dispute.reference,
                    "days": days_left,
                    "window": a.confirmation_window_ends,
                },
            )
        )
    # Performance of confirmed agreements: the day before it is due, and once overdue.
    confirmed = JudicialConfirmation.objects.filter(status="confirmed", paid_on__isnull=True)
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
                url=case_url(c.dispute),
                dedupe=key,
                params=params,
            )
        )
    # Staff: 1357 targets and statutory clocks due within 2 days, or missed.
    soon = (
        Dispute.objects.open()
        .filter(Q(next_deadline__lte=today + timedelta(days=2)))
        .select_related("branch")
    )
    for d in soon:
        assert d.next_deadline is not None
        overdue = d.next_deadline < today
        event = "clock_overdue" if overdue else "clock_due_soon"
        sent += len(
            notify(
                event,
                recipients=branch_staff(d),
                case_ref=d.reference,
                url=case_url(d),
                dedupe=f"{event}:{d.pk}:{d.next_deadline}",
                params={"ref": d.reference, "due": d.next_deadline},
            )
        )
    return sent
