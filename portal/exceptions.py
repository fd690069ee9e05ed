"""One place for errors.

Domain code raises ApplicationError (or a subclass). The page middleware
(portal.middleware.ApplicationErrorMiddleware) turns it into a message on the page; the DRF
handler below turns it, Django's ValidationError and django-fsm's TransitionNotAllowed into a
JSON body with a machine-readable code and a human message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A rule of the domain refused the request; the message is shown to the user."""

    code = "application_error"
    http_status: int = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}


class TransitionRefused(ApplicationError):
    """The object is not in a state that allows this action now."""

    code = "transition_not_allowed"
    http_status = status.HTTP_409_CONFLICT


class ConcurrentChange(ApplicationError):
    code = "concurrent_change"
    http_status = status.HTTP_409_CONFLICT


class UploadRejected(ApplicationError):
    code = "upload_rejected"


class UploadTooLarge(UploadRejected):
    code = "upload_too_large"
    http_status = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


def normalise_exception(exc: Exception) -> ApplicationError | None:
    """Map domain-level exceptions to ApplicationError; None for anything else."""
    if isinstance(exc, ApplicationError):
        return exc
    if isinstance(exc, TransitionNotAllowed):
        return TransitionRefused(_("This action is not allowed in the case's current state."))
    if isinstance(exc, ConcurrentTransition):
        return ConcurrentChange(
            _("Someone else changed this case at the same moment; please reload and try again.")
        )
    if isinstance(exc, DjangoValidationError):
        return ApplicationError(" ".join(exc.messages), code="invalid")
    return None


def _note_refusal(exc: Exception, context: dict[str, Any]) -> None:
    """403s, and 401s of credentials that do not hold, enter the chain (portal/refusals.py)."""
    from portal import refusals

    request = context.get("request")
    if request is None:
        return
    path = request._request.path
    if isinstance(exc, (drf_exceptions.NotAuthenticated, drf_exceptions.AuthenticationFailed)):
        if request._request.headers.get("Authorization"):
            refusals.note(None, "api.unauthenticated", "credentials", path)
    elif isinstance(exc, (drf_exceptions.PermissionDenied, DjangoPermissionDenied)) or (
        isinstance(exc, ApplicationError) and exc.http_status == status.HTTP_403_FORBIDDEN
    ):
        code = getattr(exc, "code", "forbidden")
        refusals.note(request.user, "action.refused", str(code), path)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    _note_refusal(exc, context)
    if isinstance(exc, Http404):
        return Response(
            {"code": "not_found", "message": _("Not found.")}, status=status.HTTP_404_NOT_FOUND
        )
    app_error = normalise_exception(exc)
    if app_error is not None:
        body: dict[str, Any] = {"code": app_error.code, "message": app_error.message}
        if isinstance(exc, DjangoValidationError) and hasattr(exc, "message_dict"):
            body["fields"] = exc.message_dict
        body.update(app_error.extra)
        return Response(body, status=app_error.http_status)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "message": _("Some fields are not valid."),
            "fields": response.data,
        }
    elif isinstance(exc, drf_exceptions.APIException):
        detail = exc.detail
        response.data = {
            "code": exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code,
            "message": str(detail),
        }
    return response
