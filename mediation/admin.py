from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from mediation.models import Consent, Dispute, EvidenceItem, Product, TriageRule
from mediation.triage import HitRate, hit_rate, urgency_hit_rate, with_hit_rates
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


def _rate(hits: HitRate) -> str:
    if not hits.labelled:
        return "—"
    return f"{hits.kept}/{hits.labelled} ({hits.rate:.0%})"


@admin.register(TriageRule)
class TriageRuleAdmin(AuditedAdmin):
    """The triage suggestion table (mediation/triage.py), read top to bottom, with each rule's
    hit rate: of the cases staff labelled after it suggested a cause, how many kept it. The
    table's overall rate is in the page's heading."""

    list_display = ("position", "keywords", "cause", "urgency", "active", "hit_rate")
    list_display_links = ("keywords",)
    list_editable = ("position", "active")
    list_filter = ("active", "urgency")
    search_fields = ("keywords", "cause")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TriageRule]:
        return with_hit_rates(super().get_queryset(request))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        title = _(
            "Triage rules: suggested causes kept by staff %(causes)s, urgencies %(urgencies)s"
        ) % {"causes": _rate(hit_rate()), "urgencies": _rate(urgency_hit_rate())}
        return super().changelist_view(request, {**(extra_context or {}), "title": title})

    @admin.display(description=_("suggested causes kept"))
    def hit_rate(self, rule: TriageRule) -> str:
        return _rate(HitRate(rule.labelled, rule.kept))  # type: ignore[attr-defined]
