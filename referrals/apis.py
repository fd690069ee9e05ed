"""REST API for bundles, referrals and sessions, confirmations, arbitrations and reviews."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portal import permissions
from portal.api import (
    FILTER_PARAMETERS,
    IDEMPOTENCY_PARAMETER,
    ReasonIn,
    UpdatedCursorPagination,
    actor,
    idempotent,
    parse_filters,
)
from portal.models import OrganisationKind
from portal.transitions import ActionForbidden
from referrals import services as rs
from referrals.models import (
    ArbitrationCase,
    Bundle,
    BundleStatus,
    JudicialConfirmation,
    LookbackReview,
    MediationSession,
    Referral,
    SessionMode,
)


class BundleOut(serializers.ModelSerializer):
    case = serializers.CharField(source="dispute.reference")

    class Meta:
        model = Bundle
        fields = [
            "id",
            "case",
            "recipient_kind",
            "organisation",
            "purpose",
            "version",
            "status",
            "failure_reason",
            "page_count",
            "pdf_sha256",
            "zip_sha256",
            "content_hash",
            "requested_at",
            "finished_at",
        ]


class BundleIn(serializers.Serializer):
    case = serializers.CharField()
    recipient_kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    organisation = serializers.IntegerField(required=False, allow_null=True, default=None)
    evidence = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    purpose = serializers.CharField(max_length=200, required=False, default="")


class BundleViewSet(viewsets.GenericViewSet):
    serializer_class = BundleOut
    lookup_value_converter = "int"  # anything else is 404, never a 500 from int()
    queryset = Bundle.objects.none()

    @extend_schema(parameters=[OpenApiParameter("case", str, required=True)])
    def list(self, request: Request) -> Response:
        dispute = permissions.dispute_get_for(actor(request), request.query_params.get("case", ""))
        return Response(
            BundleOut(
                permissions.bundles_visible_to(actor(request), dispute),
                many=True,
            ).data
        )

    def retrieve(self, request: Request, pk: int) -> Response:
        bundle = _bundle_for(request, pk)
        return Response(BundleOut(bundle).data)

    @extend_schema(request=BundleIn, responses={202: BundleOut}, parameters=[IDEMPOTENCY_PARAMETER])
    @idempotent
    def create(self, request: Request) -> Response:
        data = BundleIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        bundle = rs.bundle_request(
            actor=actor(request),
            reference=v["case"],
            recipient_kind=v["recipient_kind"],
            organisation_id=v["organisation"],
            evidence_ids=v["evidence"] or None,
            purpose=v["purpose"],
        )
        return Response(BundleOut(bundle).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("part", str, enum=["pdf", "zip"])],
        responses={(200, "application/octet-stream"): bytes},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: int) -> FileResponse:
        bundle = _bundle_for(request, pk)
        part = request.query_params.get("part", "pdf")
        if bundle.status != BundleStatus.READY or part not in ("pdf", "zip"):
            raise Http404("bundle file")
        rs.bundle_log_download(actor=actor(request), bundle=bundle, part=part)
        field = bundle.pdf if part == "pdf" else bundle.zip
        response = FileResponse(
            field.open("rb"),
            as_attachment=True,
            filename=f"{bundle.dispute.reference}-v{bundle.version}.{part}",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _bundle_for(request: Request, pk: int) -> Bundle:
    bundle = Bundle.objects.select_related("dispute").filter(pk=pk).first()
    if bundle is None:
        raise Http404("bundle")
    return permissions.bundle_get_for(actor(request), bundle.dispute.reference, pk)


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


class AcceptIn(serializers.Serializer):
    mediator = serializers.IntegerField()


class ReferralViewSet(viewsets.GenericViewSet):
    """Partner organisations see only what was sent to them (drafts never)."""

    serializer_class = ReferralOut
    pagination_class = UpdatedCursorPagination
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Referral]:
        return permissions.referrals_visible_to(actor(self.request)).select_related(
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
                Q(status__in=["sent", "acknowledged"], assignment_due__lt=due)
                | Q(status="accepted", mediation_due__lt=due)
            )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ReferralOut(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(ReferralOut(permissions.referral_get_for(actor(request), pk)).data)

    @extend_schema(request=None, responses=ReferralOut)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: int) -> Response:
        referral = rs.referral_acknowledge(actor=actor(request), referral_id=pk)
        return Response(ReferralOut(referral).data)

    @extend_schema(request=AcceptIn, responses=ReferralOut)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int) -> Response:
        data = AcceptIn(data=request.data)
        data.is_valid(raise_exception=True)
        referral = rs.referral_accept(
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
        referral = rs.referral_decline(
            actor=actor(request),
            referral_id=pk,
            reason=data.validated_data["reason"],
        )
        return Response(ReferralOut(referral).data)

    @extend_schema(methods=["get"], responses=SessionOut(many=True))
    @extend_schema(methods=["post"], request=SessionIn, responses={201: SessionOut})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def sessions(self, request: Request, pk: int) -> Response:
        referral = permissions.referral_get_for(actor(request), pk)
        if request.method == "GET":
            return Response(SessionOut(referral.sessions.all(), many=True).data)
        data = SessionIn(data=request.data)
        data.is_valid(raise_exception=True)
        session = rs.session_schedule(actor=actor(request), referral_id=pk, **data.validated_data)
        return Response(SessionOut(session).data, status=status.HTTP_201_CREATED)


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


class _ReadOnlyCaseViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = UpdatedCursorPagination
    lookup_value_converter = "int"
    visible_model: Any

    def visible(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation, no real user
            return self.visible_model.objects.none()
        qs = self.visible().select_related("dispute")
        if self.action == "list":
            filters = parse_filters(self.request)
            if "status" in filters:
                qs = qs.filter(status=filters["status"])
            if "updated_since" in filters:
                qs = qs.filter(updated_at__gte=filters["updated_since"])
        return qs

    @extend_schema(parameters=FILTER_PARAMETERS[:2])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class ConfirmationViewSet(_ReadOnlyCaseViewSet):
    """Court clerks see the applications filed with their court; parties their own."""

    serializer_class = ConfirmationOut
    visible_model = JudicialConfirmation

    def visible(self) -> QuerySet[JudicialConfirmation]:
        user = actor(self.request)
        if permissions.is_partner_member(user):
            return JudicialConfirmation.objects.filter(court_id=user.organisation_id).exclude(
                status="preparing"
            )
        return JudicialConfirmation.objects.filter(
            dispute__in=permissions.disputes_visible_to(user)
        )


class ArbitrationViewSet(_ReadOnlyCaseViewSet):
    serializer_class = ArbitrationOut
    visible_model = ArbitrationCase

    def visible(self) -> QuerySet[ArbitrationCase]:
        user = actor(self.request)
        if permissions.is_partner_member(user):
            return ArbitrationCase.objects.filter(commission_id=user.organisation_id)
        return ArbitrationCase.objects.filter(dispute__in=permissions.disputes_visible_to(user))


class ReviewViewSet(_ReadOnlyCaseViewSet):
    """The audit department's reviews: auditors only."""

    serializer_class = ReviewOut
    visible_model = LookbackReview

    def visible(self) -> QuerySet[LookbackReview]:
        if not permissions.is_auditor(actor(self.request)):
            raise ActionForbidden(_("Look-back reviews are for the audit department."))
        return LookbackReview.objects.all()
