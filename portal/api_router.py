"""The REST API's router, which the apps fill with their viewsets in AppConfig.ready()
(mediation: disputes and evidence; referrals: referrals, bundles, confirmations, arbitrations,
reviews). portal/api_urls.py reads it when the URLconf is first loaded, after every app is
ready: the kernel serves an API whose resources it does not import."""

from django.urls import register_converter
from rest_framework.routers import DefaultRouter


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


def register_api(prefix: str, viewset: type, basename: str) -> None:
    """Add an app's viewset, once (Django may call ready() more than once)."""
    if all(existing != basename for _prefix, _viewset, existing in router.registry):
        router.register(prefix, viewset, basename=basename)
