"""How often the bank's decisions do not stand (issue 20, 4): per claim type, branch and
handler, the decisions given with the toolkit, and of those the ones a review changed or
reversed, or that the customer later beat by a mediation agreement or an arbitral award
(mediation.hooks.later_amounts). A rate is shown only over MIN_DECISIONS or more decisions,
as the UK ombudsman publishes uphold rates (fewer cases say more about chance than about a
branch); the counts are always shown."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from mediation import hooks
from mediation.complaint_review import ReviewRequestStatus
from mediation.models import ReviewRequest
from portal.models import User

from .lifecycle import ReplyStatus
from .models import Outcome, Reply

MIN_DECISIONS = 30
REVERSING = (ReviewRequestStatus.CHANGED, ReviewRequestStatus.REVERSED)


@dataclass
class Row:
    label: str
    decisions: int = 0
    reviewed: int = 0
    changed_on_review: int = 0
    overturned_later: int = 0

    @property
    def not_standing(self) -> int:
        return self.changed_on_review + self.overturned_later

    @property
    def rate(self) -> float | None:
        if self.decisions < MIN_DECISIONS:
            return None
        return self.not_standing / self.decisions


@dataclass(frozen=True)
class Figures:
    total: Row
    by_claim_type: list[Row]
    by_branch: list[Row]
    by_handler: list[Row]


def reversal_figures(scope: Q) -> Figures:
    """Over the issued decisions in `scope` (access.figures_visible_to); five queries."""
    decisions = list(
        Reply.objects.filter(scope, kind=Reply.Kind.DECISION, status=ReplyStatus.ISSUED).values(
            "pk", "dispute_id", "outcome", "granted_amount", "dispute__branch__name", "author_id"
        )
    )
    dispute_ids = [d["dispute_id"] for d in decisions]
    reviews = dict(
        ReviewRequest.objects.filter(dispute_id__in=dispute_ids).values_list("dispute_id", "status")
    )
    later = hooks.later_amounts(dispute_ids)
    types: dict[int, list[str]] = defaultdict(list)
    for reply_id, name in Reply.claim_types.through.objects.filter(
        reply_id__in=[d["pk"] for d in decisions]
    ).values_list("reply_id", "claimtype__name"):
        types[reply_id].append(name)
    names = {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in={d["author_id"] for d in decisions}).only(
            "username", "first_name", "last_name", "real_name"
        )
    }
    total = Row("")
    rows: dict[str, dict[str, Row]] = {"type": {}, "branch": {}, "handler": {}}
    for d in decisions:
        review = reviews.get(d["dispute_id"])
        changed = review in REVERSING
        beaten = (
            not changed
            and d["outcome"] != Outcome.GRANTED
            and later.get(d["dispute_id"], Decimal(0)) > d["granted_amount"]
        )
        keys = {
            "type": types.get(d["pk"], []),
            "branch": [d["dispute__branch__name"]],
            "handler": [names.get(d["author_id"], "")],
        }
        for row in [total] + [
            rows[k].setdefault(label, Row(label)) for k, labels in keys.items() for label in labels
        ]:
            row.decisions += 1
            row.reviewed += review is not None
            row.changed_on_review += changed
            row.overturned_later += beaten

    def ordered(kind: str) -> list[Row]:
        return sorted(rows[kind].values(), key=lambda r: (-r.decisions, r.label))

    return Figures(total, ordered("type"), ordered("branch"), ordered("handler"))
