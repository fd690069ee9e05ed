"""Where a webhook may go: HTTPS to public addresses only, checked when the endpoint is saved and
again at every send, and the connection made to the very address that was checked (a name that
resolves to a public address at save time and to 169.254.169.254 later gains nothing). No
redirect is followed: http.client never follows one, and a 3xx is a failed delivery.

WEBHOOK_PUBLIC_HTTPS_ONLY (default on) is switched off only by tests that deliver to a server
on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address the connection goes to


def resolve_target(url: str) -> Target:
    """The URL's host resolved and checked; ValidationError with the reason otherwise."""
    parts = urlsplit(url)
    strict = settings.WEBHOOK_PUBLIC_HTTPS_ONLY
    allowed = {"https"} if strict else {"https", "http"}
    if parts.scheme not in allowed or not parts.hostname:
        raise ValidationError(_("A webhook URL must start with https:// and name a host."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(
            _("The host %(host)s could not be resolved.") % {"host": parts.hostname}
        ) from exc
    addresses = [str(info[4][0]) for info in found]
    if strict:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise ValidationError(
                    _(
                        "%(host)s leads to %(address)s, a private, local or reserved address: "
                        "webhooks go only to public addresses."
                    )
                    % {"host": parts.hostname, "address": address}
                )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


def connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    """A connection to `target.address`, with the host's name kept for Host and for TLS (SNI
    and certificate check)."""
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def pinned(
        address: tuple[str, int], timeout: float | None = None, source: object = None
    ) -> socket.socket:
        return socket.create_connection((target.address, address[1]), timeout)

    # http.client opens its socket through this attribute: the checked address, not a new
    # lookup of the name.
    conn._create_connection = pinned  # type: ignore[attr-defined]
    return conn
