"""Arbitration of suitability disputes, and litigation records."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mediation.models import OnADispute
from portal.choices import ChoiceLabel
from portal.models import PartnerOrganisation
from referrals.arbitration.lifecycle import ArbitrationLifecycle, ArbitrationStatus


class AwardKind(models.TextChoices):
    PARTIAL = "partial", _("Partial award (先行裁决)")
    FINAL = "final", _("Award")
    MEDIATION_DOCUMENT = "mediation_document", _("Mediation document")


class ArbitrationCase(OnADispute, ArbitrationLifecycle):
    status_label = ChoiceLabel(ArbitrationStatus, "status")
    dispute = models.ForeignKey(
        "mediation.Dispute", on_delete=models.PROTECT, related_name="arbitrations"
    )
    commission = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("arbitration commission"),
        on_delete=models.PROTECT,
        related_name="arbitrations",
    )
    agreement_signed_on = models.DateField(_("arbitration agreement signed on"))
    agreement_document = models.ForeignKey(
        "mediation.EvidenceItem",
        verbose_name=_("written arbitration agreement"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    acceptance_due = models.DateField(_("acceptance due"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    case_number = models.CharField(_("commission case number"), max_length=60, blank=True)
    target_due = models.DateField(_("45-day target"), null=True, blank=True)
    award_on = models.DateField(_("award made on"), null=True, blank=True)
    correction_until = models.DateField(_("correction may be asked until"), null=True, blank=True)
    set_aside_until = models.DateField(
        _("setting aside may be applied for until"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("arbitration case")
        verbose_name_plural = _("arbitration cases")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.dispute_id} @ {self.commission_id}"

    # The audit chain's view of it (portal.transitions.Audited; the case from OnADispute).
    audit_prefix = "arbitration"

    def audit_data(self) -> dict[str, Any]:
        return {"case": self.pk}


class ArbitrationDecision(models.Model):
    case = models.ForeignKey(ArbitrationCase, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("kind"), max_length=20, choices=AwardKind)
    made_on = models.DateField(_("made on"))
    summary = models.TextField(_("summary"))
    amount = models.DecimalField(
        _("amount the bank pays (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    document = models.ForeignKey(
        "mediation.EvidenceItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["made_on", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.made_on}"


class LitigationRecord(models.Model):
    """When mediation fails or a confirmation is rejected, the court case, so the timeline
    stays whole."""

    dispute = models.ForeignKey(
        "mediation.Dispute", on_delete=models.PROTECT, related_name="litigations"
    )
    court_name = models.CharField(_("court"), max_length=120)
    case_number = models.CharField(_("case number"), max_length=60)
    filed_on = models.DateField(_("filed on"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["filed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.court_name} {self.case_number}"
