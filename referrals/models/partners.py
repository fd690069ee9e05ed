"""Partner organisations: mediation centres, arbitration commissions and courts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MEDIATION_CENTRE = "mediation_centre", _("Mediation centre")
    ARBITRATION_COMMISSION = "arbitration_commission", _("Arbitration commission")
    COURT = "court", _("Court")


class PartnerOrganisationQuerySet(models.QuerySet["PartnerOrganisation"]):
    def active(self) -> PartnerOrganisationQuerySet:
        return self.filter(is_active=True)


class PartnerOrganisation(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    region = models.CharField(_("region"), max_length=60)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    cooperation_agreement_ref = models.CharField(
        _("cooperation agreement reference (诉调对接协议)"), max_length=60, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = PartnerOrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
