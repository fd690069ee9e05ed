from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.admin_audit import AuditedAdmin
from portal.audit import audit_record
from portal.forms import AdminSignInForm
from portal.models import (
    ApiToken,
    AuditEvent,
    Branch,
    CalendarDay,
    Delivery,
    PartnerOrganisation,
    SmsMessage,
    User,
)

# The admin's sign-in goes through the portal's one limiter, as the portal's own does.
admin.site.login_form = AdminSignInForm


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
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


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "region", "cooperation_agreement_ref", "is_active")
    list_filter = ("kind", "is_active", "region")
    search_fields = ("name", "region")


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


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Issue a token by adding one (the key is shown once); revoke with the action."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    fields = ("name", "user", "organisation")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_form(
        self, request: HttpRequest, obj: object = None, change: bool = False, **kwargs: object
    ) -> type:
        from django import forms

        class TokenForm(forms.ModelForm):
            organisation = forms.ModelChoiceField(
                queryset=PartnerOrganisation.objects.all(),
                required=False,
                help_text=_("For a partner organisation's system; leave empty for a person."),
            )

            class Meta:
                model = ApiToken
                fields = ("name", "user")

            def __init__(self, *args: object, **kw: object) -> None:
                super().__init__(*args, **kw)  # type: ignore[arg-type]
                self.fields["user"].required = False

        return TokenForm

    def save_model(self, request: HttpRequest, obj: ApiToken, form: object, change: bool) -> None:
        from portal.api_auth import token_issue, token_issue_for_organisation

        if change:
            return
        data = form.cleaned_data  # type: ignore[attr-defined]
        if data.get("organisation"):
            token, key = token_issue_for_organisation(
                name=data["name"], organisation=data["organisation"]
            )
        else:
            token, key = token_issue(name=data["name"], user=data["user"])
        obj.pk = token.pk
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action="admin.token_issued",
            target=token,
            case_ref="",
            data={"name": token.name, "user": token.user_id, "prefix": token.prefix},
        )
        messages.warning(request, _("The token key, shown only now: %(key)s") % {"key": key})

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: object) -> None:
        from portal.api_auth import token_revoke

        for token in queryset:  # type: ignore[attr-defined]
            token_revoke(token=token)
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action="admin.token_revoked",
                target=token,
                case_ref="",
                data={"prefix": token.prefix},
            )

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notification", "channel", "address", "status", "attempts", "sent_at")
    list_filter = ("status", "channel")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    """What the database SMS backend sent (development): read-only."""

    list_display = ("created_at", "to", "text")
    search_fields = ("to",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# The second factor's authenticators (django-allauth MFA): an administrator only sees them and
# resets a person's (deleting them, audited), e.g. after a lost phone; the person enrols again
# at the next sign-in. The secrets stay encrypted and out of the form.
admin.site.unregister(Authenticator)
admin.site.unregister(EmailAddress)  # the portal keeps email on User; allauth's list is unused


@admin.register(Authenticator)
class AuthenticatorAdmin(AuditedAdmin):
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__username", "user__real_name")
    list_select_related = ("user",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
