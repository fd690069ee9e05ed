"""The notification centre and notification preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal import access as portal_access
from portal import second_factor
from portal.notifications import mark_read
from portal.notifications.channels import CHANNELS
from portal.notifications.preferences import preferences_for, preferences_save
from portal.pagination import paginate
from portal.types import AuthedRequest

# htmx stops polling when an answer has this status (a signed-out or expired session).
STOP_POLLING = 286


@require_http_methods(["GET"])
def unread_count(request: HttpRequest) -> HttpResponse:
    """The header's unread count, asked again every minute by the page (htmx). It does not count
    as use: polling never keeps an idle session alive (portal/middleware.SessionLifetime), and
    once the session has ended the page is told to stop asking rather than sent to sign in."""
    user = request.user
    if not user.is_authenticated or not second_factor.session_verified(request):
        return HttpResponse(status=STOP_POLLING)
    unread = user.notifications.filter(read_at__isnull=True).count()
    return render(request, "portal/_unread_count.html", {"unread_count": unread})


@login_required
def centre(request: AuthedRequest) -> HttpResponse:
    qs = request.user.notifications.order_by("-created_at", "-pk")
    return render(request, "portal/notifications.html", paginate(request, qs, per_page=20))


@login_required
@require_POST
def read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = request.user.notifications.filter(pk=pk).first()
    mark_read(user=request.user, notification_id=pk)
    if notification is not None and notification.url and request.POST.get("open"):
        return redirect(notification.url)
    return redirect("notifications")


@login_required
def calendar(request: AuthedRequest, pk: int) -> HttpResponse:
    """The calendar invitation that came with one of the person's notifications (another's,
    or one without: 404)."""
    notification = request.user.notifications.filter(pk=pk).exclude(calendar="").first()
    if notification is None:
        raise portal_access.refuse(request.user, "notification_calendar", pk)
    return HttpResponse(
        notification.calendar,
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="invite-{pk}.ics"'},
    )


@login_required
@require_POST
def read_all(request: AuthedRequest) -> HttpResponse:
    count = mark_read(user=request.user)
    messages.success(request, _("%(n)s notifications marked as read.") % {"n": count})
    return redirect("notifications")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest) -> HttpResponse:
    """Per event: in the portal (legal notices always), by email, by text message."""
    if request.method == "POST":
        preferences_save(user=request.user, ticked=set(request.POST))
        messages.success(request, _("Your preferences were saved."))
        return redirect("notification_preferences")
    return render(
        request,
        "portal/notification_preferences.html",
        {"rows": preferences_for(request.user), "channels": CHANNELS},
    )
