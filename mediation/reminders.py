"""mediation's daily reminder to bank staff (registered with portal.notifications.reminders in
MediationConfig.ready()): how many of their cases have missed a 1357 target or statutory clock,
and how many fall due within CLOCK_WARNING_DAYS.

One notice a day for each member of staff, counted per branch in one query (head office: all
branches), rather than one per case: the work is bounded by the number of staff, not of open
cases, and a branch with a backlog of thousands gets one line it can act on.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from mediation.models import Dispute
from portal.models import Role, User
from portal.notifications import notify

# Staff are warned this many days before a clock runs out.
CLOCK_WARNING_DAYS = 2


def clock_counts(today: date) -> dict[int, tuple[int, int]]:
    """Per branch id: (open cases overdue, open cases due within CLOCK_WARNING_DAYS)."""
    rows = (
        Dispute.objects.open()
        .filter(next_deadline__lte=today + timedelta(days=CLOCK_WARNING_DAYS))
        .values("branch")
        .annotate(
            overdue=Count("pk", filter=Q(next_deadline__lt=today)),
            soon=Count("pk", filter=Q(next_deadline__gte=today)),
        )
    )
    return {row["branch"]: (row["overdue"], row["soon"]) for row in rows}


def remind_staff_of_clocks(today: date) -> int:
    per_branch = clock_counts(today)
    everywhere = (
        sum(overdue for overdue, _soon in per_branch.values()),
        sum(soon for _overdue, soon in per_branch.values()),
    )
    sent = 0
    staff = User.objects.filter(role=Role.STAFF, is_active=True).select_related("branch")
    for member in staff.iterator():
        if member.branch is not None and member.branch.is_head_office:
            overdue, soon = everywhere
        else:
            overdue, soon = per_branch.get(member.branch_id or 0, (0, 0))
        if not overdue and not soon:
            continue
        event = "clock_overdue" if overdue else "clock_due_soon"
        clock = "overdue" if overdue else "due_soon"
        sent += len(
            notify(
                event,
                recipients=[member],
                url=f"{reverse('mediation:queue')}?{urlencode({'clock': clock})}",
                dedupe=f"{event}:{member.pk}:{today}",
                params={"overdue": overdue, "soon": soon, "days": CLOCK_WARNING_DAYS},
            )
        )
    return sent
