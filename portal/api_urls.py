"""/api/v1/: the REST API, its OpenAPI schema and the documentation served by the portal."""

from django.urls import path, register_converter
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from mediation.apis import DisputeViewSet, EvidenceViewSet
from portal.api import ObtainStaffToken
from referrals.apis import (
    ArbitrationViewSet,
    BundleViewSet,
    ConfirmationViewSet,
    ReferralViewSet,
    ReviewViewSet,
)


class DisputeReference:
    """A dispute's reference in a URL: MD-2026-000001."""

    regex = r"MD-\d{4}-\d{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DisputeReference, "dispute_reference")


class Router(DefaultRouter):
    """path() routes, so that a URL without a converter is matched by comparing strings rather
    than by a regex; no format suffixes (disputes.json): the API speaks JSON, and they were
    never in the schema."""

    include_format_suffixes = False


router = Router(use_regex_path=False)
router.register("disputes", DisputeViewSet, basename="dispute")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("bundles", BundleViewSet, basename="bundle")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("confirmations", ConfirmationViewSet, basename="confirmation")
router.register("arbitrations", ArbitrationViewSet, basename="arbitration")
router.register("reviews", ReviewViewSet, basename="review")

# Swagger UI and ReDoc style themselves inline and ReDoc runs a blob worker: their pages only.
DOCS_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "worker-src": [CSP.SELF, "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

# The router's patterns directly, not through include(): one level fewer to resolve.
urlpatterns = [
    *router.urls,
    path("auth/token/", ObtainStaffToken.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        csp_override(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "redoc/",
        csp_override(DOCS_CSP)(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
]
