"""Six-month look-back reviews and their rectification actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mediation.models import OnADispute
from portal.choices import ChoiceLabel
from referrals.reviews.lifecycle import ReviewLifecycle, ReviewStatus


class Verdict(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


class RepeatFinding(models.TextChoices):
    NONE = "none", _("No repeat complaint")
    FOUND = "found", _("Repeat complaint found")


# (key, label) of the checklist items, in the order the auditor works through them.
CHECKLIST = [
    ("root_cause", _("Root cause fixed (system, contract or process change)")),
    ("accountability", _("Staff accountability done")),
    ("repeat", _("Repeat complaint by the customer")),
    ("performance", _("Agreed performance done")),
    ("satisfaction", _("Customer's satisfaction from the return visit")),
]


class LookbackReviewQuerySet(models.QuerySet["LookbackReview"]):
    def for_queue(self) -> LookbackReviewQuerySet:
        return self.select_related(
            "dispute", "dispute__branch", "dispute__customer", "auditor"
        ).order_by("due_on", "pk")

    def overdue(self, *, today: date) -> LookbackReviewQuerySet:
        return self.filter(
            status__in=[ReviewStatus.QUEUED, ReviewStatus.IN_REVIEW], due_on__lt=today
        )

    def due_in_month(self, *, today: date) -> LookbackReviewQuerySet:
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return self.filter(due_on__gte=start, due_on__lt=end).exclude(status=ReviewStatus.PASSED)


class LookbackReview(OnADispute, ReviewLifecycle):
    status_label = ChoiceLabel(ReviewStatus, "status")
    dispute = models.ForeignKey(
        "mediation.Dispute", on_delete=models.PROTECT, related_name="reviews"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    closed_on = models.DateField(_("dispute closed on"))
    due_on = models.DateField(_("due on"), db_index=True)
    queued_at = models.DateTimeField(_("entered the queue"), null=True, blank=True)
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    # The checklist: a verdict, a finding and the evidence relied on, per item.
    root_cause = models.CharField(max_length=4, choices=Verdict, blank=True)
    root_cause_finding = models.TextField(blank=True)
    root_cause_evidence = models.TextField(blank=True)
    accountability = models.CharField(max_length=4, choices=Verdict, blank=True)
    accountability_finding = models.TextField(blank=True)
    # Names of the staff concerned: visible to auditors only.
    accountability_persons = models.TextField(blank=True)
    accountability_evidence = models.TextField(blank=True)
    repeat = models.CharField(max_length=6, choices=RepeatFinding, blank=True)
    repeat_finding = models.TextField(blank=True)
    repeat_evidence = models.TextField(blank=True)
    performance = models.CharField(max_length=4, choices=Verdict, blank=True)
    performance_finding = models.TextField(blank=True)
    performance_evidence = models.TextField(blank=True)
    satisfaction = models.CharField(max_length=4, choices=Verdict, blank=True)
    satisfaction_finding = models.TextField(blank=True)
    satisfaction_evidence = models.TextField(blank=True)
    # item key -> why the auditor's answer stands although the case shows otherwise.
    justifications = models.JSONField(_("justifications"), default=dict, blank=True)
    verdict_findings = models.TextField(_("findings"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LookbackReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("look-back review")
        verbose_name_plural = _("look-back reviews")
        ordering = ["due_on", "pk"]
        # One review per closed dispute; it loops through rounds until it passes, each
        # round's checklist kept in the audit event that starts the next round.
        constraints = [models.UniqueConstraint(fields=["dispute"], name="one_review_per_dispute")]

    def __str__(self) -> str:
        return f"{self.dispute_id} round {self.round}"

    def incomplete_items(self) -> list[str]:
        missing = []
        for key, label in CHECKLIST:
            if not getattr(self, key) or not getattr(self, f"{key}_finding").strip():
                missing.append(str(label))
        return missing

    def rectification_complete(self) -> bool:
        actions = list(self.actions.all())
        return bool(actions) and all(a.done_at for a in actions)

    # The audit chain's view of it (portal.transitions.Audited; the case from OnADispute).
    audit_prefix = "review"

    def audit_data(self) -> dict[str, Any]:
        return {"review": self.pk, "round": self.round}


class RectificationAction(models.Model):
    review = models.ForeignKey(LookbackReview, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField(_("what must be put right"))
    owner = models.CharField(_("owner"), max_length=100)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_evidence = models.TextField(_("evidence it was done"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.what[:40]
