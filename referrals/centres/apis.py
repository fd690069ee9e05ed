"""REST API for referrals to mediation centres and their sessions: input serializer, service,
output serializer."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mediation import access as dispute_access
from portal.api import (
    FILTER_PARAMETERS,
    ReasonIn,
    UpdatedCursorPagination,
    actor,
    parse_filters,
)
from referrals.centres import access as referral_access
from referrals.centres import services as referral_services
from referrals.centres import sessions as session_services
from referrals.centres.lifecycle import ReferralStatus
from referrals.centres.selectors import referral_rows, referral_values
from referrals.models import (
    MediationSession,
    Referral,
    SessionMode,
)


class SessionOut(serializers.ModelSerializer):
    class Meta:
        model = MediationSession
        fields = ["id", "starts_at", "mode", "place", "cancelled", "created_at"]


class SessionIn(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    mode = serializers.ChoiceField(choices=SessionMode.choices)
    place = serializers.CharField(max_length=300)


class ReferralOut(serializers.ModelSerializer):
    case = serializers.CharField(source="dispute.reference")
    organisation_name = serializers.CharField(source="organisation.name")
    mediator_name = serializers.CharField(
        source="mediator.display_name", default=None, allow_null=True
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "organisation",
            "organisation_name",
            "status",
            "sent_at",
            "assignment_due",
            "accepted_at",
            "mediator",
            "mediator_name",
            "mediation_due",
            "reason",
            "conflict_declaration",
            "updated_at",
        ]

    def to_representation(self, instance: Referral) -> dict[str, Any]:
        """The bank's reason for withdrawing a referral is the bank's own note."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        if instance.status == ReferralStatus.WITHDRAWN and not (
            viewer is not None and dispute_access.reads_the_banks_notes(viewer)
        ):
            data["reason"] = ""
        return data


class AcceptIn(serializers.Serializer):
    mediator = serializers.IntegerField()


# Sent to the centre, no mediator assigned yet: the assignment clock runs.
AWAITING_ASSIGNMENT = [ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED]


class ReferralViewSet(viewsets.GenericViewSet):
    """Partner organisations see only what was sent to them (drafts never)."""

    serializer_class = ReferralOut
    pagination_class = UpdatedCursorPagination
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Referral]:
        return referral_access.referrals_visible_to(actor(self.request)).select_related(
            "dispute", "organisation", "mediator"
        )

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request: Request) -> Response:
        filters = parse_filters(request)
        qs = self.get_queryset()
        if "status" in filters:
            qs = qs.filter(status=filters["status"])
        if "updated_since" in filters:
            qs = qs.filter(updated_at__gte=filters["updated_since"])
        if "due_before" in filters:
            due = filters["due_before"]
            qs = qs.filter(
                Q(
                    status__in=[ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED],
                    assignment_due__lt=due,
                )
                | Q(status=ReferralStatus.ACCEPTED, mediation_due__lt=due)
            )
        # Read as rows and written as ReferralOut writes a referral (centres/selectors.py).
        page = self.paginate_queryset(referral_values(qs))
        return self.get_paginated_response(referral_rows(page or [], actor(request)))

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(ReferralOut(referral_access.referral_get_for(actor(request), pk)).data)

    @extend_schema(request=None, responses=ReferralOut)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: int) -> Response:
        referral = referral_services.referral_acknowledge(actor=actor(request), referral_id=pk)
        return Response(ReferralOut(referral).data)

    @extend_schema(request=AcceptIn, responses=ReferralOut)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int) -> Response:
        data = AcceptIn(data=request.data)
        data.is_valid(raise_exception=True)
        referral = referral_services.referral_accept(
            actor=actor(request),
            referral_id=pk,
            mediator_id=data.validated_data["mediator"],
        )
        return Response(ReferralOut(referral).data)

    @extend_schema(request=ReasonIn, responses=ReferralOut)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: int) -> Response:
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        referral = referral_services.referral_decline(
            actor=actor(request),
            referral_id=pk,
            reason=data.validated_data["reason"],
        )
        return Response(ReferralOut(referral).data)

    @extend_schema(methods=["get"], responses=SessionOut(many=True))
    @extend_schema(methods=["post"], request=SessionIn, responses={201: SessionOut})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def sessions(self, request: Request, pk: int) -> Response:
        referral = referral_access.referral_get_for(actor(request), pk)
        if request.method == "GET":
            return Response(SessionOut(referral.sessions.all(), many=True).data)
        data = SessionIn(data=request.data)
        data.is_valid(raise_exception=True)
        session = session_services.session_schedule(
            actor=actor(request), referral_id=pk, **data.validated_data
        )
        return Response(SessionOut(session).data, status=status.HTTP_201_CREATED)
