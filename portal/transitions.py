"""Running one django-fsm transition the house way (STYLE.md 4).

The caller has already fetched and locked the row (a fetch-and-authorise helper from
the domain's access.py, inside transaction.atomic). This checks the state, then the permission,
lets the service set fields (`before`), runs the transition, lets it derive fields from the new
state (`after`), saves, appends the audit event and queues
side effects for after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import User


class ActionForbidden(ApplicationError):
    code = "forbidden"
    http_status: int = 403


class Audited(Protocol):
    """What a state machine's model tells the audit chain about itself: the prefix of its
    actions ("referral" for referral.accept), the case it belongs to, and the facts every one
    of its events carries (the referral and its centre). A model may also define
    `transition_saved()`, called after each transition is saved (a referral, for one, stores
    its case's next deadline again)."""

    audit_prefix: ClassVar[str]

    @property
    def case_reference(self) -> str: ...

    def audit_data(self) -> dict[str, Any]: ...


def may_transition(obj: models.Model, name: str, user: User | None) -> bool:
    """The transition's permission alone (django_fsm.has_transition_perm also checks the
    conditions, and 'not allowed' must be told apart from 'not ready yet')."""
    meta = getattr(obj, name)._django_fsm
    state = meta.field.get_state(obj)
    return bool(meta.has_transition(state) and meta.has_transition_perm(obj, state, user))


def check_transition(obj: models.Model, name: str, *, actor: User | None) -> None:
    """The state, then the permission, as run_transition checks them first: for a service
    that must refuse before it touches anything else (another object's transition)."""
    method = getattr(obj, name)
    field = method._django_fsm.field
    if not can_proceed(method, check_conditions=False):
        display = getattr(obj, f"get_{field.name}_display")()
        raise TransitionRefused(
            _("This action is not possible while the case is “%(state)s”.") % {"state": display}
        )
    if not may_transition(obj, name, actor):
        raise ActionForbidden(_("You may not take this action on this case."))


def run_transition[M: models.Model](
    obj: M,
    name: str,
    *,
    actor: User | None,
    reason: str = "",
    before: Callable[[M], None] | None = None,
    after: Callable[[M], None] | None = None,
    data: dict[str, Any] | None = None,
    on_commit: Callable[[], None] | None = None,
) -> M:
    """The one way a transition runs, for every state machine: the state, then the
    permission, then the service's fields (`before`), the transition, fields derived from the
    new state (`after`), save, the audit event (`<audit_prefix>.<name>` on the case, with the
    model's audit_data() and `data`), and `on_commit` queued for after commit."""
    audited: Audited = obj  # type: ignore[assignment]
    method = getattr(obj, name)
    field = method._django_fsm.field
    from_state = field.get_state(obj)
    check_transition(obj, name, actor=actor)
    if before is not None:
        before(obj)
    if not can_proceed(method):
        raise TransitionRefused(_("The conditions for this action are not met yet."))
    method()
    if after is not None:
        after(obj)
    obj.save()
    saved = getattr(obj, "transition_saved", None)
    if saved is not None:
        saved()
    audit_record(
        actor=actor,
        action=f"{audited.audit_prefix}.{name}",
        target=obj,
        from_state=from_state,
        to_state=field.get_state(obj),
        reason=reason,
        data={**audited.audit_data(), **(data or {})} or None,
        case_ref=audited.case_reference,
    )
    if on_commit is not None:
        transaction.on_commit(on_commit)
    return obj
