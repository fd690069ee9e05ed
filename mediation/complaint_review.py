"""The customer's request for a review (核查) of the bank's decision (银行业保险业消费投诉处理
管理办法, 2020, art. 26): asked within 30 days of the decision, decided by a member of staff
other than the one who gave the decision, within the set time.

States::

    requested -> upheld | changed | reversed

Transition table (kept in step with the code by tests/mediation/test_complaint_review.py):

=================== ============================================ =================
transition          from                                         to
=================== ============================================ =================
uphold              requested                                    upheld
change              requested                                    changed
reverse             requested                                    reversed
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


class ReviewRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Review asked for: with the bank")
    UPHELD = "upheld", _("Decision upheld")
    CHANGED = "changed", _("Decision changed")
    REVERSED = "reversed", _("Decision reversed")


def may_decide_review(user: User, review: Any) -> bool:
    """Staff handling the case, never the person who gave the decision under review."""
    from mediation import access as dispute_access  # access reads the models: import late

    return dispute_access.can_handle_dispute(user, review.dispute) and (
        review.dispute.decision_by_id != user.pk
    )


class ReviewRequestLifecycle(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _("status"),
        max_length=12,
        choices=ReviewRequestStatus.choices,
        default=ReviewRequestStatus.REQUESTED,
        protected=True,
    )

    class Meta:
        abstract = True

    @transition(
        field=status,
        source=ReviewRequestStatus.REQUESTED,
        target=ReviewRequestStatus.UPHELD,
        permission=fsm_permission(may_decide_review),
    )
    def uphold(self) -> None:
        """The decision stands, with the reasons the customer reads."""

    @transition(
        field=status,
        source=ReviewRequestStatus.REQUESTED,
        target=ReviewRequestStatus.CHANGED,
        permission=fsm_permission(may_decide_review),
    )
    def change(self) -> None:
        """The decision is changed in part."""

    @transition(
        field=status,
        source=ReviewRequestStatus.REQUESTED,
        target=ReviewRequestStatus.REVERSED,
        permission=fsm_permission(may_decide_review),
    )
    def reverse(self) -> None:
        """The decision is reversed: the customer's complaint is granted."""
