"""A hot spot: an intake well above its own baseline (mediation/insight/hotspots.py), from
raised to closed.

States::

    open -> acknowledged -> closed
    open -> closed

Transition table (kept in step with the code by tests/insight/test_hotspots.py):

=================== ============================================ =================
transition          from                                         to
=================== ============================================ =================
acknowledge         open                                         acknowledged
close               open, acknowledged                           closed
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


class HotSpotStatus(models.TextChoices):
    OPEN = "open", _("Raised")
    ACKNOWLEDGED = "acknowledged", _("Being looked into")
    CLOSED = "closed", _("Closed")


def _may_work(user: User, spot: Any) -> bool:
    from mediation.insight import access  # access reads the models: import late

    return access.can_work_hotspot(user, spot)


class HotSpotLifecycle(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _("status"),
        max_length=15,
        choices=HotSpotStatus.choices,
        default=HotSpotStatus.OPEN,
        protected=True,
    )

    class Meta:
        abstract = True

    @transition(
        field=status,
        source=HotSpotStatus.OPEN,
        target=HotSpotStatus.ACKNOWLEDGED,
        permission=fsm_permission(_may_work),
    )
    def acknowledge(self) -> None:
        """Someone takes it: the assignee looks into the cases behind it."""

    @transition(
        field=status,
        source=[HotSpotStatus.OPEN, HotSpotStatus.ACKNOWLEDGED],
        target=HotSpotStatus.CLOSED,
        permission=fsm_permission(_may_work),
    )
    def close(self) -> None:
        """Looked into: what was found (a class of problems, or chance) is recorded."""
