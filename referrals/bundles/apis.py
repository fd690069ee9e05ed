"""REST API for evidence bundles: request one, list a case's, download the parts."""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mediation import access as dispute_access
from portal.api import (
    IDEMPOTENCY_PARAMETER,
    actor,
    idempotent,
)
from portal.models import OrganisationKind
from referrals.bundles import access as bundle_access
from referrals.bundles import services as bundle_services
from referrals.models import (
    Bundle,
    BundleStatus,
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
        dispute = dispute_access.dispute_get_for(
            actor(request), request.query_params.get("case", "")
        )
        return Response(
            BundleOut(
                bundle_access.bundles_on_dispute_visible_to(actor(request), dispute),
                many=True,
            ).data
        )

    def retrieve(self, request: Request, pk: int) -> Response:
        bundle = bundle_access.bundle_get_by_pk_for(actor(request), pk)
        return Response(BundleOut(bundle).data)

    @extend_schema(request=BundleIn, responses={202: BundleOut}, parameters=[IDEMPOTENCY_PARAMETER])
    @idempotent
    def create(self, request: Request) -> Response:
        data = BundleIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        bundle = bundle_services.bundle_request(
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
        bundle = bundle_access.bundle_get_by_pk_for(actor(request), pk)
        part = request.query_params.get("part", "pdf")
        if bundle.status != BundleStatus.READY or part not in ("pdf", "zip"):
            raise Http404("bundle file")
        bundle_services.bundle_log_download(actor=actor(request), bundle=bundle, part=part)
        field = bundle.pdf if part == "pdf" else bundle.zip
        response = FileResponse(
            field.open("rb"),
            as_attachment=True,
            filename=f"{bundle.dispute.reference}-v{bundle.version}.{part}",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
