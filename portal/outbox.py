"""Sending something over the network (a notification email, a webhook) without holding a
database lock or transaction while the other side answers (STYLE.md: network I/O outside
transactions).

1. `claim()`: in a short transaction, take the row if it is due (skipping a row another worker
   holds), mark it SENDING with a lease, count the attempt, commit.
2. Send, with no transaction open.
3. `settle()`: in a short transaction, record the outcome: sent, or a retry after back-off, or
   given up.

A worker killed between 1 and 3 leaves the row SENDING; once its lease has passed the retry
job queues it again, so nothing is lost (it may be sent twice: receivers deduplicate on the
delivery id they are given). The models share the fields this needs: status, attempts,
next_attempt_at (the lease while SENDING), last_error.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from portal.backoff import next_attempt_after

PENDING, SENDING, RETRYING, FAILED = "pending", "sending", "retrying", "failed"


def claimable(*, now: datetime) -> Q:
    """Rows a worker may take when queued: waiting or retrying (the retry jobs queue them
    once their back-off has passed), or SENDING past their lease (a worker died sending)."""
    return Q(status__in=[PENDING, RETRYING]) | Q(status=SENDING, next_attempt_at__lte=now)


def claim[M: models.Model](
    model: type[M], pk: int, *, lease: timedelta, related: tuple[str, ...] = ()
) -> M | None:
    """The row, now SENDING under a lease and with its attempt counted, or None when it is
    not for this worker to send."""
    now = timezone.now()
    with transaction.atomic():
        rows = model._default_manager.select_for_update(skip_locked=True, of=("self",))
        if related:
            rows = rows.select_related(*related)
        obj = rows.filter(claimable(now=now), pk=pk).first()
        if obj is None:  # sent, given up, or being sent by another worker
            return None
        item: Any = obj
        item.status = SENDING
        item.attempts += 1
        item.next_attempt_at = now + lease
        obj.save(update_fields=["status", "attempts", "next_attempt_at"])
    return obj


def settle(
    obj: models.Model,
    *,
    done_status: str,
    done_at_field: str,
    error: str | None,
    max_attempts: int,
    extra: dict[str, Any] | None = None,
) -> str:
    """Record the outcome of the attempt `claim` counted; returns the new status."""
    item: Any = obj
    now = timezone.now()
    if error is None:
        item.status, item.next_attempt_at, item.last_error = done_status, None, ""
        setattr(item, done_at_field, now)
    else:
        item.last_error = error[:1000]
        item.next_attempt_at = next_attempt_after(item.attempts, max_attempts=max_attempts, now=now)
        item.status = RETRYING if item.next_attempt_at else FAILED
    for name, value in (extra or {}).items():
        setattr(item, name, value)
    fields = ["status", "next_attempt_at", "last_error", done_at_field, *(extra or {})]
    with transaction.atomic():
        obj.save(update_fields=fields)
    return str(item.status)
