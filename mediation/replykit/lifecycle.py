"""A reply to a complaint, written with the toolkit (法条一本通), from draft to issued letter.

States::

    draft -> awaiting_approval -> issued
         \\-> issued            (no second approver needed)
    awaiting_approval -> draft  (sent back with a reason)

A reply that grants more than a set amount (REPLY_SECOND_APPROVAL_ABOVE) or refuses a claim in
whole or in part needs a second approver, never its author.

Transition table (kept in step with the code by tests/replykit/test_lifecycle.py):

=================== ============================================ =================
transition          from                                         to
=================== ============================================ =================
submit              draft                                        awaiting_approval
issue               draft                                        issued
approve             awaiting_approval                            issued
send_back           awaiting_approval                            draft
=================== ============================================ =================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.access import fsm_permission

if TYPE_CHECKING:
    from portal.models import User


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting a second approver")
    ISSUED = "issued", _("Issued to the customer")


def _may_write(user: User, reply: Any) -> bool:
    from mediation.replykit import access  # access reads the models: import late

    return access.can_write_reply(user, reply)


def _may_approve(user: User, reply: Any) -> bool:
    from mediation.replykit import access

    return access.can_approve_reply(user, reply)


def needs_no_approval(reply: Any) -> bool:
    return not reply.needs_second_approver


def needs_approval(reply: Any) -> bool:
    return bool(reply.needs_second_approver)


class ReplyLifecycle(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _("status"),
        max_length=20,
        choices=ReplyStatus.choices,
        default=ReplyStatus.DRAFT,
        protected=True,
    )

    class Meta:
        abstract = True

    @transition(
        field=status,
        source=ReplyStatus.DRAFT,
        target=ReplyStatus.AWAITING_APPROVAL,
        conditions=[needs_approval],
        permission=fsm_permission(_may_write),
    )
    def submit(self) -> None:
        """The author asks a second member of staff to approve it."""

    @transition(
        field=status,
        source=ReplyStatus.DRAFT,
        target=ReplyStatus.ISSUED,
        conditions=[needs_no_approval],
        permission=fsm_permission(_may_write),
    )
    def issue(self) -> None:
        """Within the author's own authority: issued at once."""

    @transition(
        field=status,
        source=ReplyStatus.AWAITING_APPROVAL,
        target=ReplyStatus.ISSUED,
        permission=fsm_permission(_may_approve),
    )
    def approve(self) -> None:
        """The second approver agrees: issued."""

    @transition(
        field=status,
        source=ReplyStatus.AWAITING_APPROVAL,
        target=ReplyStatus.DRAFT,
        permission=fsm_permission(_may_approve),
    )
    def send_back(self) -> None:
        """The second approver returns it to its author with a reason."""
