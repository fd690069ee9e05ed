"""The classes' events (registered in ProblemsConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.models import Role
from portal.notifications.events import EventType

EVENTS: dict[str, EventType] = {
    "class_offer": EventType(
        _("Settlement offer"),
        _("The bank offers to settle your complaint %(ref)s"),
        _(
            "The bank offers you %(amount)s yuan to settle complaint %(ref)s. Read the offer "
            "in full and accept or decline it: declining leaves your complaint as it is."
        ),
        roles=frozenset({Role.CUSTOMER}),
    )
}
