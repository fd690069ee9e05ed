from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Disputes")

    def ready(self) -> None:
        """Fill the kernel's registries: API resources, home pages, daily reminders.
        (Imports here: the apps' models and views load only once Django's registry is ready.)"""
        from mediation import privacy as mediation_privacy
        from mediation.apis import DisputeViewSet, EvidenceViewSet
        from mediation.homes import (
            customer_home,
            draft_waiting,
            partner_home,
            staff_home,
            staff_waiting,
        )
        from mediation.notifications import EVENTS
        from mediation.reminders import remind_staff_of_clocks
        from mediation.services.claims import on_mobile_verified
        from mediation.services.representatives import principal_of
        from portal import jobs, privacy, waiting
        from portal.api_router import register_api
        from portal.audit import register_on_behalf
        from portal.models import Role
        from portal.notifications import reminders
        from portal.notifications.events import register_events
        from portal.services import mobile_verified
        from portal.views import register_home

        register_api("disputes", DisputeViewSet, basename="dispute")
        privacy.register("sections", mediation_privacy.dispute_sections)
        privacy.register("blockers", mediation_privacy.erasure_blockers)
        jobs.register(
            "retention", "closed cases' personal data removed", mediation_privacy.retention_run
        )
        register_api("evidence", EvidenceViewSet, basename="evidence")
        register_home(Role.CUSTOMER, customer_home)
        register_home(Role.STAFF, staff_home)
        register_home(Role.PARTNER, partner_home)
        waiting.register(staff_waiting)
        waiting.register(draft_waiting)
        register_on_behalf(principal_of)
        register_events(EVENTS)
        reminders.register("staff_clocks", remind_staff_of_clocks)
        mobile_verified.connect(on_mobile_verified, dispatch_uid="mediation.claim_recorded")
