"""The kernel's models: branches, partner organisations, users and roles, the audit chain, the
statutory calendar, notifications and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.validators import (
    mask_id_number,
    mask_mobile,
    validate_mainland_mobile,
    validate_resident_id,
)


class Branch(models.Model):
    """A bank branch; staff of the head office see every branch's disputes."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_head_office = models.BooleanField(_("head office"), default=False)
    # Where it is: management figures are cut by province and city (the regulator's circulars).
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    MEDIATION_CENTRE = "mediation_centre", _("Mediation centre")
    ARBITRATION_COMMISSION = "arbitration_commission", _("Arbitration commission")
    COURT = "court", _("Court")


class PartnerOrganisationQuerySet(models.QuerySet["PartnerOrganisation"]):
    def active(self) -> PartnerOrganisationQuerySet:
        return self.filter(is_active=True)


class PartnerOrganisation(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind)
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


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    STAFF = "staff", _("Bank complaint staff")
    PARTNER = "partner", _("Partner member")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class PartnerRole(models.TextChoices):
    MEDIATOR = "mediator", _("Mediator")
    CASE_CLERK = "case_clerk", _("Case clerk")
    ARBITRATOR = "arbitrator", _("Arbitrator")
    JUDGE = "judge", _("Judge")
    COURT_CLERK = "court_clerk", _("Court clerk")


class User(AbstractUser):
    """Every person who signs in. The role decides what they see (portal/access.py, and each
    domain's access.py)."""

    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.CUSTOMER)
    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_mainland_mobile],
    )
    # Set when the person proved they hold the number with a one-time code (portal/otp.py).
    mobile_verified_at = models.DateTimeField(_("mobile verified"), null=True, blank=True)
    # On an account the bank opened for a dispute received by phone or letter: the number the
    # caller gave. The account holds no sign-in; the person claims its cases from their own
    # account once their verified mobile and their ID number both match (portal/services.py).
    recorded_mobile = models.CharField(
        _("mobile number given by phone"), max_length=11, blank=True, db_index=True
    )
    # Sensitive personal information (PIPL art. 28): shown masked except where a rule needs it.
    id_number = models.CharField(
        _("resident ID number"), max_length=18, blank=True, validators=[validate_resident_id]
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("partner organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    partner_role = models.CharField(
        _("partner role"), max_length=20, choices=PartnerRole, blank=True
    )
    # The person asked for their account to be deleted (PIPL art. 47; portal/privacy.py): the
    # personal fields are cleared and the account can no longer sign in.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="user_email_unique_when_set"
            ),
        ]
        indexes = [
            # A bank's few hundred staff among its hundreds of thousands of customers: who is
            # told of a branch's case, whom a case may be given to (bench/scale.py: without it
            # each such list scanned the whole user table, 40 to 100 ms at 300,000 customers).
            models.Index(fields=["branch", "real_name"], condition=Q(role="staff"), name="staff"),
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.STAFF and not self.branch_id:
            raise ValidationError({"branch": _("Bank staff must belong to a branch.")})
        if self.role == Role.PARTNER and not self.organisation_id:
            raise ValidationError(
                {"organisation": _("Partner members must belong to a partner organisation.")}
            )

    @property
    def contact_mobile(self) -> str:
        """The number to reach the person on: their own, or the one they gave by phone."""
        return self.mobile or self.recorded_mobile

    @property
    def display_name(self) -> str:
        return self.real_name or self.get_full_name() or self.username

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_bank_staff(self) -> bool:
        return self.role == Role.STAFF

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class AuditChainHead(models.Model):
    """One row, locked while an event is appended, so the chain never forks."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class AuditEvent(models.Model):
    """Append-only, hash-chained record of every state change and sensitive action.

    Each event stores the hash of its predecessor and the hash of its own content;
    `manage.py verify_audit` recomputes the chain and names the first altered or missing event.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(_("object type"), max_length=60)
    target_id = models.CharField(_("object id"), max_length=40)
    # The dispute reference this event belongs to, so a case's timeline is one indexed query.
    case_ref = models.CharField(_("case reference"), max_length=40, blank=True, db_index=True)
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.case_ref or self.target_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValidationError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValidationError("Audit events are append-only.")


class CalendarDay(models.Model):
    """An exception to the Monday-Friday week: a public holiday, or a 调休 working day.

    Loaded from the `holidays` package (`manage.py load_calendar`) and corrected by an
    administrator when the State Council publishes the year's arrangement.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Statutory rest day")
        WORKDAY = "workday", _("Substituted working day (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("statutory calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class BindingAct(models.Model):
    """A binding act a person made (accepting a mediator's proposal ...): the whole text they
    were shown and confirmed, re-authenticated with a one-time code, and the sealed PDF of it
    (portal/binding.py). Both hashes enter the audit chain."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being sealed")
        READY = "ready", _("Sealed")
        FAILED = "failed", _("Sealing failed: tried again shortly")

    kind = models.CharField(_("act"), max_length=40)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="binding_acts")
    on_behalf_of = models.CharField(_("on behalf of"), max_length=100, blank=True)
    case_ref = models.CharField(_("case"), max_length=40, db_index=True)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text confirmed"))
    text_sha256 = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(_("confirmed"))
    reauthenticated_by = models.CharField(_("re-authenticated by"), max_length=40)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    pdf = models.FileField(upload_to="acts/", max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    failure = models.TextField(blank=True)

    class Meta:
        verbose_name = _("binding act")
        verbose_name_plural = _("binding acts")
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return f"{self.case_ref} {self.kind} {self.confirmed_at:%Y-%m-%d %H:%M}"

    @property
    def principal_name(self) -> str:
        """The person an agent made the act for, by name (on_behalf_of holds the username)."""
        principal = User.objects.filter(username=self.on_behalf_of).first()
        return principal.display_name if principal else self.on_behalf_of


class DataExport(models.Model):
    """A copy of a person's data (PIPL art. 45), built in the background as JSON and a
    readable PDF (portal/privacy.py); kept for DATA_EXPORT_KEEP_DAYS."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    requested_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    json_file = models.FileField(upload_to="exports/", max_length=200, blank=True)
    pdf_file = models.FileField(upload_to="exports/", max_length=200, blank=True)
    failure = models.TextField(blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.requested_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """One message to one person, shown in the in-app notification centre.

    `dedupe_key` makes reminders idempotent: the same deadline and threshold never notifies the
    same person twice, however often the daily job runs.
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("event"), max_length=60)
    # Chinese first, with English: both are stored, the page shows the reader's language.
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"))
    title_en = models.CharField(max_length=200, blank=True)
    body_en = models.TextField(blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # An iCalendar invitation (RFC 5545) that goes with the message: a session scheduled,
    # moved or cancelled. Attached to the email; downloadable from the notification.
    calendar = models.TextField(blank=True)
    legal = models.BooleanField(_("legal notice"), default=False)
    case_ref = models.CharField(max_length=40, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """A notification sent through one outside channel (email; SMS later), with retries."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Will retry")
        FAILED = "failed", _("Gave up")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=20)
    address = models.CharField(_("address"), max_length=200)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.channel} {self.address} {self.status}"


class NotificationOptOut(models.Model):
    """A person switched an event off (legal notices cannot be switched off)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="opt_outs")
    event = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="one_opt_out")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event}"


class NotificationChannelChoice(models.Model):
    """How a person wants one event beyond the portal: by email (sent unless switched off) or by
    text message (sent only if switched on). No row: the channel's own default
    (portal/notifications/channels.py). A legal notice always goes by email."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="channel_choices")
    event = models.CharField(max_length=60)
    channel = models.CharField(max_length=20)
    wanted = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event", "channel"], name="one_channel_choice")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event} {self.channel} {self.wanted}"


class ApiToken(models.Model):
    """An API token, stored hashed. A partner organisation's token acts as that
    organisation's service account (so the same access rules apply); a personal token is for a
    staff member's scripts. Issued and revoked in the admin; the key is shown once."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # The user's session hash (derived from the password hash) when the token was issued: a
    # changed or reset password no longer matches, and every token it had stops working.
    auth_hash = models.CharField(max_length=128, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(models.Model):
    """The first answer to a create request carrying an Idempotency-Key, replayed for the same
    key and body (and refused with 422 for the same key and another body)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_key_per_user")]

    def __str__(self) -> str:
        return self.key


class SmsMessage(models.Model):
    """A text message as the database SMS backend keeps it (development and tests): the admin
    lists them, so a developer reads the code the portal sent."""

    to = models.CharField(_("recipient number"), max_length=11)
    text = models.TextField(_("message text"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("text message (development)")
        verbose_name_plural = _("text messages (development)")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.to}: {self.text[:30]}"


class OneTimeCodePurpose(models.TextChoices):
    REGISTER = "register", _("registration")
    CLAIM = "claim", _("claiming a case recorded by phone")
    CONFIRM = "confirm", _("confirming a binding act")


class OneTimeCode(models.Model):
    """A six-digit code sent by SMS, kept only as an HMAC; good for OTP_VALID_SECONDS and
    OTP_MAX_ATTEMPTS tries, once."""

    mobile = models.CharField(max_length=11)
    purpose = models.CharField(max_length=20, choices=OneTimeCodePurpose)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["mobile", "purpose", "-created_at"], name="otp_lookup")]

    def __str__(self) -> str:
        return f"{self.purpose} {mask_mobile(self.mobile)}"
