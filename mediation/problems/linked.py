"""Linked complainants (issue 22, 4; seed 4.4: a pilot found nine organised groups of complaint
agents): different customers joined by something their complaints share, gathered into
clusters for staff to review.

What joins two customers (each a reason shown beside the cluster):
- the same agent authorised on their cases (`Representative`, revoked or not);
- the same contact number: a number one of them gave by phone that is another's number;
- the same account or card number named in their complaints;
- the same device: a consent given from the same IP address with the same browser.
(Addresses are not recorded for customers, so they join nobody.)

Customers joined directly or through others form one cluster; clusters of CLUSTER_MIN people
or more are listed for head office and auditors. It is a list to look at, nothing more: no
complaint is refused, slowed or treated differently because of it, the customers are not told
and their rights do not change. Head office records what a review found (`ClusterReview`,
audited); a cluster that grows after its review shows as changed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediation.models import Consent, Dispute, Representative
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.models import Role, User
from portal.transitions import ActionForbidden

from . import access
from .models import ClusterReview

CLUSTER_MIN = 3
SHOWN = 100  # the largest clusters first; more are better found by narrowing the signals

REASONS = {
    "agent": gettext_lazy("the same agent"),
    "phone": gettext_lazy("the same contact number"),
    "account": gettext_lazy("the same account or card number"),
    "device": gettext_lazy("the same device (IP address and browser)"),
}


@dataclass
class Reason:
    kind: str
    shown: str  # masked where it is personal information
    people: int

    @property
    def label(self) -> str:
        return str(REASONS[self.kind])


@dataclass
class Cluster:
    people: list[int]
    reasons: list[Reason] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(",".join(map(str, sorted(self.people))).encode()).hexdigest()


def _mask(value: str, keep: int = 4) -> str:
    return "*" * max(len(value) - keep, 0) + value[-keep:]


def _groups() -> list[tuple[str, str, set[int]]]:
    """Every shared value with the distinct customers behind it: (kind, shown, customers)."""
    groups: list[tuple[str, str, set[int]]] = []

    def gather(kind: str, rows: Iterable[tuple[Any, int]], shown: Callable[[Any], str]) -> None:
        by_key: dict[Any, set[int]] = defaultdict(set)
        for key, customer in rows:
            by_key[key].add(customer)
        for key, people in by_key.items():
            if len(people) > 1:
                groups.append((kind, shown(key), people))

    agents = {
        a.pk: a.display_name
        for a in User.objects.filter(
            pk__in=Representative.objects.values("agent_id")
            .annotate(n=Count("dispute__customer_id", distinct=True))
            .filter(n__gt=1)
            .values("agent_id")
        )
    }
    gather(
        "agent",
        Representative.objects.filter(agent_id__in=agents).values_list(
            "agent_id", "dispute__customer_id"
        ),
        lambda key: agents[key],
    )
    shared_accounts = (
        Dispute.objects.exclude(account_number="")
        .values("account_number")
        .annotate(n=Count("customer_id", distinct=True))
        .filter(n__gt=1)
        .values("account_number")
    )
    gather(
        "account",
        Dispute.objects.filter(account_number__in=shared_accounts).values_list(
            "account_number", "customer_id"
        ),
        _mask,
    )
    # A number given by phone for one account that another account holds or was given too:
    # only those numbers are read (most given numbers belong to one account alone).
    customers = User.objects.filter(role=Role.CUSTOMER)
    given = customers.exclude(recorded_mobile="")
    numbers = set(
        given.values("recorded_mobile")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("recorded_mobile", flat=True)
    ) | set(
        customers.filter(mobile__in=given.values("recorded_mobile"))
        .exclude(recorded_mobile=F("mobile"))
        .values_list("mobile", flat=True)
    )
    gather(
        "phone",
        [
            *customers.filter(recorded_mobile__in=numbers).values_list("recorded_mobile", "pk"),
            *customers.filter(mobile__in=numbers).values_list("mobile", "pk"),
        ],
        lambda key: _mask(str(key)),
    )
    devices = (
        Consent.objects.exclude(ip_address__isnull=True)
        .exclude(user_agent="")
        .values("ip_address", "user_agent")
        .annotate(n=Count("dispute__customer_id", distinct=True))
        .filter(n__gt=1)
    )
    if devices:
        same = Q()
        for d in devices:
            same |= Q(ip_address=d["ip_address"], user_agent=d["user_agent"])
        gather(
            "device",
            Consent.objects.filter(same).values_list("ip_address", "dispute__customer_id"),
            str,
        )
    return groups


def clusters(min_size: int = CLUSTER_MIN) -> list[Cluster]:
    """The clusters of `min_size` people or more, largest first, with why each is one."""
    groups = _groups()
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _kind, _shown, people in groups:
        first, *rest = sorted(people)
        for other in rest:
            parent[find(other)] = find(first)
    members: dict[int, list[int]] = defaultdict(list)
    for person in list(parent):
        members[find(person)].append(person)
    found = {root: Cluster(sorted(people)) for root, people in members.items()}
    for kind, shown, people in groups:
        found[find(next(iter(people)))].reasons.append(Reason(kind, shown, len(people)))
    big = [c for c in found.values() if len(c.people) >= min_size]
    big.sort(key=lambda c: (-len(c.people), c.people[0]))
    return big[:SHOWN]


@transaction.atomic
def cluster_review(*, actor: User, people: list[int], decision: str, note: str) -> ClusterReview:
    """Head office records what looking at a cluster found. Audited; changes nothing else."""
    if not access.can_manage_class(actor):
        raise ActionForbidden(_("Head office reviews linked complainants."))
    if decision not in ClusterReview.Decision.values:
        raise ApplicationError(_("Choose what the review found."))
    if not note.strip():
        raise ApplicationError(_("Say what the review looked at and found."))
    current = {c.fingerprint: c for c in clusters()}
    cluster = Cluster(sorted(set(people)))
    if cluster.fingerprint not in current:
        raise ApplicationError(
            _("This cluster has changed since the page was opened: look at it again.")
        )
    review = ClusterReview.objects.create(
        fingerprint=cluster.fingerprint,
        people=cluster.people,
        decision=decision,
        note=note.strip(),
        reviewed_by=actor,
    )
    audit_record(
        actor=actor,
        action="linked_cluster.reviewed",
        target=review,
        case_ref="",
        data={
            "people": len(cluster.people),
            "decision": decision,
            "reasons": [r.kind for r in current[cluster.fingerprint].reasons],
        },
    )
    return review
