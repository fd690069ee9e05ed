"""Disputes, their consents and evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from mediation.complaint_review import ReviewRequestLifecycle
from mediation.lifecycle import (
    BANK_TRACK_STATES,
    OPEN_STATES,
    ClosureReason,
    DisputeLifecycle,
    DisputeStatus,
)
from portal.choices import ChoiceLabel
from portal.models import Role
from portal.periods import (
    COMPLAINT_DECISION,
    COMPLAINT_DECISION_COMPLEX,
    COMPLAINT_DECISION_EXTENDED,
)


class ProductCategory(models.TextChoices):
    WEALTH_MANAGEMENT = "wealth", _("Wealth management")
    CREDIT_CARD = "credit_card", _("Credit card fees and interest")
    LOANS = "loans", _("Loans (incl. withdrawn credit, early repayment)")
    DEPOSITS = "deposits", _("Deposits")
    PAYMENTS = "payments", _("Payments and service charges")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    WEB = "web", _("Web portal")
    PHONE = "phone", _("Telephone")
    LETTER = "letter", _("Letter")
    REGULATOR = "regulator", _("Regulator referral")
    VISIT = "visit", _("Visit to a branch")
    PETITION = "petition", _("Petition (信访)")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical (risk of escalation)")


class DecisionTrack(models.TextChoices):
    """Bank complaint decision period (银行业保险业消费投诉处理管理办法 2020)."""

    STANDARD = "standard", _("Standard: 15 days")
    COMPLEX = "complex", _("Complex: 30 days")
    EXTENDED = "extended", _("Extended with senior approval: 60 days")


DECISION_PERIODS = {
    DecisionTrack.STANDARD: COMPLAINT_DECISION,
    DecisionTrack.COMPLEX: COMPLAINT_DECISION_COMPLEX,
    DecisionTrack.EXTENDED: COMPLAINT_DECISION_EXTENDED,
}


class RiskRating(models.IntegerChoices):
    """A customer's risk tolerance as the bank assessed it before selling (C1-C5; 商业银行理财
    业务监督管理办法 art. 26); compared with the product's level for suitability."""

    C1 = 1, _("C1 conservative")
    C2 = 2, _("C2 cautious")
    C3 = 3, _("C3 balanced")
    C4 = 4, _("C4 growth")
    C5 = 5, _("C5 aggressive")


class RiskLevel(models.IntegerChoices):
    """A product's risk level (R1-R5) in the bank's product register."""

    R1 = 1, _("R1 low")
    R2 = 2, _("R2 moderately low")
    R3 = 3, _("R3 medium")
    R4 = 4, _("R4 moderately high")
    R5 = 5, _("R5 high")


class Product(models.Model):
    """A product as the bank's product register knows it: what complaints name by code, with
    its risk level and, for a fund-like product, its share of equities. A customer rated below
    the level they were sold is a suitability mismatch (九民纪要 para. 72: the seller's
    suitability duty)."""

    code = models.CharField(_("product code"), max_length=40, unique=True)
    name = models.CharField(_("product name"), max_length=100)
    risk_level = models.PositiveSmallIntegerField(
        _("risk level"), choices=RiskLevel, null=True, blank=True
    )
    equity_share = models.DecimalField(
        _("equities (per cent of assets)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class TriageRule(models.Model):
    """One row of the triage suggestion table (mediation/triage.py): keywords that, found in a
    complaint, suggest a legal cause (by its name in 《民事案件案由规定》) or an urgency."""

    position = models.PositiveIntegerField(_("order"), default=100)
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        help_text=_("Words or phrases separated by |, e.g. 信用卡|年费|分期"),
    )
    cause = models.CharField(_("legal cause (案由)"), max_length=100, blank=True)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("triage rule")
        verbose_name_plural = _("triage rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.keywords} → {self.cause or self.get_urgency_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from mediation.triage import case_causes, keywords

        if not keywords(self.keywords):
            raise ValidationError({"keywords": _("Give at least one keyword.")})
        if self.cause and self.cause not in case_causes():
            message = _("Use a cause's name as 《民事案件案由规定》 gives it, e.g. 信用卡纠纷.")
            raise ValidationError({"cause": message})
        if not (self.cause or self.urgency):
            raise ValidationError(_("A rule suggests a legal cause, an urgency, or both."))


class DisputeQuerySet(models.QuerySet["Dispute"]):
    def open(self) -> DisputeQuerySet:
        return self.filter(status__in=OPEN_STATES)

    def overdue(self, *, today: date) -> DisputeQuerySet:
        return self.open().filter(next_deadline__lt=today)

    def due_soon(self, *, today: date, days: int = 3) -> DisputeQuerySet:
        return self.open().filter(
            next_deadline__gte=today, next_deadline__lte=today + timedelta(days=days)
        )

    def fast_lane(self) -> DisputeQuerySet:
        return self.filter(
            status__in=[
                DisputeStatus.FAST_LANE,
                DisputeStatus.REFERRED,
                DisputeStatus.IN_MEDIATION,
                DisputeStatus.AGREEMENT_REACHED,
                DisputeStatus.MEDIATION_FAILED,
            ]
        )

    def people(self) -> DisputeQuerySet:
        """One row per person and matter: a repeat complaint is counted with its primary case
        (the regulator's circulars count repeats once since 2022; mediation/repeats.py)."""
        return self.filter(repeat_of__isnull=True)

    def with_product_risk(self) -> DisputeQuerySet:
        """Each case with its product's risk level from the register (None where unknown)."""
        level = Product.objects.filter(code=models.OuterRef("product_code")).values("risk_level")
        return self.annotate(product_risk=models.Subquery(level[:1]))

    def suitability_known(self) -> DisputeQuerySet:
        """Cases with both the customer's rating at sale and the product's level on file."""
        # (A Q: the type checker does not see the annotation.)
        return self.with_product_risk().filter(
            Q(risk_rating_at_sale__isnull=False, product_risk__isnull=False)
        )

    def suitability_mismatched(self) -> DisputeQuerySet:
        """Cases where the customer's rating at sale is below the product's risk level."""
        return self.with_product_risk().filter(risk_rating_at_sale__lt=models.F("product_risk"))

    def for_list(self) -> DisputeQuerySet:
        """The rows of a list of cases (templates/includes/dispute_table.html), with only the
        columns it shows: a case has some sixty, its customer forty, and reading and building
        them all was a tenth of a queue page's time (bench/scale.py)."""
        return (
            self.select_related("customer", "branch")
            .only(*LIST_COLUMNS)
            .order_by("-received_at", "-pk")
        )


# What a list of cases shows of each (DisputeQuerySet.for_list): its reference, customer,
# branch, product, subject, amount, state and next deadline; and what orders it.
LIST_COLUMNS = (
    "reference",
    "status",
    "fast_lane_eligible",
    "category",
    "request",
    "amount",
    "received_at",
    "next_deadline",
    "next_party_deadline",
    "customer__real_name",
    "customer__first_name",
    "customer__last_name",
    "customer__username",
    "branch__name",
)


def subject_of(text: str, words: int = 30) -> str:
    """The first words of the customer's request: what tells one case from the next."""
    flat = " ".join(text.split())
    return flat if len(flat) <= words else flat[:words] + "…"


class OnADispute:
    """For the models of a dispute's case (referrals, applications, arbitrations, reviews):
    their audit events are filed under the dispute's reference, and after each of their
    transitions the case's next deadline is stored again (portal.transitions.Audited)."""

    dispute: Dispute

    @property
    def case_reference(self) -> str:
        return self.dispute.reference

    def transition_saved(self) -> None:
        self.dispute.refresh_next_deadline()


class DisputeCounter(models.Model):
    """Per-year sequence behind references like MD-2026-000123."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


@dataclass(frozen=True)
class Clock:
    """A deadline on the case. `internal` ones (the bank's own 1357 service targets) are the
    bank's: customers and partners never see them (STYLE.md 15)."""

    key: str
    label: StrOrPromise
    due: date
    done: bool
    legal: bool
    internal: bool = False

    def state(self, today: date) -> str:
        if self.done:
            return "done"
        if self.due < today:
            return "overdue"
        if self.due <= today + timedelta(days=2):
            return "due_soon"
        return "running"


class Dispute(DisputeLifecycle):
    state_label = ChoiceLabel(DisputeStatus, "status")
    category_label = ChoiceLabel(ProductCategory, "category")
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    branch = models.ForeignKey(
        "portal.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("product category"), max_length=20, choices=ProductCategory)
    amount = models.DecimalField(
        _("claim amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    facts = models.TextField(_("facts"))
    request = models.TextField(_("what the customer asks for"))
    account_number = models.CharField(_("account or card number"), max_length=32, blank=True)
    # What the complaint is about, where known: the product and the contract (management
    # figures drill down to them), and the member of staff handling it.
    product_code = models.CharField(_("product code"), max_length=40, blank=True, db_index=True)
    product_name = models.CharField(_("product name"), max_length=100, blank=True)
    contract_number = models.CharField(_("contract number"), max_length=60, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The customer's risk rating when the product was sold, from the bank's records (for a
    # wealth or fund product): against the product's level it shows a suitability mismatch.
    risk_rating_at_sale = models.PositiveSmallIntegerField(
        _("customer's risk rating when sold"), choices=RiskRating, null=True, blank=True
    )
    # The same person's earlier complaint about the same matter (mediation/repeats.py): this
    # one is answered with it and counted once.
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
    )
    repeat_confirmed_at = models.DateTimeField(_("link confirmed"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel, default=Channel.WEB)
    cause_label = models.CharField(_("legal cause (案由)"), max_length=100, blank=True)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency, blank=True)
    # What the triage table suggested when the complaint was filed (mediation/triage.py).
    suggested_cause = models.CharField(_("suggested legal cause"), max_length=100, blank=True)
    suggested_cause_rule = models.ForeignKey(
        TriageRule,
        verbose_name=_("suggested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggested_urgency = models.CharField(
        _("suggested urgency"), max_length=20, choices=Urgency, blank=True
    )
    is_complex = models.BooleanField(_("hard case (head-office consultation)"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intake_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    # Lane: re-evaluated whenever the amount changes (audit entry each time).
    fast_lane_eligible = models.BooleanField(_("fast-lane eligible"), default=False)
    current_organisation = models.ForeignKey(
        "portal.PartnerOrganisation",
        verbose_name=_("with partner organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Clocks (dates are stored when a clock starts, so queues filter in the database).
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    decision_track = models.CharField(
        _("decision period"), max_length=20, choices=DecisionTrack, default=DecisionTrack.STANDARD
    )
    decision_due = models.DateField(_("bank decision due"), null=True, blank=True)
    decision_text = models.TextField(_("bank decision"), blank=True)
    decision_at = models.DateTimeField(_("decision given"), null=True, blank=True)
    # Who gave it: they may not decide the customer's request for its review.
    decision_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decision given by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_request_due = models.DateField(_("customer review request due"), null=True, blank=True)
    # A complaint the regulator transferred: the date its transfer letter sets for the bank's
    # report back, and when the bank reported (the bank's own clock, not the customer's).
    regulator_reference = models.CharField(
        _("regulator's transfer number"), max_length=60, blank=True
    )
    regulator_reply_due = models.DateField(_("reply to the regulator due"), null=True, blank=True)
    regulator_replied_at = models.DateTimeField(
        _("replied to the regulator"), null=True, blank=True
    )
    labels_done_at = models.DateTimeField(_("labels set"), null=True, blank=True)
    branch_plan = models.TextField(_("branch plan (legal + business)"), blank=True)
    branch_plan_at = models.DateTimeField(_("branch plan recorded"), null=True, blank=True)
    consultation_note = models.TextField(_("head-office consultation opinion"), blank=True)
    consultation_at = models.DateTimeField(_("consultation held"), null=True, blank=True)
    return_visit_at = models.DateTimeField(_("return visit made"), null=True, blank=True)
    # Above the threshold, the bank agreed to the customer's request for mediation.
    mediation_agreed_at = models.DateTimeField(_("bank agreed to mediation"), null=True, blank=True)
    mediation_started_on = models.DateField(_("mediation started"), null=True, blank=True)
    mediation_due = models.DateField(_("mediation period ends"), null=True, blank=True)
    next_deadline = models.DateField(_("next deadline"), null=True, blank=True, db_index=True)
    # The same without the bank's internal targets: what customers and partners are shown.
    next_party_deadline = models.DateField(_("next deadline (parties)"), null=True, blank=True)

    closure_reason = models.CharField(
        _("closure reason"), max_length=30, choices=ClosureReason, blank=True
    )
    closure_note = models.TextField(_("closure note"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("withdrawal reason"), blank=True)
    # Retention (mediation/privacy.py): a legal hold (litigation, a regulator's inquiry) keeps
    # the case's personal data past the retention period; pseudonymised once that period ends.
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.CharField(_("why it is held"), max_length=200, blank=True)
    pseudonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["branch", "status", "next_deadline"]),
            # The queues, newest case first: the head office's, and a branch's (bench/scale.py:
            # without them each page sorted the whole table).
            models.Index(fields=["-received_at", "-id"], name="dispute_queue"),
            models.Index(fields=["branch", "-received_at", "-id"], name="dispute_branch_queue"),
            # The queues' default order, what waits first: the nearest deadline (ascending,
            # nulls last, as PostgreSQL keeps an ascending index), then the newest.
            models.Index(fields=["next_deadline", "-received_at", "-id"], name="dispute_queue_due"),
            models.Index(
                fields=["branch", "next_deadline", "-received_at", "-id"],
                name="dispute_branch_queue_due",
            ),
            # The API list, newest change first, for a branch's staff.
            models.Index(fields=["branch", "-updated_at", "-id"], name="dispute_branch_changes"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("mediation:detail", args=[self.reference])

    # The audit chain's view of it (portal.transitions.Audited).
    audit_prefix = "dispute"

    @property
    def case_reference(self) -> str:
        return self.reference

    def audit_data(self) -> dict[str, Any]:
        return {}

    def consent_in_force(self, *, kind: str, organisation_id: int | None = None) -> bool:
        return self.consents_in_force(kind=kind, organisation_id=organisation_id).exists()

    def consents_in_force(self, *, kind: str, organisation_id: int | None = None) -> Any:
        qs = self.consents.filter(kind=kind, withdrawn_at__isnull=True)
        if organisation_id is not None:
            qs = qs.filter(recipient_id=organisation_id)
        return qs

    @property
    def status_label(self) -> str:
        """The state as its viewers read it: above the threshold, a case the bank agreed to
        mediate waits for a centre without being in the fast lane."""
        if self.status == DisputeStatus.FAST_LANE and not self.fast_lane_eligible:
            return str(_("Mediation agreed: to be referred"))
        return str(self.state_label)

    @property
    def received_on(self) -> date:
        return timezone.localdate(self.received_at)

    @property
    def subject(self) -> str:
        """The first words of what the customer asks for (the queue's subject column)."""
        return subject_of(self.request)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    def clocks_for(self, *, internal: bool) -> list[Clock]:
        """The clocks a viewer reads: the bank's people all of them, others the legal ones and
        the parties' (no internal targets)."""
        return [c for c in self.clocks if internal or not c.internal]

    @property
    def clocks(self) -> list[Clock]:
        """The running clocks: 1357 targets (seed 4.2), the bank's decision, mediation, and
        those of the layers above (a mediator's assignment, the confirmation window, the
        court's and the commission's periods, the agreement's performance: mediation/hooks)."""
        received = self.received_on
        targets = [
            ("labels", _("Day 1: legal-cause and urgency labels"), 1, self.labels_done_at),
            ("plan", _("Day 3: branch plan (legal + business)"), 3, self.branch_plan_at),
            ("consultation", _("Day 5: head-office consultation"), 5, self.consultation_at),
            ("return_visit", _("Day 7: return visit"), 7, self.return_visit_at),
        ]
        clocks = [
            Clock(key, label, received + timedelta(days=days), done_at is not None, False, True)
            for key, label, days, done_at in targets
            if key != "consultation" or self.is_complex
        ]
        bank_track = self.status in BANK_TRACK_STATES
        if not bank_track:
            # The 1357 targets run while the bank handles the complaint; once the customer
            # chose mediation, arbitration or the courts, only those already met are shown.
            clocks = [c for c in clocks if c.done]
        if self.decision_due and (bank_track or self.decision_at):
            clocks.append(
                Clock(
                    "decision",
                    _("Bank decision"),
                    self.decision_due,
                    self.decision_at is not None or not self.is_open,
                    True,
                )
            )
        if self.regulator_reply_due:
            clocks.append(
                Clock(
                    "regulator",
                    _("Report to the regulator"),
                    self.regulator_reply_due,
                    self.regulator_replied_at is not None,
                    False,
                    True,
                )
            )
        if self.mediation_due:
            clocks.append(
                Clock(
                    "mediation",
                    _("Mediation period (30 days)"),
                    self.mediation_due,
                    self.status != DisputeStatus.IN_MEDIATION,
                    True,
                )
            )
        if self.decision_at and self.status in BANK_TRACK_STATES:
            clocks += [
                Clock("review", _("The bank's review decision"), r.decision_due, False, True)
                for r in self.review_requests.all()
                if r.status == "requested"
            ]
        from mediation import hooks  # the hooks module names this model's types

        return clocks + hooks.case_clocks(self)

    def set_deadlines(self) -> None:
        """The next deadline, and the one without internal targets, from the clocks now."""
        clocks = self.clocks if self.is_open else []
        pending = [c for c in clocks if not c.done]
        self.next_deadline = min((c.due for c in pending), default=None)
        self.next_party_deadline = min((c.due for c in pending if not c.internal), default=None)

    def refresh_next_deadline(self) -> None:
        """Store the next deadlines again after something on the case changed a clock (the
        queues filter and sort on them): from a fresh read of the case, one UPDATE if moved."""
        fresh = Dispute.objects.get(pk=self.pk)
        before = (fresh.next_deadline, fresh.next_party_deadline)
        fresh.set_deadlines()
        self.next_deadline, self.next_party_deadline = (
            fresh.next_deadline,
            fresh.next_party_deadline,
        )
        if (fresh.next_deadline, fresh.next_party_deadline) != before:
            Dispute.objects.filter(pk=self.pk).update(
                next_deadline=fresh.next_deadline, next_party_deadline=fresh.next_party_deadline
            )


class Consent(models.Model):
    """Consent to mediation, and the separate personal-information consent (PIPL art. 23)."""

    class Kind(models.TextChoices):
        MEDIATION = "mediation", _("Consent to mediation")
        PERSONAL_INFO = "personal_info", _("Consent to disclose personal information")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        "portal.PartnerOrganisation",
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.TextField(_("purpose"))
    data_categories = models.JSONField(_("data categories"), default=list)
    text = models.TextField(_("text shown"))
    text_version = models.CharField(_("text version"), max_length=20)
    granted_at = models.DateTimeField(_("given"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("withdrawal reason"), blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["granted_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dispute_id}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class EvidenceCategory(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    STATEMENT = "statement", _("Statement")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    TRANSCRIPT = "transcript", _("Recording transcript")
    IDENTITY = "identity", _("Identity document")
    BANK_IDENTITY = "bank_identity", _("Bank's licence and legal representative")
    AGREEMENT = "agreement", _("Mediation agreement")
    MEDIATION_PROOF = "mediation_proof", _("Proof of mediation by the centre")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")
    RULING = "ruling", _("Court ruling")
    PAYMENT_PROOF = "payment_proof", _("Proof of payment")
    OTHER = "other", _("Other")


class EvidenceItem(models.Model):
    """One uploaded exhibit, stored under a generated name with its SHA-256."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="evidence")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=EvidenceCategory)
    original_name = models.CharField(_("original file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", max_length=200)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    page_count = models.PositiveIntegerField(_("pages"), default=1)
    sanitised = models.TextField(_("what was removed"), blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def submitted_by_label(self) -> str:
        role = self.uploaded_by.role
        if role == Role.CUSTOMER:
            return str(_("Customer"))
        if role == Role.STAFF:
            return str(_("Bank"))
        return str(_("Partner"))


class ReturnVisit(models.Model):
    """The customer's rating of the handling after closure (seed 4.2, 5.2): online within 7
    days of closure, or a telephone return visit recorded by staff."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online rating by the customer")
        PHONE = "phone", _("Telephone return visit")

    dispute = models.OneToOneField(Dispute, on_delete=models.CASCADE, related_name="return_visit")
    rating = models.PositiveSmallIntegerField(
        _("rating (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.rating}"


class MediationRequest(models.Model):
    """Above the fast lane's threshold, the customer asks for mediation; the bank agrees, or
    refuses with a reason the customer reads (银行保险机构消费者权益保护管理办法 art. 16)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for the bank")
        AGREED = "agreed", _("Agreed by the bank")
        REFUSED = "refused", _("Refused by the bank")

    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="mediation_requests"
    )
    note = models.TextField(_("why the customer asks"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision, default=Decision.PENDING
    )
    refusal_reason = models.TextField(_("why the bank refused"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("request for mediation")
        verbose_name_plural = _("requests for mediation")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(decision="pending"),
                name="one_pending_mediation_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.decision}"


class ClaimVersion(models.Model):
    """The customer's claim as it stood after each change: version 1 as filed, then each
    amendment (the customer's before triage, or staff's on the customer's recorded request).
    No version is ever changed; the dispute carries the latest for the queues."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="claim_versions")
    number = models.PositiveIntegerField(_("version"))
    amount = models.DecimalField(_("amount claimed (yuan)"), max_digits=14, decimal_places=2)
    facts = models.TextField(_("what happened"))
    request = models.TextField(_("request"))
    category = models.CharField(_("product"), max_length=30)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Staff amend only on the customer's request, recorded here (how and when they asked).
    customer_request = models.TextField(_("the customer's request for the change"), blank=True)
    made_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim version")
        verbose_name_plural = _("claim versions")
        ordering = ["dispute", "number"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "number"], name="one_claim_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} v{self.number}"


class Representative(models.Model):
    """An agent the customer authorised on one case (a relative or a lawyer), with the power
    of attorney filed as evidence. The agent acts on that case only, as the customer would;
    every act they make records for whom (the audit chain's `on_behalf_of`)."""

    class Relation(models.TextChoices):
        RELATIVE = "relative", _("Close relative")
        LAWYER = "lawyer", _("Lawyer")
        OTHER = "other", _("Other person the customer trusts")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="representatives")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="representations",
    )
    relation = models.CharField(_("relation"), max_length=10, choices=Relation)
    power_of_attorney = models.ForeignKey(
        EvidenceItem,
        verbose_name=_("power of attorney"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    authorised_at = models.DateTimeField(_("authorised"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.TextField(_("why revoked"), blank=True)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["authorised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "agent"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_authorisation_per_agent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.agent_id}"


class ReviewRequest(ReviewRequestLifecycle):
    """The customer's request for a review of the bank's decision, and its outcome."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="review_requests")
    reasons = models.TextField(_("why the customer asks"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decision_due = models.DateField(_("review decision due"))
    outcome = models.TextField(_("the review's decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("request for review")
        verbose_name_plural = _("requests for review")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dispute"], name="one_review_request_per_decision")
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.status}"

    # The audit chain's view of it (portal.transitions.Audited).
    audit_prefix = "review_request"

    @property
    def case_reference(self) -> str:
        return self.dispute.reference

    def audit_data(self) -> dict[str, Any]:
        return {}


class SavedFilter(models.Model):
    """A queue filter a member of staff keeps under a name (issue 19: "my overdue wealth
    cases"): the queue's query string, without the page. Only its owner sees and uses it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=40)
    query = models.CharField(_("filter"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="one_saved_filter_per_name")
        ]

    def __str__(self) -> str:
        return self.name


class DisputeDraft(models.Model):
    """What a customer has written of a dispute not yet filed (issue 19: drafts saved and
    resumed). One per customer; removed when the dispute is filed or the draft dropped, and by
    the retention job once untouched for DRAFT_KEPT_DAYS. `data` holds the form's fields as
    typed (a draft need not be complete)."""

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dispute_draft"
    )
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"draft of {self.customer_id}"


class LetterScan(models.Model):
    """A customer's paper letter, scanned by staff at phone-or-letter intake (the bank
    document, 4.7: letters turned into structured data). The worker reads its text
    (mediation/letters.py, Tesseract); staff correct it in the intake form, and the scan
    becomes the recorded case's first exhibit. A scan never used for a case goes with the
    retention job after SCAN_KEPT_DAYS (mediation/services/letters.py)."""

    class Status(models.TextChoices):
        READING = "reading", _("Being read")
        READ = "read", _("Read")
        FAILED = "failed", _("Could not be read")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey("portal.Branch", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField(default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.READING)
    text = models.TextField(_("text read"), blank=True)
    failure = models.CharField(_("why it could not be read"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Once a case is recorded from it: the case and its exhibit.
    evidence = models.OneToOneField(
        EvidenceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("scanned letter")

    def __str__(self) -> str:
        return f"scan {self.pk}"
