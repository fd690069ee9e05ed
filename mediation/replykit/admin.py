"""The library is reference data an administrator keeps: an article added or superseded, a
claim type's template corrected. Every save is audited (AuditedAdmin); a template that does
not read, or cites what the library does not hold, is refused with the reason. Replies are
written in the portal only, and are read-only here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.admin_audit import AuditedAdmin

from . import library
from .models import ClaimPoint, ClaimType, EvidenceNeed, Reply, ReplyFrame, StatuteArticle


@admin.register(StatuteArticle)
class StatuteArticleAdmin(AuditedAdmin):
    list_display = ("short", "label", "number", "unit", "kind", "superseded_at")
    list_filter = ("short", "kind", ("superseded_at", admin.EmptyFieldListFilter))
    search_fields = ("law", "short", "label", "text")
    readonly_fields = ("added_at", "superseded_at")
    actions = ["supersede"]

    @admin.action(description=_("Mark as superseded (no longer cited in new replies)"))
    def supersede(self, request: HttpRequest, queryset: QuerySet[StatuteArticle]) -> None:
        count = library.articles_supersede(
            actor=request.user,
            article_ids=list(queryset.values_list("pk", flat=True)),
            note=str(_("marked in the admin")),
        )
        messages.success(request, _("%(n)d articles marked superseded.") % {"n": count})


class TemplateCheckedForm(forms.ModelForm):
    template_field = "reasoning"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get(self.template_field) or ""
        problems = library.check_template(text)
        if problems:
            self.add_error(self.template_field, "; ".join(problems))
        return data


class ClaimPointInline(admin.TabularInline):
    model = ClaimPoint
    extra = 0
    fields = ("kind", "position", "text", "articles")
    autocomplete_fields = ("articles",)


class EvidenceNeedInline(admin.TabularInline):
    model = EvidenceNeed
    extra = 0
    fields = ("side", "position", "label", "categories")


@admin.register(ClaimType)
class ClaimTypeAdmin(AuditedAdmin):
    form = TemplateCheckedForm
    list_display = ("name", "code", "category", "case_cause", "active")
    list_filter = ("category", "active")
    search_fields = ("name", "code", "claim")
    inlines = [ClaimPointInline, EvidenceNeedInline]


class FrameForm(TemplateCheckedForm):
    template_field = "template"


@admin.register(ReplyFrame)
class ReplyFrameAdmin(AuditedAdmin):
    form = FrameForm
    list_display = ("kind",)


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ("dispute", "kind", "status", "outcome", "granted_amount", "issued_at")
    list_filter = ("kind", "status", "outcome")
    search_fields = ("dispute__reference",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
