"""Keeping people informed: notifications in the portal and by email.

Services call `notify_after_commit(...)`: nothing is said about a change that rolled back.
`notify` writes one Notification per recipient (skipping those who switched a non-legal event
off, and any duplicate of a dedupe key), one Delivery per outside channel, and queues the
deliveries as background tasks; a failing mail server is retried with back-off and loses
nothing (`retry_deliveries`, run by `manage.py run_scheduled_jobs`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from portal import outbox
from portal.models import (
    Delivery,
    Notification,
    NotificationChannelChoice,
    NotificationOptOut,
    User,
)
from portal.notifications.channels import CHANNELS, channel_named, wanted
from portal.notifications.events import EVENTS

log = logging.getLogger("portal.notifications")

MAX_ATTEMPTS = 6
# How long a worker may take to send one before another may try (a mail server's timeouts
# are well inside it).
SEND_LEASE = timedelta(minutes=5)


def _render(text: Any, params: dict[str, Any], language: str) -> str:
    with translation.override(language):
        return str(text) % {k: str(v) for k, v in params.items()}


def notify(
    event: str,
    *,
    recipients: Iterable[User],
    params: dict[str, Any],
    case_ref: str = "",
    url: str = "",
    dedupe: str | None = None,
    calendar: str = "",
) -> list[Notification]:
    kind = EVENTS[event]
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not kind.legal and people:
        opted_out = set(
            NotificationOptOut.objects.filter(event=event, user_id__in=people).values_list(
                "user_id", flat=True
            )
        )
        people = {pk: u for pk, u in people.items() if pk not in opted_out}
    chosen = {
        (user_id, channel): choice
        for user_id, channel, choice in NotificationChannelChoice.objects.filter(
            event=event, user_id__in=people
        ).values_list("user_id", "channel", "wanted")
    }
    created: list[Notification] = []
    for user in people.values():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user,
                    event=event,
                    legal=kind.legal,
                    case_ref=case_ref,
                    url=url,
                    calendar=calendar,
                    title=_render(kind.title, params, "zh-hans"),
                    body=_render(kind.body, params, "zh-hans"),
                    title_en=_render(kind.title, params, "en"),
                    body_en=_render(kind.body, params, "en"),
                    dedupe_key=f"{dedupe}:{user.pk}" if dedupe else None,
                )
                for channel in CHANNELS:
                    address = channel.address(user)
                    if address and wanted(kind, channel, chosen.get((user.pk, channel.name))):
                        delivery = Delivery.objects.create(
                            notification=notification, channel=channel.name, address=address
                        )
                        transaction.on_commit(partial(_enqueue, delivery.pk))
        except IntegrityError:
            continue  # already notified for this deadline and threshold
        created.append(notification)
    return created


def notify_after_commit(event: str, **kwargs: Any) -> None:
    """The form services use: the notification goes out only if the change commits."""
    recipients = list(kwargs.pop("recipients"))
    transaction.on_commit(lambda: notify(event, recipients=recipients, **kwargs))


def _enqueue(delivery_id: int) -> None:
    from portal.tasks import deliver

    deliver.enqueue(delivery_id)


def deliver_one(delivery_id: int) -> str:
    """Send one delivery outside any transaction (portal/outbox.py); on failure keep it for a
    retry with exponential back-off."""
    delivery = outbox.claim(Delivery, delivery_id, lease=SEND_LEASE, related=("notification",))
    if delivery is None:
        return "skipped"
    error = None
    try:
        channel_named(delivery.channel).send(delivery)
    except Exception as exc:  # any channel failure is kept for a retry, never lost
        log.warning("delivery %s failed (attempt %s): %s", delivery_id, delivery.attempts, exc)
        error = f"{type(exc).__name__}: {exc}"
    return outbox.settle(
        delivery,
        done_status=Delivery.Status.SENT,
        done_at_field="sent_at",
        error=error,
        max_attempts=MAX_ATTEMPTS,
    )


def retry_deliveries(*, now: datetime | None = None) -> int:
    """Queue again the deliveries whose back-off (or, for one a worker died sending, whose
    lease) has passed, and pending ones whose task was lost. Idempotent."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(
            status__in=[Delivery.Status.RETRYING, Delivery.Status.SENDING],
            next_attempt_at__lte=now,
        ).values_list("pk", flat=True)
    )
    lost = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, notification__created_at__lt=now - timedelta(minutes=15)
        ).values_list("pk", flat=True)
    )
    for pk in due + lost:
        _enqueue(pk)
    return len(due) + len(lost)


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
