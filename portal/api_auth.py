"""API tokens: issued in the admin, stored hashed, scoped to a partner organisation (through
its service account) or to one staff member; last use recorded."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import HTTP_HEADER_ENCODING, authentication, exceptions
from rest_framework.request import Request

from portal.models import ApiToken, PartnerOrganisation, PartnerRole, Role, User


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_issue(*, name: str, user: User) -> tuple[ApiToken, str]:
    """Create a token; the key is returned once and never stored in clear."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name,
        user=user,
        prefix=key[:10],
        key_hash=_hash(key),
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS),
        auth_hash=user.get_session_auth_hash(),
    )
    return token, key


@transaction.atomic
def token_issue_for_organisation(
    *, name: str, organisation: PartnerOrganisation
) -> tuple[ApiToken, str]:
    """A partner organisation's token acts as its service account, so the same access rules
    as for its members apply: it sees only what was sent to that organisation."""
    account, _created = User.objects.get_or_create(
        username=f"api-org-{organisation.pk}",
        defaults={
            "role": Role.PARTNER,
            "organisation": organisation,
            "partner_role": PartnerRole.CASE_CLERK,
            "real_name": f"{organisation.name}（系统接口）",
        },
    )
    if _created:
        account.set_unusable_password()
        account.save()
    return token_issue(name=name, user=account)


# How long a token lookup is served from the cache: only a shared cache (CACHE_URL: Redis),
# where revoking a token clears its entry for every process at once. With the per-process
# default a revocation could not reach the other workers, so nothing is cached.
TOKEN_CACHE_SECONDS = 30
# last_used_at is written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _cache_key(prefix: str) -> str:
    return f"api-token:{prefix}"


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    cache.delete(_cache_key(token.prefix))


def token_lookup(prefix: str) -> ApiToken | None:
    """The unrevoked token with this prefix, its user, branch and organisation loaded: one
    select_related query, then served from the cache for TOKEN_CACHE_SECONDS (every API
    request authenticates; after Zulip's cached API-key lookup)."""
    key = _cache_key(prefix)
    token: ApiToken | None = cache.get(key) if settings.SHARED_CACHE else None
    if token is None:
        token = (
            ApiToken.objects.select_related("user", "user__branch", "user__organisation")
            .filter(prefix=prefix, revoked_at__isnull=True)
            .first()
        )
        if token is not None and settings.SHARED_CACHE:
            cache.set(key, token, TOKEN_CACHE_SECONDS)
    return token


def _note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        if settings.SHARED_CACHE:
            cache.set(_cache_key(token.prefix), token, TOKEN_CACHE_SECONDS)


class PortalTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = request.headers.get("authorization", "")
        if isinstance(header, bytes):  # as DRF allows, for test clients
            header = header.decode(HTTP_HEADER_ENCODING)
        words = header.split()
        if not words or words[0].lower() != self.keyword.lower():
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Token."))
        key = words[1]
        token = token_lookup(key[:10])
        if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if token.expires_at is not None and token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("This token has expired. Ask for a new one."))
        user = token.user
        current = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
        if not any(hmac.compare_digest(token.auth_hash, h) for h in current):
            raise exceptions.AuthenticationFailed(
                _("The password was changed since this token was issued. Ask for a new one.")
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        _note_use(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class PortalTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token header in the OpenAPI schema."""

    target_class = "portal.api_auth.PortalTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key>: issued in the admin, or by /api/v1/auth/token/ "
            "for bank staff scripts.",
        }
