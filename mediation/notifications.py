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
    "clock_due_soon": EventType(
        _("Deadline soon"),
        _("%(ref)s: deadline on %(due)s"),
        _("A service target or statutory clock on this case falls due soon."),
    ),
    "clock_overdue": EventType(
        _("Deadline missed"),
        _("%(ref)s: deadline of %(due)s missed"),
        _("A service target or statutory clock on this case is overdue."),
    ),
    "return_visit": EventType(
        _("Return visit"),
        _("How did we handle %(ref)s?"),
        _("Please rate the handling of your case (1 to 5) within 7 days."),
    ),
}
