"""REST API for arbitrations: read-only, as the commission or the bank sees them."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers

from portal.api import (
    actor,
)
from referrals.api_base import ReadOnlyCaseViewSet
from referrals.arbitration import access as arbitration_access
from referrals.models import (
    ArbitrationCase,
)


class ArbitrationOut(serializers.ModelSerializer):
    case = serializers.CharField(source="dispute.reference")

    class Meta:
        model = ArbitrationCase
        fields = [
            "id",
            "case",
            "commission",
            "status",
            "agreement_signed_on",
            "filed_on",
            "acceptance_due",
            "accepted_on",
            "case_number",
            "target_due",
            "award_on",
            "correction_until",
            "set_aside_until",
            "updated_at",
        ]


class ArbitrationViewSet(ReadOnlyCaseViewSet):
    serializer_class = ArbitrationOut
    visible_model = ArbitrationCase

    def visible(self) -> QuerySet[ArbitrationCase]:
        return arbitration_access.arbitrations_visible_to(actor(self.request))
