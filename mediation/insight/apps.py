from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    """Management insight (seed 4.5, 4.7): daily roll-ups of the disputes kept by a recurring
    job, the dashboards that read them for head office (every branch) and a branch, and the hot
    spots a second job raises; the white paper; public-opinion items linked to the cases."""

    name = "mediation.insight"
    label = "insight"
    verbose_name = _("Management insight")

    def ready(self) -> None:
        from mediation import hooks
        from portal import jobs, waiting
        from portal.notifications.events import register_events

        from .hotspots import hotspots_raise, waiting_hotspots
        from .notifications import EVENTS
        from .opinion import CASE_LIST as OPINION_LIST
        from .opinion import case_panel as opinion_panel
        from .reports import monthly_report
        from .rollups import rollups_refresh

        jobs.register("insight_rollups", "management roll-ups refreshed (days)", rollups_refresh)
        jobs.register("hotspots", "hot spots raised", hotspots_raise)
        jobs.register("insight_monthly_report", "monthly complaint report made", monthly_report)
        register_events(EVENTS)
        waiting.register(waiting_hotspots)
        hooks.register("case_lists", OPINION_LIST)
        hooks.register("case_panels", opinion_panel)
