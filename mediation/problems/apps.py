from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    """Classes of problems (一类问题, seed chapter 5; issue 22): disputes grouped under one
    root cause, legal characterisation and compensation rule; an offer to each person, accepted
    as a binding act; advance payments; rectification tracked to done; complaints measured
    before and after."""

    name = "mediation.problems"
    label = "problems"
    verbose_name = _("Classes of problems")

    def ready(self) -> None:
        from mediation import hooks
        from portal import waiting
        from portal.notifications.events import register_events

        from .notifications import EVENTS
        from .offers import CASE_LIST, case_panel, waiting_offers

        register_events(EVENTS)
        waiting.register(waiting_offers)
        hooks.register("case_lists", CASE_LIST)
        hooks.register("case_panels", case_panel)
        from mediation.insight.hotspots import PANELS

        from .views import hotspot_panel

        PANELS.append(hotspot_panel)
