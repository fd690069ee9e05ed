"""Evidence bundles: one version per build, for one recipient."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import OrganisationKind, PartnerOrganisation


class BundleStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def being_built(bundles: list[Bundle]) -> bool:
    """Whether a case page should keep asking: one of its bundles is queued or building."""
    return any(b.status in (BundleStatus.QUEUED, BundleStatus.BUILDING) for b in bundles)


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
        _("status"), max_length=20, choices=BundleStatus, default=BundleStatus.QUEUED
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
