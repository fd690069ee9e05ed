"""A person's own data (PIPL arts. 44-47): a copy to download, deletion on request, and a
retention rule that removes personal data a set time after a case closes.

- **Copy** (art. 45): `export_request` queues a `DataExport`; the task worker builds it
  (`export_build`) as JSON (every field, machine-readable) and a readable PDF, from the
  sections each app registers here: portal the account, its notifications and sign-in events;
  mediation the person's disputes, evidence, consents and visits; referrals what partners did
  on them. Only the person downloads it, for DATA_EXPORT_KEEP_DAYS.
- **Deletion** (art. 47): `erase_request` (with the password, as a binding act) clears the
  account's personal fields and closes it, unless a case of theirs is open or under a legal
  hold (each app registers its `blockers`). Their closed cases are records the bank must keep
  for the retention period (art. 47, para. 2: stored, not processed further); the retention
  job then pseudonymises them.
- **Retention**: each app registers a recurring job (mediation: `mediation/privacy.py`).

Every act enters the audit chain. The chain itself is not rewritten: its events name case
references and actions, not the facts of a case.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.models import (
    ApiToken,
    AuditEvent,
    DataExport,
    Notification,
    NotificationChannelChoice,
    NotificationOptOut,
    Role,
    User,
)


@dataclass(frozen=True)
class Section:
    """One part of a person's copy: a title and its records (label -> value)."""

    key: str
    title: str
    records: list[dict[str, Any]]


@dataclass
class _Registry:
    # user -> the sections of their copy that this app holds.
    sections: list[Callable[[User], list[Section]]] = field(default_factory=list)
    # user -> why their account cannot be deleted now (an open case, a legal hold ...).
    blockers: list[Callable[[User], list[str]]] = field(default_factory=list)


registry = _Registry()


def register(kind: str, *entries: Any) -> None:
    target: list[Any] = getattr(registry, kind)
    for entry in entries:
        if entry not in target:
            target.append(entry)


def record(obj: models.Model, names: list[str]) -> dict[str, Any]:
    """The named fields of `obj` under their labels, choices shown as their labels."""
    row: dict[str, Any] = {}
    for name in names:
        model_field = obj._meta.get_field(name)
        label = str(getattr(model_field, "verbose_name", name))
        display = getattr(obj, f"get_{name}_display", None)
        value = display() if callable(display) else getattr(obj, name)
        if isinstance(value, models.Model):
            value = str(value)
        elif hasattr(value, "name") and hasattr(value, "storage"):  # a file: its name only
            value = value.name.rsplit("/", 1)[-1] if value else ""
        row[label] = value
    return row


def account_sections(user: User) -> list[Section]:
    account = record(
        user,
        ["username", "real_name", "mobile", "mobile_verified_at", "email", "id_number", "role"],
    )
    account[_("Registered")] = user.date_joined
    account[_("Last sign-in")] = user.last_login
    notifications = [
        {_("Time"): n.created_at, _("Title"): n.title, _("Message"): n.body, _("Case"): n.case_ref}
        for n in Notification.objects.filter(recipient=user).order_by("created_at")
    ]
    events = [
        {_("Time"): e.created_at, _("Action"): e.action, _("Details"): e.data}
        for e in AuditEvent.objects.filter(
            target_type="portal.user", target_id=str(user.pk)
        ).order_by("seq")
    ]
    return [
        Section("account", _("Your account"), [account]),
        Section("notifications", _("Notifications sent to you"), notifications),
        Section("account_events", _("Sign-ins and changes to your account"), events),
    ]


def not_a_customer(user: User) -> list[str]:
    """Accounts of staff, partners, auditors and administrators belong to their organisation's
    records and are closed by an administrator, not by the person."""
    if user.role == Role.CUSTOMER:
        return []
    return [_("accounts of bank staff, partners and auditors are closed by an administrator")]


register("sections", account_sections)
register("blockers", not_a_customer)


def collect(user: User) -> list[Section]:
    sections: list[Section] = []
    for provider in registry.sections:
        sections += provider(user)
    return sections


# The copy -----------------------------------------------------------------------------------


def _enqueue_export(export_id: int) -> None:
    from portal.tasks import build_data_export

    build_data_export.enqueue(export_id)


@transaction.atomic
def export_request(*, user: User) -> DataExport:
    """Queue a copy of the person's data; one at a time, DATA_EXPORT_MAX_PER_DAY a day."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time
    mine = DataExport.objects.filter(user=user)
    if mine.filter(status=DataExport.Status.QUEUED).exists():
        raise ApplicationError(_("A copy is being prepared already."), code="export_queued")
    since = timezone.now() - timedelta(days=1)
    if mine.filter(requested_at__gte=since).count() >= settings.DATA_EXPORT_MAX_PER_DAY:
        raise ApplicationError(
            _("You asked for %(n)s copies today; ask again tomorrow.")
            % {"n": settings.DATA_EXPORT_MAX_PER_DAY},
            code="export_limit",
        )
    export = DataExport.objects.create(user=user)
    audit_record(actor=user, action="privacy.export_requested", target=export, case_ref="")
    transaction.on_commit(partial(_enqueue_export, export.pk))
    return export


def _json_default(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _readable(value: Any) -> str:
    """A value as the PDF shows it: local times to the minute, yes/no, lists joined."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(_readable(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {_readable(v)}" for k, v in value.items())
    return str(value)


def export_build(*, export_id: int) -> None:
    """Build one queued copy (in the task worker): JSON and PDF, stored privately."""
    from weasyprint import HTML

    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.QUEUED:
        return
    user = export.user
    try:
        with translation.override(settings.LANGUAGE_CODE):
            generated = timezone.localtime()
            sections = collect(user)
            payload = {
                "generated_at": generated.isoformat(),
                "person": user.display_name,
                "sections": {s.key: {"title": s.title, "records": s.records} for s in sections},
            }
            body = json.dumps(payload, ensure_ascii=False, indent=2, default=_json_default)
            readable = [
                Section(
                    s.key,
                    s.title,
                    [{label: _readable(v) for label, v in row.items()} for row in s.records],
                )
                for s in sections
            ]
            html = render_to_string(
                "pdf/data_export.html",
                {"person": user, "generated": generated, "sections": readable},
            )
            pdf = HTML(string=html).write_pdf() or b""
    except Exception as error:
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.FAILED, failure=str(error)[:500]
        )
        raise
    stamp = generated.strftime("%Y%m%d-%H%M%S")
    export.json_file.save(f"data-{user.pk}-{stamp}.json", ContentFile(body.encode()), save=False)
    export.pdf_file.save(f"data-{user.pk}-{stamp}.pdf", ContentFile(pdf), save=False)
    export.status, export.ready_at = DataExport.Status.READY, timezone.now()
    with transaction.atomic():
        export.save(update_fields=["json_file", "pdf_file", "status", "ready_at"])
        audit_record(actor=None, action="privacy.export_ready", target=export, case_ref="")


def exports_expire(*, now: Any = None) -> int:
    """Delete copies older than DATA_EXPORT_KEEP_DAYS, files first (a recurring job)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DATA_EXPORT_KEEP_DAYS)
    done = 0
    for export in DataExport.objects.filter(requested_at__lt=cutoff):
        delete_files_on_commit([export.json_file.name or "", export.pdf_file.name or ""])
        export.delete()
        done += 1
    return done


def delete_files_on_commit(names: list[str]) -> None:
    """Delete stored files once the transaction that stopped pointing at them commits."""

    def delete() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(delete)


# Deletion -----------------------------------------------------------------------------------


def erasure_blockers(user: User) -> list[str]:
    reasons: list[str] = []
    for rule in registry.blockers:
        reasons += rule(user)
    return reasons


def erase_request(*, user: User, password: str) -> None:
    """The person deletes their account: re-authenticated with the password; refused while a
    case of theirs is open or held."""
    if not check_password(password, user.password):
        raise ApplicationError(_("The password is not right."), code="wrong_password")
    reasons = erasure_blockers(user)
    if reasons:
        raise ApplicationError(
            _("Your account cannot be deleted yet: %(reasons)s") % {"reasons": "；".join(reasons)},
            code="erasure_blocked",
        )
    erase_account(user=user, by=user)


@transaction.atomic
def erase_account(*, user: User, by: User | None) -> None:
    """Clear the account's personal fields and close it (no sign-in, no messages, no tokens,
    no copies). The row stays: cases and audit events point at it."""
    from allauth.mfa.models import Authenticator

    user = User.objects.select_for_update().get(pk=user.pk)
    for export in user.data_exports.all():
        delete_files_on_commit([export.json_file.name or "", export.pdf_file.name or ""])
    user.data_exports.all().delete()
    Notification.objects.filter(recipient=user).delete()
    NotificationOptOut.objects.filter(user=user).delete()
    NotificationChannelChoice.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    Authenticator.objects.filter(user_id=user.pk).delete()
    user.username = f"erased-{user.pk}"
    user.real_name = user.first_name = user.last_name = ""
    user.email = user.id_number = user.recorded_mobile = ""
    user.mobile = None
    user.mobile_verified_at = None
    user.set_unusable_password()
    user.is_active = False
    user.erased_at = timezone.now()
    user.save()
    audit_record(
        actor=by,
        action="privacy.erased",
        target=user,
        case_ref="",
        data={"by_self": by is not None and by.pk == user.pk},
    )
