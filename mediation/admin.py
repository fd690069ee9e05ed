from django.contrib import admin
from django.http import HttpRequest

from mediation.models import Consent, Dispute, EvidenceItem, Product
from portal.admin_audit import AuditedAdmin


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = ("kind", "recipient", "text_version", "granted_at", "withdrawn_at")
    readonly_fields = fields


class EvidenceInline(ReadOnlyInline):
    model = EvidenceItem
    fields = ("title", "category", "content_type", "size", "sha256", "uploaded_at")
    readonly_fields = fields


@admin.register(Dispute)
class DisputeAdmin(AuditedAdmin):
    """Disputes change only through the portal's services: state is never edited by hand. The
    one thing an administrator sets here is a legal hold (litigation, a regulator's inquiry),
    which keeps the case's personal data past the retention period (mediation/privacy.py);
    each change is audited with its before and after."""

    list_display = (
        "reference",
        "customer",
        "branch",
        "category",
        "amount",
        "status",
        "next_deadline",
    )
    list_filter = ("status", "branch", "category", "fast_lane_eligible", "legal_hold")
    search_fields = ("reference", "customer__real_name", "customer__mobile")
    list_select_related = ("customer", "branch")
    inlines = [ConsentInline, EvidenceInline]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        editable = {"legal_hold", "legal_hold_reason"}
        return [f.name for f in Dispute._meta.fields if f.name not in editable]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    """The product register's risk levels, kept by an administrator (or loaded from the bank's
    product system): what the suitability check compares a customer's rating with. Each
    change is audited."""

    list_display = ("code", "name", "risk_level", "equity_share")
    list_filter = ("risk_level",)
    search_fields = ("code", "name")
