"""The reply toolkit's events (registered in ReplykitConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.models import Role
from portal.notifications.events import EventType

STAFF_ONLY = frozenset({Role.STAFF})
CUSTOMERS_ONLY = frozenset({Role.CUSTOMER})

EVENTS: dict[str, EventType] = {
    "reply_to_approve": EventType(
        _("Reply to approve"),
        _("A reply on %(ref)s waits for your approval"),
        _(
            "%(author)s wrote it. It refuses a claim, or grants more than one member of staff "
            "may issue alone: approve it, or send it back with a reason."
        ),
        roles=STAFF_ONLY,
    ),
    "reply_sent_back": EventType(
        _("Reply sent back"),
        _("Your reply on %(ref)s was sent back"),
        _("What to change: %(reason)s"),
        roles=STAFF_ONLY,
    ),
    "letter_ready": EventType(
        _("The bank's letter"),
        _("The bank's letter on %(ref)s"),
        _("%(title)s is ready: read and download it on your case page."),
        legal=True,
        roles=CUSTOMERS_ONLY,
    ),
    "evidence_asked": EventType(
        _("Evidence asked for"),
        _("The bank asks for evidence on %(ref)s"),
        _("Please upload on your case page: %(evidence)s."),
        roles=CUSTOMERS_ONLY,
    ),
}
