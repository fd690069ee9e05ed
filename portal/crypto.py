"""Secrets kept in the database, encrypted at rest (Fernet, from `cryptography`).

Used for what the portal must read back in clear later: webhook signing secrets and the TOTP
secrets of the second factor. The keys come from the environment (DATA_ENCRYPTION_KEYS, a
comma-separated list of Fernet keys, newest first: the first encrypts, all decrypt, so a key
can be rotated by prepending a new one and re-saving). When unset (development, tests) one key
is derived from SECRET_KEY, which is itself from the environment; production sets its own.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

PREFIX = "fernet:"


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    derived = salted_hmac("portal.crypto", "data-key", secret=secret_key, algorithm="sha256")
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derived.digest()))])


def _current() -> MultiFernet:
    keys = tuple(k.strip() for k in settings.DATA_ENCRYPTION_KEYS if k.strip())
    return _fernet(keys, settings.SECRET_KEY)


def encrypt(text: str) -> str:
    return PREFIX + _current().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    """The clear text of what `encrypt` made. A value without the prefix was stored before
    encryption began (the migration encrypts them) and is returned as it is."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _current().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ValueError("encrypted with a key the portal no longer has") from error


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)
