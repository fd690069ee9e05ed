"""Classes of problems: the class, its members (one per person), the advance payments made to
them and the rectification actions that remove the cause (mediation/problems/services.py)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mediation.problems.lifecycle import ProblemClassLifecycle

CENT = Decimal("0.01")


class Eligibility(models.TextChoices):
    ALL = "all", _("Every member")
    MISMATCH = "mismatch", _("Members sold a product above their risk rating")


class ProblemClass(ProblemClassLifecycle):
    """Complaints with one root cause, handled as one (seed chapter 5: 568 complaints about a
    "固收+" product, characterised under 九民纪要 para. 72, 70% of each loss paid)."""

    title = models.CharField(_("title"), max_length=120)
    root_cause = models.TextField(_("root cause"), blank=True)
    characterisation = models.TextField(_("legal characterisation"), blank=True)
    citations = models.ManyToManyField(
        "replykit.StatuteArticle", verbose_name=_("articles relied on"), blank=True
    )
    share = models.DecimalField(
        _("share of the loss the bank pays (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    cap = models.DecimalField(
        _("most paid to one person (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(CENT)],
    )
    eligibility = models.CharField(
        _("who is offered"), max_length=10, choices=Eligibility, default=Eligibility.ALL
    )
    # The matter whose complaints are counted before and after: a product, else a category.
    product_code = models.CharField(_("product code"), max_length=40, blank=True)
    category = models.CharField(_("product category"), max_length=20, blank=True)
    hotspot = models.ForeignKey(
        "insight.HotSpot",
        verbose_name=_("from hot spot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="classes",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    offers_started_at = models.DateTimeField(_("offers sent from"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("class of problems")
        verbose_name_plural = _("classes of problems")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("problems:detail", args=[self.pk])

    audit_prefix = "problem_class"

    @property
    def case_reference(self) -> str:
        return ""

    def audit_data(self) -> dict[str, object]:
        return {"class": self.pk, "title": self.title}

    def offer_for(self, loss: Decimal) -> Decimal:
        """The rule: the share of the loss, rounded to the fen, at most the cap."""
        assert self.share is not None
        offer = (loss * self.share / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        return min(offer, self.cap) if self.cap is not None else offer


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Not sent yet")
    NOT_ELIGIBLE = "not_eligible", _("Not offered")
    SENT = "sent", _("Offered, awaiting the customer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ClassMember(models.Model):
    """One person in a class, by their primary case (their repeat complaints follow it)."""

    problem_class = models.ForeignKey(
        ProblemClass, on_delete=models.CASCADE, related_name="members"
    )
    dispute = models.ForeignKey(
        "mediation.Dispute", on_delete=models.PROTECT, related_name="class_memberships"
    )
    loss = models.DecimalField(_("loss (yuan)"), max_digits=14, decimal_places=2)
    # The customer's rating at sale below the product's level, when they joined (None: unknown).
    suitability_mismatch = models.BooleanField(_("suitability mismatch"), null=True)
    offer = models.DecimalField(
        _("offer (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    offer_status = models.CharField(
        _("offer"), max_length=15, choices=OfferStatus, default=OfferStatus.PENDING
    )
    offer_note = models.CharField(_("why not offered"), max_length=200, blank=True)
    offer_sent_at = models.DateTimeField(_("offered"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    act = models.ForeignKey(
        "portal.BindingAct", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["pk"]
        constraints = [
            # A case belongs to one class: one offer answers it.
            models.UniqueConstraint(fields=["dispute"], name="one_class_per_case"),
        ]
        indexes = [models.Index(fields=["problem_class", "offer_status"], name="member_offers")]

    def __str__(self) -> str:
        return f"{self.problem_class_id}: {self.dispute_id}"

    def advanced(self) -> Decimal:
        return self.advances.aggregate(s=Sum("amount"))["s"] or Decimal(0)


class AdvancePayment(models.Model):
    """Money paid to a member ahead of the settlement (seed 5: paid in advance, T+1), counted
    against their offer."""

    member = models.ForeignKey(ClassMember, on_delete=models.PROTECT, related_name="advances")
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(CENT)]
    )
    paid_on = models.DateField(_("paid on"))
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("advance payment")
        verbose_name_plural = _("advance payments")
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="advance_positive")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.amount} {self.paid_on}"


class RectificationKind(models.TextChoices):
    CLAUSE = "clause", _("Contract clause rewritten")
    SYSTEM = "system", _("System or process changed")
    ACCOUNTABILITY = "accountability", _("Staff held to account")
    OTHER = "other", _("Other")


class RectificationAction(models.Model):
    """What removes the cause (seed 5: the agreement rewritten, twelve staff held to account),
    tracked to done."""

    problem_class = models.ForeignKey(
        ProblemClass, on_delete=models.CASCADE, related_name="rectifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RectificationKind)
    description = models.TextField(_("what is done"))
    staff_named = models.CharField(_("staff concerned"), max_length=200, blank=True)
    measure = models.CharField(_("measure"), max_length=200, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rectification action")
        verbose_name_plural = _("rectification actions")
        ordering = ["done_at", "due", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:40]}"


class ClusterReview(models.Model):
    """What head office found on looking at a cluster of linked complainants
    (mediation/problems/linked.py), for the exact set of people it looked at. Audited; it
    changes nothing about their complaints."""

    class Decision(models.TextChoices):
        ORGANISED = "organised", _("An organised group: passed to compliance with the evidence")
        UNRELATED = "unrelated", _("Not organised (a family, neighbours, a coincidence)")
        WATCH = "watch", _("Unclear: keep watching")

    fingerprint = models.CharField(max_length=64, db_index=True)
    people = models.JSONField(_("customers"))
    decision = models.CharField(_("finding"), max_length=20, choices=Decision.choices)
    note = models.TextField(_("what was looked at and found"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), auto_now_add=True)

    class Meta:
        verbose_name = _("linked-complainants review")
        verbose_name_plural = _("linked-complainants reviews")
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{len(self.people)} {self.decision}"
