"""Issue 17, 8: "'不是链接' accepted as an online session link and sent to the customer; links
not clickable; no edit, cancel or reschedule". An online session needs an https link, shown as
one; the centre moves or cancels a session and every change reaches the parties with an
iCalendar invitation (one UID, a rising SEQUENCE, METHOD:CANCEL when called off)."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import AuditEvent, Delivery, Notification
from portal.notifications import deliver_one
from referrals.centres import services as referral_services
from referrals.centres import sessions as session_services
from referrals.models import MediationSession
from tests.conftest import client_for
from tests.referrals.test_referrals import in_mediation  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

LINK = "https://meet.example.cn/room/2026-77"


@pytest.fixture
def declared(in_mediation, mediator):  # noqa: F811
    referral_services.referral_declare_conflicts(
        actor=mediator, referral_id=in_mediation.pk, text="与双方无利害关系。"
    )
    return in_mediation


def schedule(referral, mediator, **kwargs):
    return session_services.session_schedule(
        actor=mediator,
        referral_id=referral.pk,
        starts_at=kwargs.pop("starts_at", timezone.now() + timedelta(days=2)),
        mode=kwargs.pop("mode", "online"),
        place=kwargs.pop("place", LINK),
        **kwargs,
    )


def event_of(notification) -> tuple[icalendar.Component, icalendar.Calendar]:
    calendar = icalendar.Calendar.from_ical(notification.calendar)
    return next(iter(calendar.walk("VEVENT"))), calendar


@pytest.mark.parametrize("place", ["不是链接", "http://meet.example.cn/room", "https://", ""])
def test_an_online_session_needs_an_https_link(declared, mediator, place):
    with pytest.raises(ApplicationError):
        schedule(declared, mediator, place=place)
    assert not MediationSession.objects.exists()


def test_the_page_refuses_a_bad_link_with_a_message(declared, mediator):
    url = reverse("referrals:action", args=[declared.pk, "schedule"])
    start = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page = client_for(mediator).post(
        url,
        {
            "r-schedule-starts_at": start,
            "r-schedule-duration_minutes": "60",
            "r-schedule-mode": "online",
            "r-schedule-place": "不是链接",
        },
        follow=True,
    )
    assert page.status_code == 200
    assert "https:// 地址" in page.content.decode()
    assert not MediationSession.objects.exists()


def test_every_change_reaches_the_parties_with_an_invitation(
    declared, mediator, customer, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = schedule(declared, mediator)
    told = Notification.objects.get(recipient=customer, event="session_scheduled")
    first, calendar = event_of(told)
    assert calendar["method"] == "REQUEST" and first["sequence"] == 0
    assert str(first["url"]) == LINK and declared.dispute.reference in str(first["summary"])
    assert Notification.objects.filter(recipient=staff, event="session_scheduled").exists()

    # The customer sees a link to press.
    page = client_for(customer).get(declared.dispute.get_absolute_url()).content.decode()
    assert f'href="{LINK}"' in page and "进入线上调解会议" in page

    later = timezone.now() + timedelta(days=4)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(mediator).post(
            reverse("referrals:session_change", args=[session.pk, "move"]),
            {f"s{session.pk}-move-starts_at": timezone.localtime(later).strftime("%Y-%m-%dT%H:%M")},
        )
    moved = Notification.objects.get(recipient=customer, event="session_moved")
    second, _ = event_of(moved)
    assert second["uid"] == first["uid"] and second["sequence"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        client_for(mediator).post(
            reverse("referrals:session_change", args=[session.pk, "cancel"]),
            {f"s{session.pk}-cancel-reason": "调解员临时出庭。"},
        )
    cancelled = Notification.objects.get(recipient=customer, event="session_cancelled")
    third, calendar = event_of(cancelled)
    assert calendar["method"] == "CANCEL" and third["sequence"] == 2
    assert third["uid"] == first["uid"] and "调解员临时出庭" in cancelled.body
    session.refresh_from_db()
    assert session.cancelled and AuditEvent.objects.filter(action="session.cancelled").exists()
    page = client_for(customer).get(declared.dispute.get_absolute_url()).content.decode()
    assert "已取消" in page and f'href="{LINK}"' not in page
    with pytest.raises(TransitionRefused):
        session_services.session_cancel(actor=mediator, session_id=session.pk, reason="再取消")

    # The invitation downloads from the notification, for its recipient only.
    url = reverse("notification_calendar", args=[cancelled.pk])
    answer = client_for(customer).get(url)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/calendar")
    assert client_for(staff).get(url).status_code == 404


def test_the_email_carries_the_invitation(
    declared, mediator, customer, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    customer.email = "wang@example.cn"
    customer.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        schedule(declared, mediator)
    delivery = Delivery.objects.get(notification__recipient=customer)
    deliver_one(delivery.pk)
    (message,) = [m for m in mail.outbox if "wang@example.cn" in m.to]
    (name, content, mimetype) = message.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar; method=REQUEST")
    assert "BEGIN:VEVENT" in content


def test_only_the_centre_moves_or_cancels(declared, mediator, other_mediator, customer, staff):
    session = schedule(declared, mediator)
    for outsider in (customer, staff, other_mediator):
        answer = client_for(outsider).post(
            reverse("referrals:session_change", args=[session.pk, "cancel"]),
            {f"s{session.pk}-cancel-reason": "x"},
        )
        assert answer.status_code == 404
    session.refresh_from_db()
    assert not session.cancelled
    page = client_for(customer).get(declared.dispute.get_absolute_url()).content.decode()
    assert "session_change" not in page and "取消会议" not in page


def test_a_past_session_can_no_longer_be_moved(declared, mediator):
    session = schedule(declared, mediator)
    MediationSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(TransitionRefused):
        session_services.session_reschedule(
            actor=mediator,
            session_id=session.pk,
            starts_at=timezone.now() + timedelta(days=1),
            place="",
        )
