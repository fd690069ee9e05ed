"""The events about a dispute itself that notify someone (registered with
portal.notifications.events in MediationConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import EventType

EVENTS: dict[str, EventType] = {
    "dispute_received": EventType(
        _("Dispute received"),
        _("Your dispute %(ref)s has been received"),
        _(
            "The bank will give its decision by %(due)s at the latest. You can follow the case "
            "in the portal."
        ),
        legal=True,
    ),
    "lane_decided": EventType(
        _("Fast-lane decision"), _("Mediation fast lane: %(lane)s"), _("Dispute %(ref)s: %(lane)s")
    ),
    "opt_in_confirmed": EventType(
        _("Fast lane confirmed"),
        _("Your case %(ref)s is in the mediation fast lane"),
        _(
            "The bank will refer it to a partner mediation centre; a mediator is due within 3 "
            "working days of the referral."
        ),
    ),
    # One a day for each member of staff, counting their cases (not one per case: a branch
    # with a backlog would drown in them).
    "clock_due_soon": EventType(
        _("Deadlines soon"),
        _("%(soon)s of your cases fall due within %(days)s days"),
        _("The queue lists them under the clock filter “due soon”."),
    ),
    "clock_overdue": EventType(
        _("Deadlines missed"),
        _("%(overdue)s of your cases are overdue"),
        _(
            "A service target or statutory clock has passed on %(overdue)s cases, and %(soon)s "
            "more fall due within %(days)s days. The queue lists them under the clock filter "
            "“overdue”."
        ),
    ),
    "return_visit": EventType(
        _("Return visit"),
        _("How did we handle %(ref)s?"),
        _("Please rate the handling of your case (1 to 5) within 7 days."),
    ),
}
