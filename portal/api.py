"""What every API view shares: pagination, idempotent creates, filters, throttles, token auth."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ParseError, Throttled
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import ratelimit, second_factor
from portal.api_auth import token_issue
from portal.exceptions import ApplicationError
from portal.models import IdempotencyRecord, User
from portal.throttling import ScopedThrottle


class UpdatedCursorPagination(CursorPagination):
    """Stable paging for polling partners: newest change first, 50 a page (at most 200)."""

    ordering = ("-updated_at", "-pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise InvalidCursor from exc


class InvalidCursor(ParseError):
    """A cursor the API did not make is the client's mistake (400), not a missing page."""

    default_detail = CursorPagination.invalid_cursor_message
    default_code = "invalid_cursor"


class IdempotencyKeyReused(ApplicationError):
    code = "idempotency_key_reused"
    http_status: int = 422


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Repeat a create safely: the same key and body return the first result.",
)


def _request_fingerprint(request: Request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    if request.content_type.startswith("application/json"):
        digest.update(request.body)
    else:
        data: Any = request.data
        for key in sorted(data.keys()):
            value = data.get(key)
            if hasattr(value, "chunks"):
                digest.update(f"{key}=file:{value.name}:{value.size}:".encode())
                for chunk in value.chunks():
                    digest.update(chunk)
                value.seek(0)
            else:
                digest.update(f"{key}={value}\n".encode())
    return digest.hexdigest()


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Create endpoints accept an Idempotency-Key: the same key and body return the first
    result; the same key with another body answers 422.

    The key is claimed before the view runs, by inserting its record in the transaction that
    runs the view. A concurrent request with the same key blocks on the unique constraint
    until that transaction ends: when it commits, the loser replays the winner's answer; when
    it rolls back (the view failed), the loser's claim goes through and it runs the view
    itself. So ten simultaneous requests with one key create one object."""

    @wraps(view)
    def wrapper(self: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(self, request, *args, **kwargs)
        if len(key) > 200:
            raise ApplicationError(_("The Idempotency-Key is too long."), code="invalid")
        fingerprint = _request_fingerprint(request)
        user: User = request.user  # type: ignore[assignment]
        previous = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if previous is not None:
            return _replay(previous, fingerprint)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = IdempotencyRecord.objects.create(
                        user=user, key=key, request_hash=fingerprint, status_code=0, response={}
                    )
            except IntegrityError:  # another request with this key committed first
                return _replay(IdempotencyRecord.objects.get(user=user, key=key), fingerprint)
            response = view(self, request, *args, **kwargs)
            if not 200 <= response.status_code < 300:
                transaction.set_rollback(True)  # release the key: a retry may succeed
                return response
            claim.status_code = response.status_code
            claim.response = json.loads(json.dumps(response.data, default=str))
            claim.save(update_fields=["status_code", "response"])
        return response

    return wrapper


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused(_("This Idempotency-Key was used with another request."))
    return Response(record.response, status=record.status_code)


class ChangeFilters(serializers.Serializer):
    """Polling filters every list accepts."""

    status = serializers.CharField(required=False)
    updated_since = serializers.DateTimeField(required=False)
    due_before = serializers.DateField(required=False)


def parse_filters(request: Request) -> dict[str, Any]:
    raw = {
        k: request.query_params[k]
        for k in ("status", "updated_since", "due_before")
        if request.query_params.get(k)
    }
    if not raw:
        return {}
    if (
        "updated_since" in raw
        and parse_datetime(raw["updated_since"]) is None
        and (parse_date(raw["updated_since"]) is not None)
    ):
        raw["updated_since"] = f"{raw['updated_since']}T00:00:00"
    filters = ChangeFilters(data=raw)
    filters.is_valid(raise_exception=True)
    return dict(filters.validated_data)


FILTER_PARAMETERS = [
    OpenApiParameter("status", str, description="Only objects in this state."),
    OpenApiParameter("updated_since", datetime, description="Changed at or after this time."),
    OpenApiParameter("due_before", date, description="Next deadline before this date."),
]


class ReasonIn(serializers.Serializer):
    """A reason, for every action that needs one (withdraw, decline ...)."""

    reason = serializers.CharField(max_length=2000)


class TokenRequest(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    code = serializers.CharField(
        max_length=20,
        help_text="The current code from the authenticator app, or a recovery code.",
    )
    name = serializers.CharField(max_length=100, default="script")


class TokenResponse(serializers.Serializer):
    token = serializers.CharField()
    name = serializers.CharField()


class ObtainStaffToken(APIView):
    """A personal API token for a bank staff member's scripts (rate limited)."""

    authentication_classes: list[Any] = []
    permission_classes = [drf_permissions.AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenRequest, responses={201: TokenResponse})
    def post(self, request: Request) -> Response:
        from django.contrib.auth import authenticate

        data = TokenRequest(data=request.data)
        data.is_valid(raise_exception=True)
        wait = ratelimit.seconds_to_wait(request._request, data.validated_data["username"])
        if wait:
            raise Throttled(
                wait=wait,
                detail=_("Too many failed attempts for this account. Try again later."),
            )
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or getattr(user, "role", None) != "staff":
            raise ApplicationError(
                _("Wrong credentials, or not a bank staff account."), code="invalid_credentials"
            )
        if not second_factor.enrolled(user):
            raise ApplicationError(
                _("Turn on two-step verification on the portal before asking for a token."),
                code="second_factor_required",
            )
        try:
            second_factor.verify(
                request=request._request, user=user, code=data.validated_data["code"]
            )
        except ApplicationError as error:
            if error.code == "throttled":
                raise Throttled(detail=error.message) from None
            raise
        token, key = token_issue(name=data.validated_data["name"], user=user)
        return Response({"token": key, "name": token.name}, status=status.HTTP_201_CREATED)


def actor(request: Request) -> User:
    """The signed-in user behind an API request (IsAuthenticated guarantees one)."""
    return cast(User, request.user)
