"""What the read-only case APIs of referrals share (confirmations, arbitrations, reviews):
the visible queryset, the status and updated_since filters, and cursor paging."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from portal.api import (
    FILTER_PARAMETERS,
    UpdatedCursorPagination,
    parse_filters,
)


class ReadOnlyCaseViewSet(viewsets.ReadOnlyModelViewSet):
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
