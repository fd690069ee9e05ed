from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal.admin_audit import AuditedAdmin
from referrals.models import Bundle, BundleExhibit, WebhookDelivery, WebhookEndpoint


class BundleExhibitInline(admin.TabularInline):
    model = BundleExhibit
    fields = ("number", "evidence", "first_page", "last_page")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    """Bundles are immutable: built by the worker, never edited by hand."""

    list_display = ("dispute", "recipient_kind", "version", "status", "page_count", "requested_at")
    list_filter = ("status", "recipient_kind")
    search_fields = ("dispute__reference",)
    list_select_related = ("dispute",)
    inlines = [BundleExhibitInline]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [f.name for f in Bundle._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdmin):
    """The signing secret is generated on creation and shown once, in the message after saving;
    the form never shows it again (a new one: clear the endpoint and make another)."""

    list_display = ("organisation", "url", "is_active", "created_at")
    list_filter = ("is_active",)

    fields = ("organisation", "url", "is_active")

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        created = obj.pk is None
        super().save_model(request, obj, form, change)
        if created:
            messages.warning(
                request,
                _(
                    "Signing secret for %(url)s: %(secret)s — give it to the partner now; it is "
                    "not shown again."
                )
                % {"url": obj.url, "secret": obj.secret},
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what was sent to whom, how often, and the last answer."""

    list_display = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "event")
    readonly_fields = (
        "endpoint",
        "event",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
