"""mediation's daily reminder: staff hear of 1357 targets and statutory clocks due within two
days, or missed (registered with portal.notifications.reminders in MediationConfig.ready())."""

from __future__ import annotations

from datetime import date, timedelta

from mediation.models import Dispute
from mediation.notify import branch_staff
from portal.notifications import notify

# Staff are warned this many days before a clock runs out.
CLOCK_WARNING_DAYS = 2


def remind_staff_of_clocks(today: date) -> int:
    sent = 0
    soon = (
        Dispute.objects.open()
        .filter(next_deadline__lte=today + timedelta(days=CLOCK_WARNING_DAYS))
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
                url=d.get_absolute_url(),
                dedupe=f"{event}:{d.pk}:{d.next_deadline}",
                params={"ref": d.reference, "due": d.next_deadline},
            )
        )
    return sent
