"""The keyed, anchored audit chain: append and verify.

Every transition and every sensitive action (downloads, consent changes, refusals of access)
is appended here inside the same transaction as the change it records, so a rolled-back change
leaves no event and a committed one always has its event.

Each event's hash is an HMAC-SHA256, keyed with AUDIT_KEY (from the environment, never in the
database), over the previous hash and the event: whoever can write the database but not read
the key cannot recompute the chain after editing an event. After each commit the new head
(sequence and hash) is appended to the anchor, a file outside the database (AUDIT_ANCHOR_PATH;
ship it to write-once storage): a truncated chain, or a rewritten one, no longer reaches the
anchored head, and `verify_audit` says so.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from portal.models import AuditChainHead, AuditEvent, User

GENESIS_HASH = "0" * 64


def chain_payload(event: AuditEvent, prev_hash: str) -> bytes:
    """What an event's hash covers: the previous hash, then the event as canonical JSON."""
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
    body = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return (prev_hash + body).encode()


def _content_hash(event: AuditEvent) -> str:
    return hmac.new(audit_key(), chain_payload(event, event.prev_hash), hashlib.sha256).hexdigest()


def audit_key() -> bytes:
    """AUDIT_KEY, or one derived from SECRET_KEY (also from the environment) when unset."""
    if settings.AUDIT_KEY:
        return str(settings.AUDIT_KEY).encode()
    return salted_hmac("portal.audit.key", "chain", algorithm="sha256").digest()


def _anchor(seq: int, digest: str) -> None:
    """Append the committed head to the anchor file (one line: sequence, hash, time)."""
    path = settings.AUDIT_ANCHOR_PATH
    if not path:
        return
    os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
    line = f"{seq} {digest} {timezone.now().isoformat()}\n".encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def anchored_head() -> tuple[int, str] | None:
    """The last head written to the anchor, or None when there is none yet."""
    path = settings.AUDIT_ANCHOR_PATH
    if not path or not os.path.exists(path):
        return None
    last: tuple[int, str] | None = None
    with open(path, encoding="ascii") as anchor:
        for line in anchor:
            parts = line.split()
            if len(parts) >= 2 and parts[0].isdigit():
                seq = int(parts[0])
                if last is None or seq >= last[0]:
                    last = (seq, parts[1])
    return last


# Who an actor acts for on a case: the layers above register a rule (mediation: an agent the
# customer authorised acts for that customer). Each answers the principal's username or "".
type OnBehalf = Callable[["User", str], str]
_on_behalf: list[OnBehalf] = []


def register_on_behalf(rule: OnBehalf) -> None:
    if rule not in _on_behalf:
        _on_behalf.append(rule)


def on_behalf_of(actor: User | None, case_ref: str) -> str:
    """The username of the person `actor` acts for on this case, or ""."""
    if actor is None or not case_ref:
        return ""
    return next((who for rule in _on_behalf if (who := rule(actor, case_ref))), "")


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    case_ref: str | None = None,
) -> AuditEvent:
    """Append one event to the chain (the caller's transaction decides whether it stays).
    `target` None: an event about no stored object (a refusal of unknown credentials)."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        actor_obj = actor if actor is not None and actor.is_authenticated else None
        case = case_ref if case_ref is not None else str(getattr(target, "reference", ""))
        if principal := on_behalf_of(actor_obj, case):
            data = {**(data or {}), "on_behalf_of": principal}
        event = AuditEvent(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            actor=actor_obj,
            actor_label=actor_obj.username if actor_obj else "system",
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            case_ref=case,
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
        seq, digest = event.seq, event.hash
        transaction.on_commit(lambda: _anchor(seq, digest))
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
    last_seq, last_hash = expected_seq - 1, expected_prev
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None and last_seq:
        return ChainProblem(last_seq, "the chain's head record is missing")
    if head is not None and (head.last_seq, head.last_hash) != (last_seq, last_hash):
        if head.last_seq > last_seq:
            return ChainProblem(last_seq + 1, f"event #{last_seq + 1} is missing (end of chain)")
        return ChainProblem(last_seq, "the chain's head record does not match its last event")
    anchored = anchored_head()
    if anchored is not None:
        seq, digest = anchored
        if seq > last_seq:
            return ChainProblem(
                last_seq + 1, f"the chain ends at #{last_seq}, but #{seq} was anchored"
            )
        at = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
        if at != digest:
            return ChainProblem(seq, f"event #{seq} differs from the anchored head (rewritten)")
    return None
