"""The court's acts on an application for judicial confirmation: acceptance within 3 days
with a 调确字 case number (SPC 2011 art. 4), the ruling within 15 days (+10 with approval,
30 at most: SPC 2011 art. 5, CPL art. 187), non-acceptance (CPL interpretation art. 355) and
rejection (art. 358), each recorded by the court's members or, for a paper file, the bank."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.services.evidence import exhibit_staged
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import User
from portal.periods import (
    CONFIRMATION_DECISION,
    CONFIRMATION_DECISION_CEILING,
    CONFIRMATION_DECISION_EXTENDED,
    ENFORCEMENT_APPLICATION,
    OBJECTION_TO_RULING,
)
from portal.transitions import ActionForbidden, check_transition, run_transition
from referrals.confirmation import access as confirmation_access
from referrals.confirmation.lifecycle import ConfirmationStatus, NotAcceptedReason, RejectionGround
from referrals.confirmation.services import confirmation_lock, confirmation_tell
from referrals.models import JudicialConfirmation

# "（2026）沪0115民特123号" or the older "（2026）沪0115法民调确字第12号".
CASE_NUMBER_RE = re.compile(r"^[（(]\d{4}[）)]\S*?(调确字?|民特)\S*?\d+号$")


@transaction.atomic
def confirmation_accept(
    *, actor: User, confirmation_id: int, accepted_on: date, case_number: str
) -> JudicialConfirmation:
    c = confirmation_lock(actor, confirmation_id)
    case_number = case_number.strip()
    if not CASE_NUMBER_RE.match(case_number):
        raise ApplicationError(
            _(
                "Give the court's case number, e.g. （2026）沪0115民特123号 or "
                "（2026）沪0115法民调确字第12号."
            )
        )
    if c.filed_on and accepted_on < c.filed_on:
        raise ApplicationError(_("Acceptance cannot come before filing."))

    def prepare(conf: JudicialConfirmation) -> None:
        conf.accepted_on = accepted_on
        conf.case_number = case_number
        conf.decision_due = CONFIRMATION_DECISION.end(accepted_on)
        conf.decision_ceiling = CONFIRMATION_DECISION_CEILING.end(accepted_on)

    run_transition(c, "accept", actor=actor, before=prepare)
    confirmation_tell(c, "court_accepted", number=c.case_number, due=c.decision_due)
    return c


@transaction.atomic
def confirmation_extend_review(
    *, actor: User, confirmation_id: int, reason: str
) -> JudicialConfirmation:
    """10 more days with the court president's approval, once (SPC 2011 art. 5)."""
    c = confirmation_lock(actor, confirmation_id)
    if not confirmation_access.can_act_for_court(actor, c):
        raise ActionForbidden(_("Only the court (or the bank for a paper file) records this."))
    if c.status != ConfirmationStatus.ACCEPTED or c.decision_extended or c.accepted_on is None:
        raise TransitionRefused(_("The ruling period can be extended once, after acceptance."))
    if not reason.strip():
        raise ApplicationError(_("Record the approval for the extension."))
    c.decision_due = min(
        CONFIRMATION_DECISION_EXTENDED.end(c.accepted_on), c.decision_ceiling or date.max
    )
    c.decision_extended = True
    c.save(update_fields=["decision_due", "decision_extended", "updated_at"])
    c.transition_saved()  # the ruling clock moved
    audit_record(
        actor=actor,
        action="confirmation.review_extended",
        target=c,
        case_ref=c.dispute.reference,
        reason=reason,
    )
    return c


@transaction.atomic
def confirmation_not_accept(
    *, actor: User, confirmation_id: int, reason: str, note: str = ""
) -> JudicialConfirmation:
    c = confirmation_lock(actor, confirmation_id)
    if reason not in NotAcceptedReason.values:
        raise ApplicationError(_("Choose the ground (CPL interpretation art. 355)."))

    def prepare(conf: JudicialConfirmation) -> None:
        conf.not_accepted_reason, conf.note = reason, note.strip()

    run_transition(c, "not_accept", actor=actor, before=prepare, reason=note)
    return c


def _check_ruling(ruling_number: str, ruling_on: date, received_on: date) -> None:
    if not ruling_number.strip():
        raise ApplicationError(_("Give the ruling's number."))
    if received_on < ruling_on or received_on > timezone.localdate():
        raise ApplicationError(
            _("The ruling is received on or after its date, and not in the future.")
        )


def confirmation_confirm(
    *,
    actor: User,
    confirmation_id: int,
    ruling_number: str,
    ruling_on: date,
    received_on: date,
    upload: IO[bytes] | None = None,
    file_name: str = "",
    size: int | None = None,
) -> JudicialConfirmation:
    def enforcement(c: JudicialConfirmation) -> None:
        c.enforcement_until = ENFORCEMENT_APPLICATION.end(c.agreement.performance_due)

    return _record_ruling(
        actor,
        confirmation_id,
        "confirm",
        ruling_number=ruling_number,
        ruling_on=ruling_on,
        received_on=received_on,
        upload=upload,
        file_name=file_name,
        size=size,
        fields=enforcement,
        outcome=_("agreement confirmed"),
    )


def confirmation_reject(
    *,
    actor: User,
    confirmation_id: int,
    ground: str,
    ruling_number: str,
    ruling_on: date,
    received_on: date,
    note: str = "",
    upload: IO[bytes] | None = None,
    file_name: str = "",
    size: int | None = None,
) -> JudicialConfirmation:
    if ground not in RejectionGround.values:
        raise ApplicationError(_("Choose the ground (CPL interpretation art. 358)."))

    def grounds(c: JudicialConfirmation) -> None:
        c.rejection_ground, c.note = ground, note.strip()

    return _record_ruling(
        actor,
        confirmation_id,
        "reject",
        ruling_number=ruling_number,
        ruling_on=ruling_on,
        received_on=received_on,
        upload=upload,
        file_name=file_name,
        size=size,
        fields=grounds,
        outcome=_("application rejected"),
        reason=note,
    )


def _record_ruling(
    actor: User,
    confirmation_id: int,
    transition: str,
    *,
    ruling_number: str,
    ruling_on: date,
    received_on: date,
    upload: IO[bytes] | None,
    file_name: str,
    size: int | None,
    fields: Callable[[JudicialConfirmation], None],
    outcome: str,
    reason: str = "",
) -> JudicialConfirmation:
    """A ruling, confirming or rejecting: the ruling and the state read first (a refusal
    stores nothing), its document (if one is uploaded) stored before the application is
    locked, then the transition, which reads the state again under the lock, with the
    ruling's fields and the outcome's (`fields`), and the parties told."""
    c = confirmation_access.confirmation_get_for(actor, confirmation_id)
    _check_ruling(ruling_number, ruling_on, received_on)
    check_transition(c, transition, actor=actor)
    staged = (
        exhibit_staged(
            actor=actor,
            reference=c.dispute.reference,
            upload=upload,
            original_name=file_name,
            declared_size=size,
            title=_("Court ruling %(n)s") % {"n": ruling_number.strip()},
            category="ruling",
        )
        if upload is not None
        else nullcontext(None)
    )
    with staged as document, transaction.atomic():
        c = confirmation_lock(actor, confirmation_id)

        def prepare(conf: JudicialConfirmation) -> None:
            conf.ruling_number = ruling_number.strip()
            conf.ruling_on, conf.ruling_received_on = ruling_on, received_on
            conf.objection_until = OBJECTION_TO_RULING.end(received_on)
            if document is not None:
                conf.ruling_document = document.record()
            fields(conf)

        run_transition(c, transition, actor=actor, before=prepare, reason=reason)
        confirmation_tell(c, "court_ruling", number=c.ruling_number, outcome=outcome)
        return c
