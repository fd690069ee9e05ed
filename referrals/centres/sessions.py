"""Mediation sessions (scheduled, moved, their notes) and extensions of the mediation period.

Sessions and their notes are the centre's own; an extension takes both parties' consent
(特邀调解规定 art. 27), and appraisal time is not counted."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.models import Dispute
from mediation.notify import parties
from portal import access as portal_access
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import User
from portal.notifications import notify_after_commit
from portal.periods import agreed_period
from portal.transitions import ActionForbidden
from referrals.centres.lifecycle import ReferralStatus
from referrals.centres.models import SessionMode
from referrals.centres.services import referral_lock, require_centre_member
from referrals.models import (
    MediationExtension,
    MediationSession,
)


def _check_place(mode: str, place: str) -> str:
    """An online session's place is an https link the parties can open; any other is a place
    or a phone arrangement in words."""
    place = place.strip()
    if not place:
        raise ApplicationError(_("Give the place, the link or the phone arrangement."))
    if mode == SessionMode.ONLINE:
        try:
            URLValidator(schemes=["https"])(place)
        except ValidationError:
            raise ApplicationError(
                _("An online session needs its link: an https:// address the parties can open."),
                code="invalid_link",
            ) from None
    return place


def session_calendar(session: MediationSession, *, cancel: bool = False) -> str:
    """The session as an iCalendar invitation (RFC 5545): one UID per session, its SEQUENCE
    raised with each change, METHOD:CANCEL when it is called off."""
    referral = session.referral
    reference = referral.dispute.reference
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Dispute mediation portal//zh-Hans//")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = icalendar.Event()
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "portal"
    event.add("uid", f"session-{session.pk}@{host}")
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.starts_at + timedelta(minutes=session.duration_minutes))
    event.add(
        "summary",
        _("Mediation session: %(ref)s (%(org)s)")
        % {"ref": reference, "org": referral.organisation.name},
    )
    event.add("location", session.place)
    if session.is_link:
        event.add("url", session.place)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode()


def _tell(session: MediationSession, event: str, *, cancel: bool = False, **params: object) -> None:
    referral = session.referral
    dispute = referral.dispute
    notify_after_commit(
        event,
        recipients=parties(dispute),
        case_ref=dispute.reference,
        url=dispute.get_absolute_url() + "#referral",
        params={
            "ref": dispute.reference,
            "org": referral.organisation.name,
            "when": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
            "mode": session.get_mode_display(),
            "place": session.place,
            **params,
        },
        calendar=session_calendar(session, cancel=cancel),
    )


@transaction.atomic
def session_schedule(
    *,
    actor: User,
    referral_id: int,
    starts_at: datetime,
    mode: str,
    place: str,
    duration_minutes: int = 60,
) -> MediationSession:
    referral = referral_lock(actor, referral_id)
    require_centre_member(referral, actor)
    if referral.status != ReferralStatus.ACCEPTED:
        raise TransitionRefused(_("Sessions are scheduled once the centre accepted the case."))
    if not referral.conflict_declared_at:
        raise ApplicationError(
            _(
                "Record the conflict-of-interest declaration first: the "
                "customer sees it before the first session."
            )
        )
    if starts_at <= timezone.now():
        raise ApplicationError(_("Choose a time in the future."))
    session = MediationSession.objects.create(
        referral=referral,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        place=_check_place(mode, place),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="session.scheduled",
        target=session,
        case_ref=referral.dispute.reference,
        data={"starts_at": starts_at.isoformat(), "mode": mode},
    )
    _tell(session, "session_scheduled")
    return session


def _session_for_partner(actor: User, session_id: int) -> MediationSession:
    session = MediationSession.objects.select_related("referral").filter(pk=session_id).first()
    if session is None:
        raise portal_access.refuse(actor, "session", session_id)
    referral = referral_lock(actor, session.referral_id)
    require_centre_member(referral, actor)
    return (
        MediationSession.objects.select_for_update()
        .select_related("referral__dispute", "referral__organisation")
        .get(pk=session_id)
    )


def _changeable(session: MediationSession) -> None:
    if session.cancelled:
        raise TransitionRefused(_("This session was cancelled; schedule a new one."))
    if session.starts_at <= timezone.now():
        raise TransitionRefused(_("This session has already taken place."))


@transaction.atomic
def session_reschedule(
    *, actor: User, session_id: int, starts_at: datetime, place: str
) -> MediationSession:
    """Move a session (and its place or link); the parties get the changed invitation."""
    session = _session_for_partner(actor, session_id)
    _changeable(session)
    if starts_at <= timezone.now():
        raise ApplicationError(_("Choose a time in the future."))
    old = session.starts_at
    session.starts_at = starts_at
    session.place = _check_place(session.mode, place or session.place)
    session.sequence += 1
    session.save(update_fields=["starts_at", "place", "sequence"])
    audit_record(
        actor=actor,
        action="session.moved",
        target=session,
        case_ref=session.referral.dispute.reference,
        data={"from": old.isoformat(), "to": starts_at.isoformat()},
    )
    _tell(session, "session_moved")
    return session


@transaction.atomic
def session_cancel(*, actor: User, session_id: int, reason: str) -> MediationSession:
    """Call a session off, with the reason the parties read; their calendars drop it."""
    session = _session_for_partner(actor, session_id)
    _changeable(session)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for cancelling the session."))
    session.cancelled, session.cancelled_reason = True, reason.strip()
    session.sequence += 1
    session.save(update_fields=["cancelled", "cancelled_reason", "sequence"])
    audit_record(
        actor=actor,
        action="session.cancelled",
        target=session,
        case_ref=session.referral.dispute.reference,
        reason=session.cancelled_reason,
    )
    _tell(session, "session_cancelled", cancel=True, reason=session.cancelled_reason)
    return session


@transaction.atomic
def session_record_notes(*, actor: User, session_id: int, notes: str) -> MediationSession:
    """The centre's own notes: never shown to the bank or the customer, and not copied into
    the audit log."""
    session = _session_for_partner(actor, session_id)
    session.notes = notes.strip()
    session.save(update_fields=["notes"])
    audit_record(
        actor=actor,
        action="session.notes_recorded",
        target=session,
        case_ref=session.referral.dispute.reference,
    )
    return session


@transaction.atomic
def extension_propose(
    *, actor: User, referral_id: int, days: int, reason: str
) -> MediationExtension:
    referral = referral_lock(actor, referral_id)
    require_centre_member(referral, actor)
    if referral.status != ReferralStatus.ACCEPTED:
        raise TransitionRefused(_("Only a mediation under way can be extended."))
    if not 1 <= days <= 30 or not reason.strip():
        raise ApplicationError(_("Give 1 to 30 extra days and the reason."))
    if referral.extensions.filter(applied_at__isnull=True).exists():
        raise ApplicationError(_("An extension is already awaiting the parties' consent."))
    extension = MediationExtension.objects.create(
        referral=referral, days=days, reason=reason.strip(), proposed_by=actor
    )
    audit_record(
        actor=actor,
        action="extension.proposed",
        target=extension,
        case_ref=referral.dispute.reference,
        data={"days": days},
    )
    return extension


@transaction.atomic
def extension_consent(*, actor: User, extension_id: int) -> MediationExtension:
    """Each party consents separately; the period is extended only once both have (在线调解
    规则 art. 20)."""
    extension = MediationExtension.objects.filter(pk=extension_id).first()
    if extension is None:
        raise portal_access.refuse(actor, "extension", extension_id)
    referral = referral_lock(actor, extension.referral_id)
    extension = MediationExtension.objects.select_for_update().get(pk=extension_id)
    dispute = referral.dispute
    now = timezone.now()
    if extension.applied_at is not None:
        raise ApplicationError(_("This extension is already in effect."))
    if dispute_access.is_dispute_customer(actor, dispute):
        extension.customer_consent_at = extension.customer_consent_at or now
    elif dispute_access.can_handle_dispute(actor, dispute):
        extension.bank_consent_at = extension.bank_consent_at or now
        extension.bank_consent_by = actor
    else:
        raise ActionForbidden(_("Only the customer and the bank consent to an extension."))
    if extension.customer_consent_at and extension.bank_consent_at:
        if referral.status != ReferralStatus.ACCEPTED or dispute.mediation_due is None:
            raise TransitionRefused(_("Only a mediation under way can be extended."))
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        assert locked.mediation_due is not None
        new_due = agreed_period(
            extension.days, cite="特邀调解规定 art. 27 (extension by both parties' consent)"
        ).end(locked.mediation_due)
        locked.mediation_due = new_due
        locked.set_deadlines()
        locked.save(
            update_fields=["mediation_due", "next_deadline", "next_party_deadline", "updated_at"]
        )
        referral.mediation_due = new_due
        referral.save(update_fields=["mediation_due", "updated_at"])
        extension.applied_at, extension.new_due = now, new_due
    extension.save()
    audit_record(
        actor=actor,
        action="extension.consented",
        target=extension,
        case_ref=dispute.reference,
        data={"applied": extension.applied_at is not None, "new_due": str(extension.new_due or "")},
    )
    return extension
