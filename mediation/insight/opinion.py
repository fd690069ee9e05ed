"""Public opinion (seed 4.5): posts and short videos about complaints, linked to the disputes
they are about, and their spread (how many, how often seen) on the management figures. Staff
record them; the views are counted again as they grow. Bank-internal throughout."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from portal.access import is_bank_staff, refuse
from portal.audit import audit_record
from portal.exceptions import ApplicationError

from .access import opinion_item_get_for
from .models import Platform, PublicOpinionItem

if TYPE_CHECKING:
    from portal.models import User

MAX_LINKED = 50


def parse_references(text: str) -> list[str]:
    """Case references as staff paste them: separated by spaces, commas or new lines."""
    found = [r.strip().upper() for r in re.split(r"[\s,，、;；]+", text) if r.strip()]
    return list(dict.fromkeys(found))


@transaction.atomic
def opinion_record(
    *,
    actor: User,
    platform: str,
    url: str,
    title: str,
    first_seen: date,
    views: int,
    references: list[str],
) -> PublicOpinionItem:
    if not is_bank_staff(actor):
        raise refuse(actor, "opinion", "record")
    if platform not in Platform.values:
        raise ApplicationError(_("Choose the platform from the list."))
    try:  # the page links to it: a web address and nothing else (no javascript: or data:)
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ApplicationError(_("Give the item's web address (https://...).")) from exc
    if not title.strip() or len(title) > 200:
        raise ApplicationError(_("Say in a few words what it says (at most 200 characters)."))
    if views < 0:
        raise ApplicationError(_("Views cannot be negative."))
    today = timezone.localdate()
    if first_seen > today:
        raise ApplicationError(_("The day it was first seen cannot be in the future."))
    if not references:
        raise ApplicationError(_("Name at least one case it is about."))
    if len(references) > MAX_LINKED:
        raise ApplicationError(_("Link at most %(n)s cases to one item.") % {"n": MAX_LINKED})
    disputes = list(
        dispute_access.disputes_visible_to(actor)
        .filter(reference__in=references)
        .only("pk", "reference")
    )
    missing = sorted(set(references) - {d.reference for d in disputes})
    if missing:
        raise ApplicationError(
            _("No case of yours has the reference %(refs)s.") % {"refs": "、".join(missing)}
        )
    item = PublicOpinionItem.objects.create(
        platform=platform,
        url=url,
        title=title.strip(),
        first_seen=first_seen,
        views=views,
        views_on=today,
        recorded_by=actor,
    )
    item.disputes.set(disputes)
    audit_record(
        actor=actor,
        action="opinion.recorded",
        target=item,
        data={"platform": platform, "url": url, "cases": sorted(d.reference for d in disputes)},
    )
    return item


@transaction.atomic
def opinion_count_views(*, actor: User, item_id: int, views: int) -> PublicOpinionItem:
    """The views as counted today (they only grow; a smaller figure is a typing error)."""
    if not is_bank_staff(actor):  # auditors read only
        raise refuse(actor, "opinion", item_id)
    item = opinion_item_get_for(actor, item_id, for_update=True)
    if views < item.views:
        raise ApplicationError(
            _("Views only grow: the last count was %(n)s.") % {"n": f"{item.views:,}"}
        )
    before = item.views
    item.views, item.views_on = views, timezone.localdate()
    item.save(update_fields=["views", "views_on"])
    audit_record(
        actor=actor, action="opinion.views_counted", target=item, data={"from": before, "to": views}
    )
    return item


@dataclass(frozen=True)
class Spread:
    items: int
    views: int
    cases: int  # disputes the period's items are about


def spread(branch_id: int | None, first: date, last: date) -> Spread:
    """Items first seen in the period (about one branch's cases, or any), their views as last
    counted, and the cases they are about."""
    items = PublicOpinionItem.objects.filter(first_seen__gte=first, first_seen__lte=last)
    about: dict[str, int] = {}
    if branch_id is not None:
        about = {"dispute__branch_id": branch_id}
        items = items.filter(disputes__branch_id=branch_id).distinct()
    totals = items.aggregate(n=Count("pk", distinct=True), views=Sum("views"))
    cases = (
        PublicOpinionItem.disputes.through.objects.filter(
            publicopinionitem__in=items.values("pk"), **about
        )
        .values("dispute_id")
        .distinct()
        .count()
    )
    return Spread(items=totals["n"] or 0, views=totals["views"] or 0, cases=cases)


# For the case page's one query of which lists hold anything.
CASE_LIST = ("opinion_items", PublicOpinionItem.objects.filter(disputes=OuterRef("pk")))


def case_panel(user: User, dispute: Any, holds: Mapping[str, bool]) -> dict[str, Any]:
    """On a case page, for the bank's side: what is said about this case in public."""
    from portal.access import is_bank_side

    if not is_bank_side(user):
        return {}
    return {
        "opinion": {
            "items": list(dispute.opinion_items.all()) if holds["opinion_items"] else [],
            "may_record": is_bank_staff(user),
        }
    }
