"""The annual white paper (seed 6.2), from asked for to public.

States::

    queued -> ready -> published
    queued -> failed

Transition table (kept in step with the code by tests/insight/test_white_paper.py):

=================== ============================================ =================
transition          from                                         to
=================== ============================================ =================
built               queued                                       ready
fail                queued                                       failed
publish             ready                                        published
=================== ============================================ =================

`built` and `fail` are the worker's (no person); `publish` is an administrator's approval. A
paper is never changed once built: a corrected one is a new version of the same year, and
every published version stays available.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.access import fsm_permission, is_administrator

if TYPE_CHECKING:
    from portal.models import User


class WhitePaperStatus(models.TextChoices):
    QUEUED = "queued", _("Being built")
    READY = "ready", _("Built, awaiting an administrator's approval")
    FAILED = "failed", _("Build failed")
    PUBLISHED = "published", _("Published")


def _may_publish(user: User, paper: object) -> bool:
    return is_administrator(user)


class WhitePaperLifecycle(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _("status"),
        max_length=10,
        choices=WhitePaperStatus.choices,
        default=WhitePaperStatus.QUEUED,
        protected=True,
    )

    class Meta:
        abstract = True

    @transition(field=status, source=WhitePaperStatus.QUEUED, target=WhitePaperStatus.READY)
    def built(self) -> None:
        """The worker stored the PDF and the figures the public page shows."""

    @transition(field=status, source=WhitePaperStatus.QUEUED, target=WhitePaperStatus.FAILED)
    def fail(self) -> None:
        """The build raised: the reason is kept; a new version can be asked for."""

    @transition(
        field=status,
        source=WhitePaperStatus.READY,
        target=WhitePaperStatus.PUBLISHED,
        permission=fsm_permission(_may_publish),
    )
    def publish(self) -> None:
        """An administrator approves it: anyone can read it, signed in or not."""
