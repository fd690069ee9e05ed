"""REST API for judicial-confirmation applications: read-only, as the court or the parties
see them."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers

from portal.api import (
    actor,
)
from referrals.api_base import ReadOnlyCaseViewSet
from referrals.confirmation import access as confirmation_access
from referrals.models import (
    JudicialConfirmation,
)


class ConfirmationOut(serializers.ModelSerializer):
    case = serializers.CharField(source="dispute.reference")

    class Meta:
        model = JudicialConfirmation
        fields = [
            "id",
            "case",
            "court",
            "status",
            "effective_on",
            "window_ends",
            "filed_on",
            "acceptance_due",
            "accepted_on",
            "case_number",
            "decision_due",
            "decision_ceiling",
            "ruling_number",
            "ruling_on",
            "objection_until",
            "paid_on",
            "enforcement_until",
            "updated_at",
        ]


class ConfirmationViewSet(ReadOnlyCaseViewSet):
    """Court clerks see the applications filed with their court; parties their own."""

    serializer_class = ConfirmationOut
    visible_model = JudicialConfirmation

    def visible(self) -> QuerySet[JudicialConfirmation]:
        return confirmation_access.confirmations_visible_to(actor(self.request))
