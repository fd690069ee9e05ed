"""REST API for look-back reviews: read-only, for auditors."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers

from portal import access as portal_access
from portal.api import (
    actor,
)
from portal.transitions import ActionForbidden
from referrals.api_base import ReadOnlyCaseViewSet
from referrals.models import (
    LookbackReview,
)


class ReviewOut(serializers.ModelSerializer):
    case = serializers.CharField(source="dispute.reference")

    class Meta:
        model = LookbackReview
        fields = [
            "id",
            "case",
            "status",
            "round",
            "closed_on",
            "due_on",
            "auditor",
            "root_cause",
            "accountability",
            "repeat",
            "performance",
            "satisfaction",
            "verdict_findings",
            "updated_at",
        ]


class ReviewViewSet(ReadOnlyCaseViewSet):
    """The audit department's reviews: auditors only."""

    serializer_class = ReviewOut
    visible_model = LookbackReview

    def visible(self) -> QuerySet[LookbackReview]:
        if not portal_access.is_auditor(actor(self.request)):
            raise ActionForbidden(_("Look-back reviews are for the audit department."))
        return LookbackReview.objects.all()
