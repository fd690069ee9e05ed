"""Bundles for a class of problems, in one batch (issue 22, 5): head office asks once, and each
member's case gets its own bundle version for the chosen recipient, through the same
`bundle_request` as the case page (its own transaction, its own audit event, its own task for
the worker). A member whose case cannot have one (no evidence yet, too many pages, a bundle for
that recipient already being built) is left out with the reason, counted in the answer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediation.problems import access as class_access
from mediation.problems.models import ClassMember, OfferStatus, ProblemClass
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.models import User
from portal.transitions import ActionForbidden
from referrals.bundles.services import bundle_request
from referrals.models import Bundle, BundleStatus

# Which members a batch reaches: those who declined the offer (their complaint goes on, to a
# centre, a commission or a court), or every member whose offer was not accepted.
WHO: dict[str, tuple[Any, list[str]]] = {
    "declined": (gettext_lazy("Members who declined the offer"), [OfferStatus.DECLINED.value]),
    "not_settled": (
        gettext_lazy("Every member who has not accepted an offer"),
        [s for s in OfferStatus.values if s != OfferStatus.ACCEPTED],
    ),
}


@dataclass
class BatchResult:
    requested: int = 0
    left_out: Counter[str] = field(default_factory=Counter)


def class_bundles_request(
    *,
    actor: User,
    class_id: int,
    who: str,
    recipient_kind: str,
    organisation_id: int | None = None,
    purpose: str = "",
) -> BatchResult:
    """One bundle per member's case (its primary case: the repeats are answered with it)."""
    problem = class_access.class_get_for(actor, class_id)
    if not class_access.can_manage_class(actor, problem):
        raise ActionForbidden(_("Head office runs classes of problems."))
    if who not in WHO:
        raise ApplicationError(_("Choose which members' cases to bundle."))
    building = Bundle.objects.filter(
        dispute_id=OuterRef("dispute_id"),
        recipient_kind=recipient_kind,
        status__in=[BundleStatus.QUEUED, BundleStatus.BUILDING],
    )
    members = list(
        problem.members.filter(offer_status__in=WHO[who][1])
        .annotate(in_flight=Exists(building))
        .select_related("dispute")
        .order_by("pk")
    )
    result = BatchResult()
    for member in members:
        if member.in_flight:
            result.left_out[_("a bundle for this recipient is already being built")] += 1
            continue
        try:
            bundle_request(
                actor=actor,
                reference=member.dispute.reference,
                recipient_kind=recipient_kind,
                organisation_id=organisation_id,
                purpose=purpose,
            )
        except ApplicationError as refused:
            result.left_out[refused.message] += 1
        else:
            result.requested += 1
    audit_record(
        actor=actor,
        action="problem_class.bundles_requested",
        target=problem,
        case_ref="",
        data={
            "who": who,
            "recipient_kind": recipient_kind,
            "organisation": organisation_id,
            "requested": result.requested,
            "left_out": sum(result.left_out.values()),
        },
    )
    return result


def class_bundle_counts(problem: ProblemClass) -> dict[str, int]:
    """The members' cases' bundles by status: how far the batch has got."""
    cases = ClassMember.objects.filter(problem_class=problem).values("dispute_id")
    rows = (
        Bundle.objects.filter(dispute_id__in=cases)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def class_panel(user: User, problem: ProblemClass) -> dict[str, Any]:
    """On the class page: the batch form (head office) and the bundles' progress."""
    from referrals.bundles.forms import ClassBundlesForm

    counts = class_bundle_counts(problem)
    manage = class_access.can_manage_class(user, problem)
    if not counts and not manage:
        return {}
    return {
        "class_bundles": {
            "counts": [
                (label, counts[value]) for value, label in BundleStatus.choices if counts.get(value)
            ],
            "form": ClassBundlesForm(prefix="batch") if manage else None,
        }
    }
