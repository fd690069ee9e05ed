"""Outside channels. A channel knows a person's address and sends one delivery; an SMS gateway
is added by writing one more class and listing it in CHANNELS, without touching the events."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from portal.models import Delivery, User


class Channel(Protocol):
    name: str

    def address(self, user: User) -> str | None: ...

    def send(self, delivery: Delivery) -> None: ...


class EmailChannel:
    """Plain text and HTML, Chinese with English, through Django's configured mailer (SMTP in
    production, a file or console backend in development)."""

    name = "email"

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


CHANNELS: list[Channel] = [EmailChannel()]


def channel_named(name: str) -> Channel:
    return next(c for c in CHANNELS if c.name == name)
