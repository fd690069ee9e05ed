"""Daily roll-ups of the disputes, by branch, product category and channel: what the
dashboards read (never the raw rows on a request). Kept by mediation/insight/rollups.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mediation.insight.hotspot_lifecycle import HotSpotLifecycle
from mediation.insight.white_paper_lifecycle import WhitePaperLifecycle
from mediation.models import Channel, ProductCategory


class Rollup(models.Model):
    day = models.DateField(_("day"))
    branch = models.ForeignKey("portal.Branch", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=ProductCategory)
    channel = models.CharField(max_length=20, choices=Channel)
    # Counted on the day received.
    received = models.PositiveIntegerField(default=0)
    # Of those, repeat complaints (the same person, the same matter: mediation/repeats.py),
    # which the regulator's circulars merge before counting.
    repeats = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)  # within the fast-lane threshold
    opted_in = models.PositiveIntegerField(default=0)  # of those, the customer chose mediation
    # Counted on the day the bank gave its decision.
    decided = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)  # by the decision period in force
    # Counted on the day mediation started, by how it has ended so far.
    mediated = models.PositiveIntegerField(default=0)
    mediation_succeeded = models.PositiveIntegerField(default=0)
    mediation_failed = models.PositiveIntegerField(default=0)
    # Counted on the day of the return visit (seed 4.2: the customer's rating, 1 to 5).
    rated = models.PositiveIntegerField(default=0)
    rating_total = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)  # rated 4 or 5

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "branch", "category", "channel"], name="one_rollup_per_cell"
            )
        ]
        indexes = [models.Index(fields=["day", "branch"], name="rollup_day_branch")]

    def __str__(self) -> str:
        return f"{self.day} {self.branch_id} {self.category} {self.channel}"


class HandlingDays(models.Model):
    """How many decisions took how many days from receipt, per day decided and branch: the
    median and 90th percentile are read from these counts (91 rows at most per query)."""

    CAP = 90  # 90 days or more are counted together

    day = models.DateField()
    branch = models.ForeignKey("portal.Branch", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=ProductCategory)
    days = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "branch", "category", "days"], name="one_handling_cell"
            )
        ]
        indexes = [models.Index(fields=["day", "branch"], name="handling_day_branch")]

    def __str__(self) -> str:
        return f"{self.day} {self.branch_id} {self.days}d×{self.count}"


class RollupState(models.Model):
    """Where the last refresh stopped: cases changed after `seen` are rolled up again."""

    seen = models.DateTimeField(null=True, blank=True)
    # Customers with an account when it last ran: the "per 10 million customers" denominator
    # (counting 300,000 accounts on every dashboard view is what the roll-ups are for).
    customers = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.seen)


class HotSpot(HotSpotLifecycle):
    """A week's intake of one branch, product category or product well above its own
    baseline (seed 4.7: catch a cluster within 48 hours). The cases behind it are those of
    that cut received in the window."""

    class Cut(models.TextChoices):
        BRANCH = "branch", _("Branch")
        CATEGORY = "category", _("Product category")
        PRODUCT = "product", _("A single product")

    cut = models.CharField(_("cut"), max_length=10, choices=Cut)
    key = models.CharField(_("key"), max_length=40)  # a branch id, a category, a product code
    label = models.CharField(_("what"), max_length=120)
    branch = models.ForeignKey(
        "portal.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # the branch a branch's staff see it for (None: across branches)
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("to"))
    observed = models.PositiveIntegerField(_("complaints"))
    expected = models.FloatField(_("expected"))
    threshold = models.PositiveIntegerField(_("alert at"))
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finding = models.TextField(_("what was found"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-window_end", "-observed", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cut", "key", "window_end"], name="one_hotspot_per_cut_and_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.window_start}–{self.window_end}: {self.observed}"

    # The audit chain's view of it (portal.transitions.Audited).
    audit_prefix = "hotspot"

    @property
    def case_reference(self) -> str:
        return ""

    def audit_data(self) -> dict[str, object]:
        return {"cut": self.cut, "key": self.key, "observed": self.observed}


class WhitePaper(WhitePaperLifecycle):
    """One version of a year's public white paper (seed 6.2): the figures the public page
    shows (small cells already left out) and the PDF built from the same figures. Never
    changed once built; a corrected paper is the next version."""

    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="white-papers/", max_length=200, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    error = models.CharField(_("why the build failed"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked for"), auto_now_add=True)
    built_at = models.DateTimeField(_("built"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("white paper")
        verbose_name_plural = _("white papers")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="one_white_paper_version")
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    # The audit chain's view of it (portal.transitions.Audited).
    audit_prefix = "white_paper"

    @property
    def case_reference(self) -> str:
        return ""

    def audit_data(self) -> dict[str, object]:
        return {"year": self.year, "version": self.version, "sha256": self.pdf_sha256}

    @property
    def file_name(self) -> str:
        return f"投诉处理白皮书-{self.year}-v{self.version}.pdf"


class Platform(models.TextChoices):
    WEIBO = "weibo", _("Weibo")
    DOUYIN = "douyin", _("Douyin (short video)")
    WECHAT = "wechat", _("WeChat")
    XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
    NEWS = "news", _("News site")
    FORUM = "forum", _("Forum or complaint site")
    OTHER = "other", _("Other")


class PublicOpinionItem(models.Model):
    """A post or short video about the bank's handling of complaints (seed 4.5: negative
    publicity and its spread), linked to the disputes it is about. Bank-internal: never shown to
    customers or partners."""

    platform = models.CharField(_("platform"), max_length=20, choices=Platform)
    url = models.URLField(_("link"), max_length=500)
    title = models.CharField(_("what it says"), max_length=200)
    first_seen = models.DateField(_("first seen"))
    views = models.PositiveBigIntegerField(_("views"), default=0)
    views_on = models.DateField(_("views counted on"))
    disputes = models.ManyToManyField(
        "mediation.Dispute", related_name="opinion_items", verbose_name=_("disputes")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("public-opinion item")
        verbose_name_plural = _("public-opinion items")
        ordering = ["-first_seen", "-pk"]
        indexes = [models.Index(fields=["first_seen"], name="opinion_first_seen")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.first_seen}: {self.title}"


class FiguresReport(models.Model):
    """The complaint figures of one period and scope as a PDF: asked for from the dashboard,
    or made by the monthly job for head office (and sent to it). Built by the worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Build failed")

    period = models.CharField(_("period"), max_length=10)  # figures.Period.key
    branch = models.ForeignKey(
        "portal.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # None: every branch
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    pdf = models.FileField(upload_to="figures/", max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # None: the monthly job (head office is told when it is ready).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One monthly report per month (the job may run twice, or on two hosts at once).
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(requested_by__isnull=True, branch__isnull=True),
                name="one_monthly_report",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.branch_id or 'all'} {self.status}"

    @property
    def file_name(self) -> str:
        return f"投诉统计-{self.period}.pdf"
