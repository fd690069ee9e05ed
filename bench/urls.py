from django.http import JsonResponse
from django.urls import include, path

BODY = {"results": [{"reference": f"MD-2026-{n:06d}", "status": "submitted"} for n in range(50)]}


def bare(request):  # type: ignore[no-untyped-def]
    """The yardstick: a Django view returning a fixed JSON body, no database."""
    return JsonResponse(BODY)


urlpatterns = [path("bench/bare/", bare), path("", include("portal.urls"))]
