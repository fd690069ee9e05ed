"""The six-month look-back review (回头看) by the independent audit department.

States, in order::

    scheduled -> queued -> in_review -> passed
                                     \\-> failed -> re_review_scheduled -> queued -> ...

Transition table (kept in step with the code by tests/referrals/test_reviews.py):

=================== ============================================ =================
transition          from                                         to
=================== ============================================ =================
enqueue             scheduled, re_review_scheduled               queued
take                queued                                       in_review
pass_review         in_review                                    passed
fail_review         in_review                                    failed
schedule_re_review  failed                                       re_review_scheduled
=================== ============================================ =================

Rules (seed 6.3, project policy): a review is due 6 calendar months after the dispute closed
(end of month clamped: 31 August -> 28/29 February); the daily job moves due reviews into the
auditors' queue; an auditor takes one, completes the checklist (root cause fixed, staff
accountability, repeat complaints, agreed performance, satisfaction) and gives a verdict; a
failed review yields rectification actions, and once they are done a re-review is scheduled
(3 months later by default) — 评估—整改—再评估 until it passes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal import access as portal_access
from portal.access import fsm_permission
from referrals.reviews import access as review_access


class ReviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    QUEUED = "queued", _("Due: in the auditors' queue")
    IN_REVIEW = "in_review", _("In review")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed: rectification under way")
    RE_REVIEW_SCHEDULED = "re_review_scheduled", _("Re-review scheduled")


V = ReviewStatus


def checklist_complete(review: ReviewLifecycle) -> bool:
    return not review.incomplete_items()


def rectification_done(review: ReviewLifecycle) -> bool:
    return review.rectification_complete()


class ReviewLifecycle(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _("status"),
        max_length=30,
        choices=ReviewStatus.choices,
        default=ReviewStatus.SCHEDULED,
        protected=True,
        db_index=True,
    )

    class Meta:
        abstract = True

    def incomplete_items(self) -> list[str]:
        raise NotImplementedError

    def rectification_complete(self) -> bool:
        raise NotImplementedError

    @transition(
        field=status,
        source=[V.SCHEDULED, V.RE_REVIEW_SCHEDULED],
        target=V.QUEUED,
        permission=fsm_permission(portal_access.is_system_or_administrator),
    )
    def enqueue(self) -> None:
        """The daily job: a review whose due date has come goes to the auditors' queue."""

    @transition(
        field=status,
        source=V.QUEUED,
        target=V.IN_REVIEW,
        permission=fsm_permission(review_access.can_take_review),
    )
    def take(self) -> None:
        """An auditor takes the review."""

    @transition(
        field=status,
        source=V.IN_REVIEW,
        target=V.PASSED,
        conditions=[checklist_complete],
        permission=fsm_permission(review_access.is_review_auditor),
    )
    def pass_review(self) -> None:
        """The case was really put right."""

    @transition(
        field=status,
        source=V.IN_REVIEW,
        target=V.FAILED,
        conditions=[checklist_complete],
        permission=fsm_permission(review_access.is_review_auditor),
    )
    def fail_review(self) -> None:
        """Something was not put right: rectification actions follow."""

    @transition(
        field=status,
        source=V.FAILED,
        target=V.RE_REVIEW_SCHEDULED,
        conditions=[rectification_done],
        permission=fsm_permission(review_access.is_review_auditor),
    )
    def schedule_re_review(self) -> None:
        """Every rectification action is done: the case is reviewed again later."""
