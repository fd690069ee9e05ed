"""The hash-chained audit log: append and verify.

Every transition and every sensitive action (downloads, consent changes, refusals of access)
is appended here inside the same transaction as the change it records, so a rolled-back change
leaves no event and a committed one always has its event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from portal.models import AuditChainHead, AuditEvent, User

GENESIS_HASH = "0" * 64


def _content_hash(event: AuditEvent) -> str:
    content = {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "case_ref": event.case_ref,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "data": event.data,
    }
    payload = event.prev_hash + json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    case_ref: str | None = None,
) -> AuditEvent:
    """Append one event to the chain (the caller's transaction decides whether it stays)."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        actor_obj = actor if actor is not None and actor.is_authenticated else None
        event = AuditEvent(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            actor=actor_obj,
            actor_label=actor_obj.username if actor_obj else "system",
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            case_ref=case_ref if case_ref is not None else str(getattr(target, "reference", "")),
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            data=json.loads(json.dumps(data or {}, default=str)),
            prev_hash=head.last_hash,
        )
        event.hash = _content_hash(event)
        event.save()
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str


def audit_verify() -> ChainProblem | None:
    """Recompute the chain; return the first altered, missing or reordered event, or None."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    events: Iterator[AuditEvent] = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    for event in events:
        if event.seq != expected_seq:
            return ChainProblem(expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != expected_prev:
            return ChainProblem(
                event.seq, f"event #{event.seq} does not follow its predecessor (chain broken)"
            )
        if _content_hash(event) != event.hash:
            return ChainProblem(event.seq, f"event #{event.seq} was altered after it was written")
        expected_prev = event.hash
        expected_seq += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq >= expected_seq:
        return ChainProblem(expected_seq, f"event #{expected_seq} is missing (end of chain)")
    return None
