"""Referrals to mediation centres: sessions, partner notes, extensions, outcomes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediation.models import OnADispute
from portal.choices import ChoiceLabel
from portal.models import PartnerOrganisation
from referrals.bundles.models import Bundle
from referrals.centres.lifecycle import OPEN_REFERRAL_STATES, ReferralLifecycle, ReferralStatus


class ReferralQuerySet(models.QuerySet["Referral"]):
    def for_inbox(self) -> ReferralQuerySet:
        return self.select_related(
            "dispute", "dispute__customer", "organisation", "mediator"
        ).order_by("assignment_due", "-sent_at", "-pk")

    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=OPEN_REFERRAL_STATES)

    def assignment_overdue(self, *, today: date) -> ReferralQuerySet:
        return self.filter(
            status__in=[ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED],
            assignment_due__lt=today,
        )

    def due_soon(self, *, today: date, days: int = 3) -> ReferralQuerySet:
        soon = today + timedelta(days=days)
        return self.filter(
            Q(
                status__in=[ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED],
                assignment_due__lte=soon,
            )
            | Q(status=ReferralStatus.ACCEPTED, mediation_due__lte=soon)
        )


class Referral(OnADispute, ReferralLifecycle):
    status_label = ChoiceLabel(ReferralStatus, "status")
    dispute = models.ForeignKey(
        "mediation.Dispute", on_delete=models.PROTECT, related_name="referrals"
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("mediation centre"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    bundle = models.ForeignKey(
        Bundle,
        verbose_name=_("bundle sent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    assignment_due = models.DateField(_("mediator to be assigned by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mediator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediated_referrals",
    )
    mediation_due = models.DateField(_("mediation period ends"), null=True, blank=True)
    reason = models.TextField(_("reason (decline, failure, withdrawal)"), blank=True)
    closed_at = models.DateTimeField(_("ended"), null=True, blank=True)
    conflict_declaration = models.TextField(_("conflict-of-interest declaration"), blank=True)
    conflict_declared_at = models.DateTimeField(_("declared"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-pk"]
        # A centre's list in the API, newest change first (partners poll it).
        indexes = [
            models.Index(
                fields=["organisation", "-updated_at", "-id"], name="referral_centre_changes"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(status__in=OPEN_REFERRAL_STATES),
                name="one_open_referral_per_dispute",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} → {self.organisation_id} ({self.status})"

    def consent_in_force(self) -> bool:
        return self.dispute.consent_in_force(
            kind="personal_info", organisation_id=self.organisation_id
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATES

    # The audit chain's view of it (portal.transitions.Audited; the case from OnADispute).
    audit_prefix = "referral"

    def audit_data(self) -> dict[str, Any]:
        return {"referral": self.pk, "organisation": self.organisation.name}


class SessionMode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Telephone")


class MediationSession(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=60)
    mode = models.CharField(_("mode"), max_length=20, choices=SessionMode)
    place = models.CharField(_("place or link"), max_length=300)
    # Partner notes: seen by the centre's members only, never by the bank or the customer.
    notes = models.TextField(_("session notes (centre only)"), blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancelled_reason = models.TextField(_("why cancelled"), blank=True)
    # The calendar invitation's SEQUENCE (RFC 5545): raised with every change sent.
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.referral_id} @ {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_changeable(self) -> bool:
        """Not cancelled and still to come: the centre may move or cancel it."""
        return not self.cancelled and self.starts_at > timezone.now()

    @property
    def is_link(self) -> bool:
        """An online session's place is an https address (checked when it is saved)."""
        return self.mode == SessionMode.ONLINE and self.place.startswith("https://")


class MediationExtension(models.Model):
    """Extending the 30-day period needs both parties' consent (在线调解规则 art. 20)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("extra days"), validators=[MinValueValidator(1)])
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    customer_consent_at = models.DateTimeField(_("customer consented"), null=True, blank=True)
    bank_consent_at = models.DateTimeField(_("bank consented"), null=True, blank=True)
    bank_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    new_due = models.DateField(_("new end of the period"), null=True, blank=True)

    class Meta:
        ordering = ["proposed_at"]

    def __str__(self) -> str:
        return f"+{self.days} days"


class MediationAgreement(models.Model):
    """The signed agreement; its effective date starts the judicial-confirmation window."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="agreement")
    document = models.ForeignKey(
        "mediation.EvidenceItem",
        verbose_name=_("signed agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_proposal = models.BooleanField(_("from the mediator's proposal"), default=False)
    amount = models.DecimalField(
        _("amount the bank pays (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    terms = models.TextField(_("terms"))
    performance_due = models.DateField(_("performance deadline"))
    effective_on = models.DateField(_("took effect on"))
    confirmation_window_ends = models.DateField(_("judicial confirmation window ends"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.amount}"


class AgreementDraft(models.Model):
    """An agreement signed online: the mediator drafts it, the customer signs it (a binding
    act), the bank signs it, and the centre seals it; it takes effect then (人民调解法 arts.
    29-30) and becomes the case's MediationAgreement. Paper agreements are recorded directly."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="agreement_drafts"
    )
    amount = models.DecimalField(
        _("amount the bank pays (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    terms = models.TextField(_("terms"))
    performance_due = models.DateField(_("performance deadline"))
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(auto_now_add=True)
    customer_signed_at = models.DateTimeField(_("signed by the customer"), null=True, blank=True)
    bank_signed_at = models.DateTimeField(_("signed by the bank"), null=True, blank=True)
    sealed_at = models.DateTimeField(_("sealed by the centre"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True)

    class Meta:
        verbose_name = _("agreement for signing")
        verbose_name_plural = _("agreements for signing")
        ordering = ["drafted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(sealed_at__isnull=True, withdrawn_at__isnull=True),
                name="one_open_agreement_draft",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.amount}"

    @property
    def is_open(self) -> bool:
        return self.sealed_at is None and self.withdrawn_at is None

    @property
    def fully_signed(self) -> bool:
        return self.customer_signed_at is not None and self.bank_signed_at is not None


class ProposalAnswer(models.TextChoices):
    PENDING = "pending", _("Awaiting answer")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class MediatorProposal(models.Model):
    """A mediator's proposal. Below the bank's pre-commitment threshold the bank is bound by
    it once the customer accepts (金发〔2025〕14号, Shanghai pilot); otherwise the bank answers
    too."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="proposals")
    amount = models.DecimalField(
        _("amount the bank pays (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    terms = models.TextField(_("terms"))
    performance_due = models.DateField(_("performance deadline"))
    binding_on_bank = models.BooleanField(_("binding on the bank"))
    threshold = models.DecimalField(
        _("pre-commitment threshold then"), max_digits=14, decimal_places=2
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    customer_answer = models.CharField(
        max_length=10, choices=ProposalAnswer, default=ProposalAnswer.PENDING
    )
    customer_answered_at = models.DateTimeField(null=True, blank=True)
    bank_answer = models.CharField(
        max_length=10, choices=ProposalAnswer, default=ProposalAnswer.PENDING
    )
    bank_answered_at = models.DateTimeField(null=True, blank=True)
    # Above the customer's claim, the mediator says why (issue 17: 99,000 on a 32,000 claim).
    above_claim_reason = models.TextField(_("why above the claim"), blank=True)
    # Withdrawn by the mediator before anyone answered (with a reason), or closed when an
    # agreement was recorded (no reason).
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True)

    class Meta:
        ordering = ["proposed_at"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.amount}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_unanswered(self) -> bool:
        return (
            not self.is_withdrawn
            and self.customer_answer == ProposalAnswer.PENDING
            and self.bank_answer == ProposalAnswer.PENDING
        )

    @property
    def is_pending(self) -> bool:
        if self.is_withdrawn:
            return False
        if self.customer_answer == ProposalAnswer.REFUSED or self.bank_answer == "refused":
            return False
        if self.customer_answer == ProposalAnswer.PENDING:
            return True
        return not self.binding_on_bank and self.bank_answer == ProposalAnswer.PENDING
