"""Webhooks to partner organisations' own case systems."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal import crypto
from portal.models import PartnerOrganisation

MIN_SECRET_LENGTH = 32

WEBHOOK_EVENTS = [
    ("referral.sent", _("Referral sent")),
    ("referral.withdrawn", _("Referral withdrawn")),
    ("bundle.ready", _("Bundle ready")),
    ("consent.withdrawn", _("Consent withdrawn")),
]


class WebhookEndpoint(models.Model):
    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("URL"), help_text=_("HTTPS, to a public address."))
    # The signing secret, encrypted at rest (portal/crypto.py); read and set it as `secret`.
    secret_encrypted = models.TextField(_("signing secret (encrypted)"), blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.secret:
            self.secret = secrets.token_urlsafe(32)  # 32 random bytes
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from referrals.webhooks.targets import resolve_target

        super().clean()
        if self.url:
            try:
                resolve_target(self.url)
            except ValidationError as exc:
                raise ValidationError({"url": exc.messages}) from exc
        if self.secret_encrypted and len(self.secret) < MIN_SECRET_LENGTH:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _("A signing secret has at least %(n)s characters.")
                    % {"n": MIN_SECRET_LENGTH}
                }
            )

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted) if self.secret_encrypted else ""

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = crypto.encrypt(value) if value else ""


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        RETRYING = "retrying", _("Will retry")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WEBHOOK_EVENTS)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
