"""The reply toolkit's data: the statute library, claim types (claim, defences, evidence,
template) and the replies written with them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediation.models import Dispute, EvidenceCategory, ProductCategory, ReviewRequest
from mediation.replykit.lifecycle import ReplyLifecycle, ReplyStatus


class StatuteArticle(models.Model):
    """One article (or, for court guidance, one paragraph) of a law, regulation or judicial
    interpretation, with its version and source. `text` is verbatim; where the library holds
    no verified text (九民纪要, departmental rules) it is empty and letters cite the title and
    number only, never a paraphrase."""

    class Unit(models.TextChoices):
        ARTICLE = "article", _("Article")
        PARAGRAPH = "paragraph", _("Paragraph")

    law = models.CharField(_("title"), max_length=120)
    short = models.CharField(_("short title"), max_length=40)
    part = models.CharField(_("part"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=40)
    issuer = models.CharField(_("issued by"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit, default=Unit.ARTICLE)
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("as written"), max_length=40, help_text=_("第五百七十七条"))
    text = models.TextField(_("verbatim text"), blank=True)
    version = models.JSONField(_("version"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    source_commit = models.CharField(_("source commit"), max_length=40, blank=True)
    source_note = models.TextField(_("note on the source"), blank=True)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    superseded_note = models.CharField(_("why superseded"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("statute article")
        verbose_name_plural = _("statute articles")
        ordering = ["short", "number", "pk"]
        constraints = [
            # One article in force per title and number: a new version supersedes the old.
            models.UniqueConstraint(
                fields=["short", "number"],
                condition=Q(superseded_at__isnull=True),
                name="one_article_in_force",
            )
        ]

    def __str__(self) -> str:
        return self.citation

    @property
    def token(self) -> str:
        """How a template or reply cites it: [[民法典:577]]."""
        return f"{self.short}:{self.number}"

    @property
    def citation(self) -> str:
        if self.unit == self.Unit.PARAGRAPH:
            return f"《{self.law}》第{self.number}条"
        return f"《{self.law}》{self.label}"

    @property
    def verbatim(self) -> bool:
        return bool(self.text)


class ReplyFrame(models.Model):
    """The opening and outcome of a reply, around the claim types' reasoning."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision")
        REVIEW = "review", _("Review decision")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind, unique=True)
    template = models.TextField(_("template"))

    class Meta:
        verbose_name = _("reply frame")
        verbose_name_plural = _("reply frames")

    def __str__(self) -> str:
        return self.get_kind_display()


class ClaimType(models.Model):
    """A frequent complaint cause as a four-part kit: the claim, its elements and the defences
    with the articles each rests on, the evidence each side needs, the reply's reasoning."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    category = models.CharField(_("product category"), max_length=20, choices=ProductCategory)
    case_cause = models.CharField(_("legal cause (案由)"), max_length=60, blank=True)
    claim = models.TextField(_("the claim (请求权)"))
    reasoning = models.TextField(_("reply template (reasoning)"))
    active = models.BooleanField(_("offered to staff"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("claim type")
        verbose_name_plural = _("claim types")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class ClaimPoint(models.Model):
    """One element of the claim, or one defence, with the articles it rests on."""

    class Kind(models.TextChoices):
        ELEMENT = "element", _("Element of the claim")
        DEFENCE = "defence", _("Defence")

    claim_type = models.ForeignKey(ClaimType, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("text"))
    articles = models.ManyToManyField(StatuteArticle, related_name="+", verbose_name=_("rests on"))

    class Meta:
        verbose_name = _("element or defence")
        verbose_name_plural = _("elements and defences")
        ordering = ["claim_type", "kind", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class EvidenceNeed(models.Model):
    """A piece of evidence a side needs for this claim type, met by evidence of these
    categories on the case."""

    class Side(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        BANK = "bank", _("Bank")

    claim_type = models.ForeignKey(ClaimType, on_delete=models.CASCADE, related_name="needs")
    side = models.CharField(_("side"), max_length=10, choices=Side)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("evidence"), max_length=120)
    categories = models.JSONField(_("met by evidence of"), default=list)

    class Meta:
        verbose_name = _("evidence needed")
        verbose_name_plural = _("evidence needed")
        ordering = ["claim_type", "side", "position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def category_labels(self) -> list[str]:
        return [str(EvidenceCategory(c).label) for c in self.categories]


class EvidenceAsk(models.Model):
    """Staff asked the customer for a piece of evidence the claim type needs."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="+")
    need = models.ForeignKey(EvidenceNeed, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence asked for")
        verbose_name_plural = _("evidence asked for")
        constraints = [models.UniqueConstraint(fields=["dispute", "need"], name="one_ask_per_need")]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.need_id}"


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Granted in full")
    PARTLY = "partly", _("Granted in part")
    REFUSED = "refused", _("Not granted")


class ReviewOutcome(models.TextChoices):
    UPHELD = "upheld", _("Decision upheld")
    CHANGED = "changed", _("Decision changed")
    REVERSED = "reversed", _("Decision reversed")


class LetterStatus(models.TextChoices):
    NONE = "", _("Not asked for")
    QUEUED = "queued", _("Being written")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Reply(ReplyLifecycle):
    """The bank's written answer to a complaint (kind `decision`), or to the customer's request
    for a review of it (kind `review`), with the claim types it used and the articles it cites;
    issued as a PDF letter stored with its hash."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision on the complaint")
        REVIEW = "review", _("Decision on the review")

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="replies")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.DECISION)
    review = models.ForeignKey(
        ReviewRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    claim_types = models.ManyToManyField(
        ClaimType, related_name="replies", verbose_name=_("claim types")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome)
    review_outcome = models.CharField(
        _("review outcome"), max_length=10, choices=ReviewOutcome, blank=True
    )
    granted_amount = models.DecimalField(
        _("amount the bank pays (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    text = models.TextField(_("reply"))
    cited = models.ManyToManyField(StatuteArticle, related_name="+", verbose_name=_("cites"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_back_reason = models.TextField(_("why it was sent back"), blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    letter = models.FileField(_("letter"), upload_to="letters/", max_length=200, blank=True)
    letter_sha256 = models.CharField(_("letter SHA-256"), max_length=64, blank=True)
    letter_status = models.CharField(
        _("letter"), max_length=10, choices=LetterStatus, blank=True, default=LetterStatus.NONE
    )
    letter_error = models.CharField(max_length=500, blank=True)
    letter_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "pk"]
        constraints = [
            # One reply being written per case and kind; issued ones are kept as they were.
            models.UniqueConstraint(
                fields=["dispute", "kind"],
                condition=~Q(status="issued"),
                name="one_open_reply_per_kind",
            ),
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(status="issued", kind="decision"),
                name="one_issued_decision",
            ),
        ]
        indexes = [models.Index(fields=["status", "dispute"], name="reply_status_dispute")]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.kind} {self.status}"

    @property
    def needs_second_approver(self) -> bool:
        """Refusing a claim, in whole or in part, or granting more than the set amount."""
        return self.outcome != Outcome.GRANTED or self.granted_amount > Decimal(
            settings.REPLY_SECOND_APPROVAL_ABOVE
        )

    @property
    def is_issued(self) -> bool:
        return self.status == ReplyStatus.ISSUED

    # The audit chain's view of it (portal.transitions.Audited).
    audit_prefix = "reply"

    @property
    def case_reference(self) -> str:
        return self.dispute.reference

    def audit_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "outcome": self.outcome,
            "review_outcome": self.review_outcome,
            "amount": str(self.granted_amount),
        }
