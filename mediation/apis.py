"""REST API for disputes, their evidence and timeline: input serializer, service, output."""

from __future__ import annotations

import binascii
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from mediation import access as dispute_access
from mediation import services
from mediation.amounts import parse_amount
from mediation.models import Dispute, EvidenceCategory, EvidenceItem, ProductCategory
from mediation.selectors import Edge, Position, dispute_page
from mediation.services.evidence import evidence_log_download, evidence_upload
from mediation.timeline import dispute_timeline
from portal import access as portal_access
from portal.api import (
    FILTER_PARAMETERS,
    IDEMPOTENCY_PARAMETER,
    InvalidCursor,
    ReasonIn,
    UpdatedCursorPagination,
    actor,
    idempotent,
    parse_filters,
)
from portal.models import Branch
from portal.parsers import BoundedJSONParser
from portal.transitions import ActionForbidden


class AmountField(serializers.CharField):
    def to_internal_value(self, data: Any) -> Any:
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            return parse_amount(str(data))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class DisputeOut(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    branch = serializers.CharField(source="branch.code")
    customer_name = serializers.CharField(
        source="customer.display_name",
        allow_null=True,
        help_text="null to a mediation centre the customer withdrew their consent from",
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)

    class Meta:
        model = Dispute
        fields = [
            "reference",
            "status",
            "status_display",
            "category",
            "amount",
            "fast_lane_eligible",
            "branch",
            "customer_name",
            "channel",
            "received_at",
            "decision_due",
            "mediation_due",
            "next_deadline",
            "updated_at",
        ]

    def to_representation(self, instance: Dispute) -> dict[str, Any]:
        """`next_deadline` as the caller reads it: the bank's side (context `bank_side`) with
        its internal targets, customers and partners without them."""
        data: dict[str, Any] = super().to_representation(instance)
        if not self.context.get("bank_side"):
            due = instance.next_party_deadline
            data["next_deadline"] = due.isoformat() if due else None
        return data


def dispute_out(dispute: Dispute, user: Any) -> dict[str, Any]:
    return DisputeOut(
        dispute, context={"bank_side": dispute_access.reads_the_banks_notes(user)}
    ).data


class KeysetPagination(UpdatedCursorPagination):
    """Keyset paging for the dispute list, which a selector reads instead of a queryset: the
    same parameters and response shape as UpdatedCursorPagination (so the schema and clients do
    not change); the cursor holds the (updated_at, pk) at the page's edge and a direction."""

    def paginate_rows(
        self,
        request: Request,
        fetch: Callable[[Position | None, bool, int], list[tuple[Edge, dict[str, Any]]]],
    ) -> list[dict[str, Any]]:
        self._url = request.build_absolute_uri()
        size = cast(int, self.get_page_size(request))  # page_size is set, so never None
        position, backwards = self._decode(request.query_params.get(self.cursor_query_param))
        rows = fetch(position, backwards, size + 1)
        more = len(rows) > size
        if more:
            rows = rows[1:] if backwards else rows[:-1]
        first, last = (rows[0][0], rows[-1][0]) if rows else (None, None)
        further = more if not backwards else last is not None
        back = more if backwards else position is not None
        self._next = self._link(last, False) if further and last else None
        self._previous = self._link(first, True) if back and first else None
        return [row for _position, row in rows]

    def get_next_link(self) -> str | None:
        return self._next

    def get_previous_link(self) -> str | None:
        return self._previous

    def _link(self, edge: Edge, backwards: bool) -> str:
        token = f"{int(backwards)}|{edge[0]}|{edge[1]}"
        encoded = urlsafe_b64encode(token.encode()).decode()
        return replace_query_param(self._url, self.cursor_query_param, encoded)

    def _decode(self, encoded: str | None) -> tuple[Position | None, bool]:
        if encoded is None:
            return None, False
        try:
            direction, moment, pk = urlsafe_b64decode(encoded.encode()).decode().split("|")
            at, key = datetime.fromisoformat(moment), int(pk)
            # A row id fits the database's bigint; anything else was not a cursor we made.
            if direction not in ("0", "1") or at.tzinfo is None or not 0 < key < 2**63:
                raise ValueError(encoded)
            return (at, key), direction == "1"
        except (ValueError, UnicodeError, binascii.Error) as exc:
            raise InvalidCursor from exc


class DisputeIn(serializers.Serializer):
    branch = serializers.SlugRelatedField(slug_field="code", queryset=Branch.objects.all())
    category = serializers.ChoiceField(choices=ProductCategory.choices)
    amount = AmountField()
    facts = serializers.CharField(max_length=5000)
    request = serializers.CharField(max_length=2000)
    account_number = serializers.RegexField(r"^\d{8,30}$", required=False, default="")


class AmendIn(serializers.Serializer):
    amount = AmountField(required=False)
    facts = serializers.CharField(max_length=5000, required=False)
    request = serializers.CharField(max_length=2000, required=False)
    # Staff amend only on the customer's request: when and how they asked (required of staff).
    customer_request = serializers.CharField(max_length=1000, required=False, default="")


class OptInIn(serializers.Serializer):
    """Consent to mediation and the general disclosure consent. Naming the centre that
    receives the customer's information is a binding act, made on the portal's page with a
    one-time code: an `organisation` here is refused."""

    agree_mediation = serializers.BooleanField()
    agree_disclosure = serializers.BooleanField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.initial_data.get("organisation") not in (None, ""):
            raise serializers.ValidationError(
                {
                    "organisation": _(
                        "Consent to a named centre is a binding act: give it on the case's "
                        "page in the portal, with the code sent to your mobile."
                    )
                }
            )
        return attrs


class TimelineOut(serializers.Serializer):
    at = serializers.DateTimeField()
    title = serializers.CharField(source="label")
    reason = serializers.CharField()


class EvidenceOut(serializers.ModelSerializer):
    class Meta:
        model = EvidenceItem
        fields = [
            "id",
            "title",
            "category",
            "document_date",
            "content_type",
            "size",
            "sha256",
            "page_count",
            "sanitised",
            "uploaded_at",
        ]


class EvidenceIn(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(max_length=120)
    category = serializers.ChoiceField(choices=EvidenceCategory.choices)
    description = serializers.CharField(max_length=2000, required=False, default="")
    document_date = serializers.DateField(required=False, allow_null=True, default=None)


class DisputeViewSet(viewsets.GenericViewSet):
    """Disputes each caller may see (DESIGN.md 5); another party's dispute answers 404."""

    lookup_field = "reference"
    lookup_value_converter = "dispute_reference"
    pagination_class = KeysetPagination
    serializer_class = DisputeOut

    def get_queryset(self) -> Any:
        return dispute_access.disputes_visible_to(actor(self.request)).select_related(
            "customer", "branch"
        )

    def _get(self, reference: str) -> Dispute:
        return dispute_access.dispute_get_for(actor(self.request), reference)

    @extend_schema(parameters=FILTER_PARAMETERS, responses=DisputeOut(many=True))
    def list(self, request: Request) -> Response:
        filters = parse_filters(request)
        paginator = cast(KeysetPagination, self.paginator)
        rows = paginator.paginate_rows(
            request,
            lambda position, backwards, limit: dispute_page(
                actor(request), limit=limit, position=position, backwards=backwards, **filters
            ),
        )
        return paginator.get_paginated_response(rows)

    @extend_schema(responses=DisputeOut)
    def retrieve(self, request: Request, reference: str) -> Response:
        # The list's statement for one row: the same access rule and representation, without
        # building a model and a serializer for a read.
        found = dispute_page(actor(request), limit=1, reference=reference)
        if not found:
            raise portal_access.refuse(actor(request), "dispute", reference)
        return Response(found[0][1])

    @extend_schema(
        request=DisputeIn, responses={201: DisputeOut}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def create(self, request: Request) -> Response:
        if not portal_access.is_customer(actor(request)):
            raise ActionForbidden(_("Disputes are filed by customers through the API."))
        data = DisputeIn(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = services.dispute_submit(customer=actor(request), **data.validated_data)
        return Response(dispute_out(dispute, actor(request)), status=status.HTTP_201_CREATED)

    @extend_schema(request=AmendIn, responses=DisputeOut)
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, reference: str) -> Response:
        data = AmendIn(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = services.dispute_amend(
            actor=actor(request),
            reference=reference,
            **data.validated_data,
        )
        return Response(dispute_out(dispute, actor(request)))

    @extend_schema(request=OptInIn, responses=DisputeOut)
    @action(detail=True, methods=["post"], url_path="opt-in")
    def opt_in(self, request: Request, reference: str) -> Response:
        data = OptInIn(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = services.consent_opt_in(
            actor=actor(request),
            reference=reference,
            agree_mediation=data.validated_data["agree_mediation"],
            agree_disclosure=data.validated_data["agree_disclosure"],
            ip_address=request.META.get("REMOTE_ADDR"),
            user_agent=request.headers.get("user-agent", ""),
        )
        return Response(dispute_out(dispute, actor(request)))

    @extend_schema(request=ReasonIn, responses=DisputeOut)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, reference: str) -> Response:
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = services.dispute_withdraw(
            actor=actor(request),
            reference=reference,
            reason=data.validated_data["reason"],
        )
        return Response(dispute_out(dispute, actor(request)))

    @extend_schema(responses=TimelineOut(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request: Request, reference: str) -> Response:
        dispute = self._get(reference)
        return Response(TimelineOut(dispute_timeline(dispute, actor(request)), many=True).data)

    @extend_schema(methods=["get"], responses=EvidenceOut(many=True))
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": EvidenceIn},
        responses={201: EvidenceOut},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser, BoundedJSONParser],
        pagination_class=None,
    )
    def evidence(self, request: Request, reference: str) -> Response:
        if request.method == "GET":
            dispute = self._get(reference)
            # One check for the list (the dispute is already visible), not one per item.
            items = dispute_access.evidence_visible_to(actor(request), dispute)
            return Response(EvidenceOut(items, many=True).data)
        return self._upload(request, reference)

    @idempotent
    def _upload(self, request: Request, reference: str) -> Response:
        data = EvidenceIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data.pop("file")
        item = evidence_upload(
            actor=actor(request),
            reference=reference,
            upload=upload,
            original_name=upload.name,
            declared_size=upload.size,
            **data.validated_data,
        )
        return Response(EvidenceOut(item).data, status=status.HTTP_201_CREATED)


class EvidenceViewSet(viewsets.GenericViewSet):
    serializer_class = EvidenceOut
    lookup_value_converter = "int"
    queryset = EvidenceItem.objects.none()

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: int) -> FileResponse:
        item = dispute_access.evidence_get_for(actor(request), pk)
        evidence_log_download(actor=actor(request), item=item)
        response = FileResponse(
            item.file.open("rb"),
            as_attachment=True,
            filename=f"{item.dispute.reference}-E{item.pk}",
            content_type=item.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
