from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals and partners")

    def ready(self) -> None:
        """Fill the registries of the layers below: what partners may see of a dispute and
        when a customer's acceptance concludes it (mediation.hooks), the case page's panels,
        what closing a case and withdrawing a consent set off, the API resources, the auditor's
        home page, the recurring jobs and the daily reminders."""
        from mediation import hooks
        from portal import jobs, privacy, waiting
        from portal.api_router import register_api
        from portal.models import Role
        from portal.notifications import reminders
        from portal.notifications.events import register_events
        from portal.views import register_home
        from referrals import case_page
        from referrals import deadlines as referrals_deadlines
        from referrals import privacy as referrals_privacy
        from referrals import waiting as referrals_waiting
        from referrals.arbitration import access as arbitration_access
        from referrals.arbitration.apis import ArbitrationViewSet
        from referrals.bundles.apis import BundleViewSet
        from referrals.bundles.batch import class_panel as class_bundles_panel
        from referrals.bundles.services import bundle_requeue_stale
        from referrals.centres import access as referral_access
        from referrals.centres.apis import ReferralViewSet
        from referrals.confirmation import access as confirmation_access
        from referrals.confirmation.apis import ConfirmationViewSet
        from referrals.confirmation.application_form import confirmation_requeue_stale_forms
        from referrals.confirmation.reminders import remind_confirmation_window, remind_performance
        from referrals.notifications import EVENTS
        from referrals.outcomes import later_amounts, turnarounds
        from referrals.reviews.apis import ReviewViewSet
        from referrals.reviews.home import auditor_home
        from referrals.reviews.services import review_enqueue_due, review_schedule_on_close
        from referrals.webhooks.services import tell_partners_of_withdrawal, webhook_retry_due

        hooks.register(
            "partner_cases",
            referral_access.sent_to_centre,
            arbitration_access.before_commission,
            confirmation_access.at_court,
        )
        hooks.register("case_clocks", referrals_deadlines.case_clocks)
        hooks.register("class_panels", class_bundles_panel)
        hooks.register("later_amounts", later_amounts)
        hooks.register("turnarounds", turnarounds)
        hooks.register("customer_concluded", referral_access.customer_accepted_binding_proposal)
        hooks.register("on_closed", review_schedule_on_close)
        hooks.register("on_consent_withdrawn", tell_partners_of_withdrawal)
        hooks.register("on_pseudonymised", referrals_privacy.clear_case)
        privacy.register("sections", referrals_privacy.referral_sections)
        case_page.register()

        register_api("bundles", BundleViewSet, basename="bundle")
        register_api("referrals", ReferralViewSet, basename="referral")
        register_api("confirmations", ConfirmationViewSet, basename="confirmation")
        register_api("arbitrations", ArbitrationViewSet, basename="arbitration")
        register_api("reviews", ReviewViewSet, basename="review")
        register_home(Role.AUDITOR, auditor_home)
        for provider in referrals_waiting.PROVIDERS:
            waiting.register(provider)

        jobs.register("bundles", "bundle builds requeued or given up", bundle_requeue_stale)
        jobs.register(
            "confirmation_forms", "confirmation forms requeued", confirmation_requeue_stale_forms
        )
        jobs.register("reviews", "look-back reviews moved into the queue", review_enqueue_due)
        jobs.register("webhooks", "webhook deliveries queued again", webhook_retry_due)
        register_events(EVENTS)
        reminders.register("confirmation_window", remind_confirmation_window)
        reminders.register("performance", remind_performance)
