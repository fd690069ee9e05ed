from django.contrib import admin

from referrals.models import PartnerOrganisation


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "cooperation_agreement_ref", "is_active")
    list_filter = ("kind", "is_active", "region")
    search_fields = ("name", "region")
