"""Outside channels. A channel knows a person's address and sends one delivery; another is added
by writing one more class and listing it in CHANNELS, without touching the events. Each person
chooses per event (NotificationChannelChoice); `default` is what they get without choosing."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from portal.models import Delivery, User
from portal.notifications.events import EventType
from portal.sms import sms_send


class Channel(Protocol):
    name: str
    label: StrOrPromise
    default: bool

    def address(self, user: User) -> str | None: ...

    def send(self, delivery: Delivery) -> None: ...


class EmailChannel:
    """Plain text and HTML, Chinese with English, through Django's configured mailer (SMTP in
    production, a file or console backend in development)."""

    name = "email"
    label: StrOrPromise = gettext_lazy("By email")
    default = True

    def address(self, user: User) -> str | None:
        return user.email or None

    def send(self, delivery: Delivery) -> None:
        n = delivery.notification
        context = {"n": n, "site": settings.PORTAL_BASE_URL}
        message = EmailMultiAlternatives(
            subject=f"{n.title} / {n.title_en}"[:200],
            body=render_to_string("portal/email/notification.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
        )
        message.attach_alternative(
            render_to_string("portal/email/notification.html", context), "text/html"
        )
        if n.calendar:
            method = "CANCEL" if "METHOD:CANCEL" in n.calendar else "REQUEST"
            message.attach(
                "invite.ics", n.calendar, f"text/calendar; method={method}; charset=utf-8"
            )
        message.send()


class SmsChannel:
    """A text message to the person's verified mobile (portal/sms.py's backend): the notice's
    title, its case reference and the link, never the body (a phone's lock screen shows it).
    Off unless the person switches it on for an event."""

    name = "sms"
    label: StrOrPromise = gettext_lazy("By text message")
    default = False

    def address(self, user: User) -> str | None:
        return user.mobile if user.mobile and user.mobile_verified_at else None

    def send(self, delivery: Delivery) -> None:
        n = delivery.notification
        with translation.override("zh-hans"):
            text = _("%(title)s. Details: %(link)s") % {
                "title": n.title,
                "link": f"{settings.PORTAL_BASE_URL}{n.url or '/notifications/'}",
            }
        sms_send(delivery.address, text)


CHANNELS: list[Channel] = [EmailChannel(), SmsChannel()]


def always_sent(kind: EventType, channel: Channel) -> bool:
    """A legal notice always goes by email: nobody can switch that off."""
    return kind.legal and channel.name == "email"


def wanted(kind: EventType, channel: Channel, choice: bool | None) -> bool:
    """Whether an event goes through `channel` for someone whose stored choice is `choice`
    (None: they made none, the channel's default holds)."""
    if always_sent(kind, channel):
        return True
    return channel.default if choice is None else choice


def channel_named(name: str) -> Channel:
    return next(c for c in CHANNELS if c.name == name)
