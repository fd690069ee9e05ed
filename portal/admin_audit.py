"""Administrators' saves enter the audit chain, with each changed field's value before and
after (secrets and password hashes named, never written down)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from portal.audit import audit_record

SECRET_FIELDS = frozenset({"password", "secret", "secret_encrypted", "key_hash", "auth_hash"})


def _value(obj: models.Model, name: str) -> Any:
    value = getattr(obj, name, None)
    if isinstance(value, models.Model):
        return value.pk
    if value is not None and hasattr(value, "all"):  # many-to-many
        return sorted(str(v.pk) for v in value.all())
    return value


class AuditedAdmin(admin.ModelAdmin):
    """Mixed into a ModelAdmin: `admin.added` / `admin.changed` / `admin.deleted` events."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = list(form.changed_data)
        before = {}
        if change and obj.pk is not None:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = {f: _value(old, f) for f in fields if old is not None}
        super().save_model(request, obj, form, change)
        changes = {
            name: "(changed)"
            if name in SECRET_FIELDS
            else {"before": before.get(name), "after": _value(obj, name)}
            for name in fields
        }
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action="admin.changed" if change else "admin.added",
            target=obj,
            case_ref="",
            data={"fields": changes},
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        before = {name: _value(form.instance, name) for name in ("groups", "user_permissions")}
        super().save_related(request, form, formsets, change)
        changed = {
            name: {"before": old, "after": _value(form.instance, name)}
            for name, old in before.items()
            if hasattr(form.instance, name) and old != _value(form.instance, name)
        }
        if changed:
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action="admin.changed",
                target=form.instance,
                case_ref="",
                data={"fields": changed},
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action="admin.deleted",
            target=obj,
            case_ref="",
            data={"object": str(obj)},
        )
        super().delete_model(request, obj)
