"""API tokens: issued in the admin, stored hashed, scoped to a partner organisation (through
its service account) or to one staff member; last use recorded."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model
from django.db.models.sql import Query
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import HTTP_HEADER_ENCODING, authentication, exceptions
from rest_framework.request import Request

from portal import sql
from portal.models import ApiToken, Branch, PartnerOrganisation, PartnerRole, Role, User


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_issue(*, name: str, user: User) -> tuple[ApiToken, str]:
    """Create a token; the key is returned once and never stored in clear."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(name=name, user=user, prefix=key[:10], key_hash=_hash(key))
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


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


# The token, its user, and the user's branch and organisation: what select_related() would
# join, in the order the columns come back.
_JOINED: tuple[tuple[type[Model], str, str | None, str | None], ...] = (
    (ApiToken, "t", None, None),
    (User, "u", "t", "user"),
    (Branch, "b", "u", "branch"),
    (PartnerOrganisation, "o", "u", "organisation"),
)


@functools.cache
def _lookup_plan(alias: str) -> tuple[str, Any, dict[int, Any]]:
    """SQL and converters for the token lookup, built once per process from the models' own
    metadata. Every API request authenticates; compiling the equivalent select_related() query
    cost more than the rest of a list request (bench/api.py), while running it costs little."""
    connection = connections[alias]
    columns, expressions, joins = [], [], []
    for model, alias_, parent, fk in _JOINED:
        for field in model._meta.concrete_fields:
            columns.append(sql.column(connection, model, field.name, alias_))
            expressions.append(field.get_col(alias_))
        if parent is not None:
            assert fk is not None
            parent_model = next(m for m, a, _p, _f in _JOINED if a == parent)
            kind = "LEFT OUTER JOIN" if parent_model._meta.get_field(fk).null else "INNER JOIN"
            joins.append(
                f"{kind} {sql.table(connection, model)} {alias_} "
                f"ON {sql.column(connection, model, 'pk', alias_)} = "
                f"{sql.column(connection, parent_model, fk, parent)}"
            )
    # Identifiers come quoted from the models' metadata; the prefix is a named parameter (see
    # portal/sql.py).
    statement = (
        f"SELECT {', '.join(columns)} FROM {sql.table(connection, ApiToken)} t "  # noqa: S608
        f"{' '.join(joins)} WHERE {sql.column(connection, ApiToken, 'prefix', 't')} = %(prefix)s "
        f"AND {sql.column(connection, ApiToken, 'revoked_at', 't')} IS NULL"
    )
    compiler = connection.ops.compiler("SQLCompiler")(Query(ApiToken), connection, alias)
    return statement, compiler, compiler.get_converters(expressions)  # type: ignore[arg-type]


@functools.cache
def _attnames(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def token_lookup(prefix: str) -> ApiToken | None:
    """The unrevoked token with this prefix, its user, branch and organisation loaded, in one
    statement: the same objects ApiToken.objects.select_related("user", "user__branch",
    "user__organisation").filter(prefix=prefix, revoked_at__isnull=True).first() gives."""
    alias = router.db_for_read(ApiToken)
    statement, compiler, converters = _lookup_plan(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(statement, {"prefix": prefix})
        row = cursor.fetchone()
    if row is None:
        return None
    values = next(compiler.apply_converters([row], converters))
    objects: dict[str, Model | None] = {}
    start = 0
    for model, alias_, parent, fk in _JOINED:
        names = _attnames(model)
        chunk = values[start : start + len(names)]
        start += len(names)
        obj = None if chunk[0] is None else model.from_db(alias, names, chunk)
        objects[alias_] = obj
        if parent is not None and objects[parent] is not None:
            parent_obj = objects[parent]
            assert fk is not None and parent_obj is not None
            parent_obj._meta.get_field(fk).set_cached_value(parent_obj, obj)  # type: ignore[union-attr]
    return objects["t"]  # type: ignore[return-value]


class PortalTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        # From META: DRF's get_authorization_header() builds request.headers, every header
        # of the request, for this one.
        header = request.META.get("HTTP_AUTHORIZATION", "")
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
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
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
