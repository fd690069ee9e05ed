"""The events about a dispute itself that notify someone (registered with
portal.notifications.events in MediationConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.models import Role
from portal.notifications.events import EventType

STAFF_ONLY = frozenset({Role.STAFF})

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
    "mediation_requested": EventType(
        _("Mediation asked for"),
        _("The customer asks for mediation on %(ref)s"),
        _(
            "The claim is above the fast lane's threshold. Agree, or refuse with a good reason "
            "the customer will read (银行保险机构消费者权益保护管理办法 art. 16)."
        ),
        legal=True,
        roles=STAFF_ONLY,
    ),
    "mediation_agreed": EventType(
        _("Mediation agreed"),
        _("The bank agreed to mediate %(ref)s"),
        _(
            "The bank will propose a mediation centre; your information goes to it only once "
            "you consent to that centre on the case page."
        ),
    ),
    "mediation_refused": EventType(
        _("Mediation refused"),
        _("The bank refused mediation on %(ref)s"),
        _(
            "The bank's reason: %(reason)s. The bank answers your complaint on the standard "
            "track; arbitration and the courts remain open to you."
        ),
        legal=True,
    ),
    "representative_authorised": EventType(
        _("Agent authorised"),
        _("%(customer)s authorised %(agent)s to act on case %(ref)s"),
        _(
            "The agent acts on this case only, as the customer would; each act is recorded as "
            "done for the customer."
        ),
        legal=True,
    ),
    "representative_revoked": EventType(
        _("Agent's authorisation revoked"),
        _("%(customer)s revoked %(agent)s's authorisation on case %(ref)s"),
        _("From now on the agent can no longer see or act on this case."),
        legal=True,
    ),
    "review_requested": EventType(
        _("Review asked for"),
        _("The customer asks for a review of the decision on %(ref)s"),
        _(
            "Someone other than the person who gave the decision decides it, by %(due)s "
            "(银行业保险业消费投诉处理管理办法 art. 26)."
        ),
        legal=True,
        roles=STAFF_ONLY,
    ),
    "review_decided": EventType(
        _("Review decided"),
        _("The bank's review of its decision on %(ref)s: %(outcome)s"),
        _("%(text)s"),
        legal=True,
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
        roles=STAFF_ONLY,
    ),
    "clock_overdue": EventType(
        _("Deadlines missed"),
        _("%(overdue)s of your cases are overdue"),
        _(
            "A service target or statutory clock has passed on %(overdue)s cases, and %(soon)s "
            "more fall due within %(days)s days. The queue lists them under the clock filter "
            "“overdue”."
        ),
        roles=STAFF_ONLY,
    ),
    "case_assigned": EventType(
        _("A case given to you"),
        _("%(ref)s is now yours to handle"),
        _("%(by)s gave you case %(ref)s to handle. Its next deadline is on the case page."),
        roles=STAFF_ONLY,
    ),
    "return_visit": EventType(
        _("Return visit"),
        _("How did we handle %(ref)s?"),
        _("Please rate the handling of your case (1 to 5) within 7 days."),
    ),
}
