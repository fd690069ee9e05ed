"""A class of problems, from opened to closed.

States::

    open -> offering -> closed
    open -> closed

Transition table (kept in step with the code by tests/problems/test_classes.py):

=================== ============================================ =================
transition          from                                         to
=================== ============================================ =================
start_offers        open                                         offering
close               open, offering                               closed
=================== ============================================ =================

While offering, offers go to members who join later too; closing needs no offer open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.access import fsm_permission

if TYPE_CHECKING:
    from portal.models import User


class ClassStatus(models.TextChoices):
    OPEN = "open", _("Open: cause and rule being settled")
    OFFERING = "offering", _("Offers sent")
    CLOSED = "closed", _("Closed")


def _may_manage(user: User, problem: Any) -> bool:
    from mediation.problems import access  # access reads the models: import late

    return access.can_manage_class(user, problem)


def has_rule(problem: Any) -> bool:
    """Offers follow the compensation rule: a share of the loss and a characterisation."""
    return bool(problem.share and problem.characterisation.strip())


def no_offer_waiting(problem: Any) -> bool:
    return not problem.members.filter(offer_status="sent").exists()


class ProblemClassLifecycle(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _("status"),
        max_length=15,
        choices=ClassStatus.choices,
        default=ClassStatus.OPEN,
        protected=True,
    )

    class Meta:
        abstract = True

    @transition(
        field=status,
        source=ClassStatus.OPEN,
        target=ClassStatus.OFFERING,
        conditions=[has_rule],
        permission=fsm_permission(_may_manage),
    )
    def start_offers(self) -> None:
        """The rule is settled: each member's offer is computed and sent."""

    @transition(
        field=status,
        source=[ClassStatus.OPEN, ClassStatus.OFFERING],
        target=ClassStatus.CLOSED,
        conditions=[no_offer_waiting],
        permission=fsm_permission(_may_manage),
    )
    def close(self) -> None:
        """Every offer answered (or none made): the class is closed with its outcome."""
