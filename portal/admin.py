from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEvent, Branch, CalendarDay, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "real_name", "role", "branch", "organisation", "is_active")
    list_filter = ("role", "branch", "organisation", "is_active")
    search_fields = ("username", "real_name", "mobile", "email")
    list_select_related = ("branch", "organisation")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Portal role"),
            {
                "fields": (
                    "role",
                    "real_name",
                    "mobile",
                    "id_number",
                    "branch",
                    "organisation",
                    "partner_role",
                )
            },
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (
            _("Portal role"),
            {"fields": ("role", "real_name", "mobile", "branch", "organisation", "partner_role")},
        ),
    )


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_head_office")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the chain is append-only and verified by `manage.py verify_audit`."""

    list_display = (
        "seq",
        "created_at",
        "actor_label",
        "action",
        "case_ref",
        "from_state",
        "to_state",
    )
    list_filter = ("action",)
    search_fields = ("case_ref", "actor_label", "action")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
