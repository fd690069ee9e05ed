"""The events of referrals, sessions, proposals and agreements, judicial confirmation,
arbitration and look-back reviews that notify someone (registered with
portal.notifications.events in ReferralsConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.models import Role
from portal.notifications.events import EventType

STAFF_ONLY = frozenset({Role.STAFF})
AUDITORS_ONLY = frozenset({Role.AUDITOR})

EVENTS: dict[str, EventType] = {
    "referral_sent": EventType(
        _("Referral sent"),
        _("Case %(ref)s sent to %(org)s"),
        _("The mediation centre %(org)s received case %(ref)s."),
    ),
    "referral_accepted": EventType(
        _("Referral accepted"),
        _("%(org)s accepted case %(ref)s"),
        _("Mediator: %(mediator)s. The mediation period ends on %(due)s."),
    ),
    "referral_declined": EventType(
        _("Referral declined"),
        _("%(org)s declined case %(ref)s"),
        _("Reason: %(reason)s. The bank may refer the case to another centre."),
    ),
    "session_scheduled": EventType(
        _("Session scheduled"),
        _("Mediation session for %(ref)s on %(when)s"),
        _("Mode: %(mode)s. Place or link: %(place)s."),
    ),
    "session_moved": EventType(
        _("Session moved"),
        _("Mediation session for %(ref)s moved to %(when)s"),
        _("Place or link: %(place)s."),
    ),
    "session_cancelled": EventType(
        _("Session cancelled"),
        _("The mediation session for %(ref)s on %(when)s is cancelled"),
        _("Reason: %(reason)s. The centre will propose another time."),
    ),
    "proposal_awaiting": EventType(
        _("Proposal awaiting an answer"),
        _("The mediator made a proposal on %(ref)s"),
        _("The bank pays %(amount)s yuan. Please accept or refuse it in the portal."),
    ),
    "proposal_withdrawn": EventType(
        _("Proposal withdrawn"),
        _("The mediator withdrew the proposal on %(ref)s"),
        _("The proposal of %(amount)s yuan no longer stands; nothing needs your answer."),
    ),
    "agreement_to_sign": EventType(
        _("Agreement to sign"),
        _("The mediation agreement on %(ref)s waits for your signature"),
        _(
            "The bank pays %(amount)s yuan. Read and sign it in the portal; it takes effect "
            "once both parties have signed and the centre has sealed it."
        ),
        legal=True,
    ),
    "agreement_draft_withdrawn": EventType(
        _("Agreement withdrawn"),
        _("The mediator withdrew the agreement for signing on %(ref)s"),
        _("Reason: %(reason)s. Nothing needs your signature now."),
    ),
    "agreement_recorded": EventType(
        _("Agreement recorded"),
        _("Mediation agreement on %(ref)s"),
        _(
            "The agreement took effect on %(effective)s. The parties may ask a court to confirm "
            "it until %(window)s."
        ),
        legal=True,
    ),
    "confirmation_window": EventType(
        _("Judicial-confirmation window closing"),
        _("%(days)s days left to apply for judicial confirmation of %(ref)s"),
        _("The 30-day window closes on %(window)s (CPL art. 205)."),
        legal=True,
    ),
    "confirmation_join_customer": EventType(
        _("Judicial-confirmation application to join"),
        _("The bank asks you to apply jointly for judicial confirmation of %(ref)s"),
        _(
            "Court: %(court)s. Read the application and join it in the portal by %(window)s "
            "(CPL art. 205)."
        ),
        legal=True,
    ),
    "confirmation_join_bank": EventType(
        _("Customer applied for judicial confirmation"),
        _("The customer applied for judicial confirmation of %(ref)s"),
        _(
            "Court: %(court)s. The application is joint: agree to it on the case and file it "
            "by %(window)s (CPL art. 205)."
        ),
        legal=True,
        roles=STAFF_ONLY,
    ),
    "court_accepted": EventType(
        _("Court acceptance"),
        _("The court accepted the application on %(ref)s"),
        _("Case number %(number)s. The ruling is due by %(due)s."),
        legal=True,
    ),
    "court_ruling": EventType(
        _("Court ruling"),
        _("The court ruled on %(ref)s: %(outcome)s"),
        _("Ruling %(number)s. A party may object within 15 days of receipt."),
        legal=True,
    ),
    "performance_due": EventType(
        _("Performance due"),
        _("Payment under the agreement on %(ref)s is due on %(due)s"),
        _("Amount: %(amount)s yuan."),
        legal=True,
    ),
    "performance_overdue": EventType(
        _("Performance overdue"),
        _("Payment under the agreement on %(ref)s is overdue"),
        _("It was due on %(due)s. Enforcement may be applied for until %(until)s."),
        legal=True,
    ),
    "arbitration_milestone": EventType(
        _("Arbitration milestone"), _("Arbitration of %(ref)s: %(milestone)s"), _("%(commission)s.")
    ),
    "review_due": EventType(
        _("Look-back review due"),
        _("Look-back review of %(ref)s is due"),
        _("The review is in the auditors' queue."),
        roles=AUDITORS_ONLY,
    ),
}
