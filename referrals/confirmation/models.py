"""Judicial confirmation of mediation agreements, and the bank's performance."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediation.models import EvidenceCategory, OnADispute
from portal.choices import ChoiceLabel
from portal.models import PartnerOrganisation
from referrals.centres.models import MediationAgreement
from referrals.confirmation.lifecycle import (
    OPEN_CONFIRMATION_STATES,
    ConfirmationLifecycle,
    ConfirmationStatus,
    NotAcceptedReason,
    RejectionGround,
)


class FormStatus(models.TextChoices):
    NONE = "none", _("Not generated")
    QUEUED = "queued", _("Being generated")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class JudicialConfirmation(OnADispute, ConfirmationLifecycle):
    status_label = ChoiceLabel(ConfirmationStatus, "status")
    dispute = models.ForeignKey(
        "mediation.Dispute", on_delete=models.PROTECT, related_name="confirmations"
    )
    agreement = models.ForeignKey(
        MediationAgreement, on_delete=models.PROTECT, related_name="confirmations"
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("amended from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    court = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("court"),
        on_delete=models.PROTECT,
        related_name="confirmations",
    )
    # The version of the agreement this application asks the court to confirm.
    agreement_document = models.ForeignKey(
        "mediation.EvidenceItem",
        verbose_name=_("agreement applied for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    terms = models.TextField(_("terms"))
    effective_on = models.DateField(_("agreement took effect on"))
    window_ends = models.DateField(_("application window ends"))
    filed_by_agent = models.BooleanField(_("filed through an agent"), default=False)
    customer_consent_at = models.DateTimeField(
        _("customer agreed to apply jointly"), null=True, blank=True
    )
    bank_consent_at = models.DateTimeField(_("bank agreed to apply jointly"), null=True, blank=True)
    form_status = models.CharField(
        _("application form"), max_length=10, choices=FormStatus, default=FormStatus.NONE
    )
    form_error = models.TextField(_("why the form failed"), blank=True)
    application_pdf = models.FileField(
        _("application form"), upload_to="confirmations/", max_length=200, blank=True
    )
    application_sha256 = models.CharField(max_length=64, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    acceptance_due = models.DateField(_("acceptance due"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    case_number = models.CharField(_("case number (调确字)"), max_length=60, blank=True)
    decision_due = models.DateField(_("ruling due"), null=True, blank=True)
    decision_extended = models.BooleanField(_("ruling period extended"), default=False)
    decision_ceiling = models.DateField(_("legal ceiling for the ruling"), null=True, blank=True)
    not_accepted_reason = models.CharField(
        _("not accepted because"), max_length=30, choices=NotAcceptedReason.choices, blank=True
    )
    rejection_ground = models.CharField(
        _("rejected because"), max_length=30, choices=RejectionGround.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    ruling_number = models.CharField(_("ruling number"), max_length=60, blank=True)
    ruling_on = models.DateField(_("ruling made on"), null=True, blank=True)
    ruling_received_on = models.DateField(_("ruling received on"), null=True, blank=True)
    ruling_document = models.ForeignKey(
        "mediation.EvidenceItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    objection_until = models.DateField(_("objection possible until"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_amount = models.DecimalField(
        _("amount paid (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    payment_proof = models.ForeignKey(
        "mediation.EvidenceItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enforcement_until = models.DateField(
        _("enforcement may be applied for until"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("judicial confirmation")
        verbose_name_plural = _("judicial confirmations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(status__in=OPEN_CONFIRMATION_STATES),
                name="one_open_confirmation_per_dispute",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} @ {self.court_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CONFIRMATION_STATES

    def is_within_window(self, today: date | None = None) -> bool:
        return (today or timezone.localdate()) <= self.window_ends

    def days_left(self, today: date | None = None) -> int:
        return (self.window_ends - (today or timezone.localdate())).days

    @property
    def window_lapsed(self) -> bool:
        return self.status == ConfirmationStatus.PREPARING and not self.is_within_window()

    def missing_materials(self) -> list[str]:
        """What the court needs (SPC 2011 rules art. 3; CPL interpretation arts. 351-354)."""
        categories = set(self.dispute.evidence.values_list("category", flat=True))
        wanted = [
            (self.agreement_document_id is not None, _("the signed mediation agreement")),
            (EvidenceCategory.MEDIATION_PROOF in categories, _("proof that the centre mediated")),
            (EvidenceCategory.IDENTITY in categories, _("the customer's identity document")),
            (
                EvidenceCategory.BANK_IDENTITY in categories,
                _("the bank's licence and legal representative's identity"),
            ),
            (
                not self.filed_by_agent or EvidenceCategory.POWER_OF_ATTORNEY in categories,
                _("the agent's power of attorney"),
            ),
            (self.form_status == FormStatus.READY, _("the generated application form")),
        ]
        return [str(label) for present, label in wanted if not present]

    @property
    def performance_due(self) -> date:
        return self.agreement.performance_due

    @property
    def unpaid_after_due(self) -> bool:
        return (
            self.status == ConfirmationStatus.CONFIRMED
            and self.paid_on is None
            and timezone.localdate() > self.agreement.performance_due
        )

    # The audit chain's view of it (portal.transitions.Audited; the case from OnADispute).
    audit_prefix = "confirmation"

    def audit_data(self) -> dict[str, Any]:
        return {"confirmation": self.pk, "court": self.court.name}
