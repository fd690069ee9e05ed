from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal import jobs, second_factor
        from portal.middleware import stamp_session
        from portal.notifications import retry_deliveries

        user_logged_in.connect(stamp_session, dispatch_uid="portal.stamp_session")
        user_logged_in.connect(second_factor.on_signed_in, dispatch_uid="portal.second_factor")
        jobs.register("deliveries", "deliveries queued again", retry_deliveries)
        jobs.register("reminders", "reminder notifications", _send_todays_reminders)
        jobs.register("exports", "expired data copies deleted", _expire_exports)
        jobs.register("seals", "binding acts queued to be sealed again", _seal_retry)


def _seal_retry() -> int:
    from portal.binding import seal_retry

    return seal_retry()


def _send_todays_reminders() -> int:
    from django.utils import timezone

    from portal.notifications.reminders import send_due_reminders

    return send_due_reminders(today=timezone.localdate())


def _expire_exports() -> int:
    from portal.privacy import exports_expire

    return exports_expire()
