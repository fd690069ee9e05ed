"""Text messages, through a backend chosen like Django's email backends (SMS_BACKEND):

- `portal.sms.ConsoleBackend` writes each message to standard error (development);
- `portal.sms.DatabaseBackend` keeps each message as an SmsMessage row, listed in the admin
  (the demo and the tests read the codes there);
- `portal.sms.HttpBackend` posts each message as JSON to a provider's HTTP API
  (SMS_PROVIDER_URL, with SMS_PROVIDER_KEY as a bearer token and SMS_SENDER_ID), the shape most
  Chinese SMS gateways accept behind a small adapter; a non-2xx answer raises SmsError.

`sms_send` is network I/O: call it after the transaction that decided to send has committed.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from portal.models import SmsMessage


class SmsError(Exception):
    """The provider did not accept the message."""


class SmsBackend(Protocol):
    def send(self, to: str, text: str) -> None: ...


class ConsoleBackend:
    def send(self, to: str, text: str) -> None:
        sys.stderr.write(f"SMS to {to}: {text}\n")


class DatabaseBackend:
    def send(self, to: str, text: str) -> None:
        SmsMessage.objects.create(to=to, text=text)


class HttpBackend:
    """POST {"to", "text", "sender"} with `Authorization: Bearer <key>`; 2xx is accepted."""

    def send(self, to: str, text: str) -> None:
        body = json.dumps({"to": to, "text": text, "sender": settings.SMS_SENDER_ID}).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            settings.SMS_PROVIDER_URL,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_PROVIDER_KEY}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT_SECONDS) as answer:  # noqa: S310
                status = answer.status
        except OSError as exc:  # refused, timed out, or an HTTP error status
            raise SmsError(str(exc)) from exc
        if not 200 <= status < 300:
            raise SmsError(f"provider answered {status}")


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def sms_send(to: str, text: str) -> None:
    sms_backend().send(to, text)
