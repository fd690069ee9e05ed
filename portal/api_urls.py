"""/api/v1/: the REST API, its OpenAPI schema and the documentation served by the portal."""

from django.urls import path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from portal.api import ObtainStaffToken
from portal.api_router import router

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
