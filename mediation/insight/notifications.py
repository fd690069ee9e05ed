"""The management insight's events (registered in InsightConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.models import Role
from portal.notifications.events import EventType

EVENTS: dict[str, EventType] = {
    "hotspot_raised": EventType(
        _("Hot spot"),
        _("More complaints than usual: %(what)s"),
        _(
            "%(n)s complaints in the last seven days against about %(expected)s expected. "
            "Look into the cases behind it."
        ),
        roles=frozenset({Role.STAFF}),
    ),
    "figures_monthly_report": EventType(
        _("Monthly complaint report"),
        _("The complaint figures of %(period)s"),
        _("Last month's complaint figures for every branch are ready as a PDF."),
        roles=frozenset({Role.STAFF}),
    ),
}
