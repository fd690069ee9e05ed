"""Partner organisations: mediation centres, arbitration commissions and courts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
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


class BundleStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class BundleQuerySet(models.QuerySet["Bundle"]):
    def ready(self) -> BundleQuerySet:
        return self.filter(status=BundleStatus.READY)


class Bundle(models.Model):
    """An evidence bundle for one recipient. Immutable once ready: a new one is a new version,
    and a failed build keeps the previous version current."""

    dispute = models.ForeignKey(
        "mediation.Dispute", on_delete=models.PROTECT, related_name="bundles"
    )
    recipient_kind = models.CharField(
        _("recipient kind"), max_length=30, choices=OrganisationKind.choices
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bundles",
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=BundleStatus.choices, default=BundleStatus.QUEUED
    )
    failure_reason = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="bundles/", max_length=200, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    zip = models.FileField(_("ZIP"), upload_to="bundles/", max_length=200, blank=True)
    zip_sha256 = models.CharField(_("ZIP SHA-256"), max_length=64, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), default=0)

    objects = BundleQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence bundle")
        verbose_name_plural = _("evidence bundles")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "recipient_kind", "version"], name="bundle_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.recipient_kind} v{self.version}"


class BundleExhibit(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="exhibits")
    number = models.PositiveIntegerField(_("exhibit number"))
    evidence = models.ForeignKey(
        "mediation.EvidenceItem", on_delete=models.PROTECT, related_name="+"
    )
    first_page = models.PositiveIntegerField(null=True, blank=True)
    last_page = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "number"], name="bundle_exhibit_number")
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id} E{self.number}"
