"""Look-back reviews are the audit department's alone: auditors see and take them; the auditor
who took a review works it; scheduled jobs (no user) and administrators queue them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.access import is_auditor, refuse, visible_or_404

# A module, not names: the lifecycle points its permissions here while the models are built.
from referrals.reviews import models

if TYPE_CHECKING:
    from portal.models import User
    from referrals.reviews.models import LookbackReview, RectificationAction


def can_take_review(user: User, review: LookbackReview) -> bool:
    return is_auditor(user)


def is_review_auditor(user: User, review: LookbackReview) -> bool:
    """The auditor who took the review works it."""
    return bool(is_auditor(user) and review.auditor_id == user.pk)


def review_get_for(user: User, pk: int, *, for_update: bool = False) -> LookbackReview:
    return visible_or_404(
        user,
        models.LookbackReview.objects.select_related(
            "dispute", "dispute__customer", "dispute__branch", "auditor"
        ),
        "review",
        pk,
        lambda _review: is_auditor(user),
        for_update=for_update,
        pk=pk,
    )


def rectification_get_for(user: User, pk: int) -> RectificationAction:
    item = models.RectificationAction.objects.filter(pk=pk).first()
    if item is None:
        raise refuse(user, "rectification", pk)
    item.review = review_get_for(user, item.review_id)
    return item
