"""The referral list API's page read with `values()`: partner systems poll it all day.

One query reads only the columns the list returns, the case's reference, the centre's and the
mediator's names joined in, with no model instances and no serializer per row; `referral_rows`
writes each row as `apis.ReferralOut` represents a referral (tests/referrals/test_selectors.py
holds the two equal, for a partner and for the bank's side). The DRF cursor pagination pages
these rows as it paged the models (by updated_at, then pk).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from mediation import access as dispute_access
from mediation.selectors import api_day, api_moment
from portal.models import User
from referrals.centres.lifecycle import ReferralStatus
from referrals.models import Referral

_FIELDS = (
    "pk",
    "organisation_id",
    "status",
    "sent_at",
    "assignment_due",
    "accepted_at",
    "mediator_id",
    "mediation_due",
    "reason",
    "conflict_declaration",
    "updated_at",
)
_JOINED = {
    "case": F("dispute__reference"),
    "organisation_name": F("organisation__name"),
    "mediator_real_name": F("mediator__real_name"),
    "mediator_first_name": F("mediator__first_name"),
    "mediator_last_name": F("mediator__last_name"),
    "mediator_username": F("mediator__username"),
}


def referral_values(qs: QuerySet[Referral]) -> QuerySet[Referral, dict[str, Any]]:
    """The list's columns of `qs`, as rows (to page, then write with `referral_rows`)."""
    return qs.values(*_FIELDS, **_JOINED)


def referral_rows(rows: list[dict[str, Any]], viewer: User) -> list[dict[str, Any]]:
    """Rows as ReferralOut represents them. The bank's reason for withdrawing a referral is
    the bank's own note: others read it empty."""
    zone = timezone.get_current_timezone()
    reads_reasons = dispute_access.reads_the_banks_notes(viewer)
    return [
        {
            "id": row["pk"],
            "case": row["case"],
            "organisation": row["organisation_id"],
            "organisation_name": row["organisation_name"],
            "status": row["status"],
            "sent_at": _moment(row["sent_at"], zone),
            "assignment_due": api_day(row["assignment_due"]),
            "accepted_at": _moment(row["accepted_at"], zone),
            "mediator": row["mediator_id"],
            "mediator_name": _mediator_name(row),
            "mediation_due": api_day(row["mediation_due"]),
            "reason": ""
            if row["status"] == ReferralStatus.WITHDRAWN and not reads_reasons
            else row["reason"],
            "conflict_declaration": row["conflict_declaration"],
            "updated_at": api_moment(row["updated_at"], zone),
        }
        for row in rows
    ]


def _moment(value: Any, zone: Any) -> str | None:
    return None if value is None else api_moment(value, zone)


def _mediator_name(row: dict[str, Any]) -> str | None:
    """User.display_name: the real name, else the full name, else the username."""
    if row["mediator_id"] is None:
        return None
    full = f"{row['mediator_first_name']} {row['mediator_last_name']}".strip()
    return row["mediator_real_name"] or full or row["mediator_username"]
