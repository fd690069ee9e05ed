"""What the layer above mediation adds to it at start-up (STYLE.md 13).

mediation never imports referrals. Where a dispute's rules or pages depend on what referrals
does with a case (a referral sent to a centre, a proposal the customer accepted, a look-back
review to schedule on closing, partners to tell of a withdrawn consent, panels on the case
page), mediation calls the functions registered here, and `referrals/apps.py` registers them in
`ready()`. With nothing registered (mediation alone) each hook is a no-op: no partner sees a
case, no customer concludes by acceptance, closing schedules nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from mediation.models import Clock, Consent, Dispute
    from portal.actions import Action
    from portal.models import User


@dataclass
class Turnaround:
    """How fast a body outside the bank decided what it was given (a court ruling on a
    confirmation, an arbitral award), against its target: for the management figures."""

    label: str
    target: str
    days: list[int] = field(default_factory=list)  # from acceptance to decision, each case
    on_target: int = 0

    @property
    def decided(self) -> int:
        return len(self.days)

    @property
    def median_days(self) -> int | None:
        ordered = sorted(self.days)
        return ordered[(len(ordered) - 1) // 2] if ordered else None


@dataclass
class _Registry:
    # organisation id -> a condition on Dispute: the cases sent to that organisation.
    partner_cases: list[Callable[[int], Q]] = field(default_factory=list)
    # dispute -> whether the customer's own act (accepting a binding proposal) concludes it.
    customer_concluded: list[Callable[[Dispute], bool]] = field(default_factory=list)
    # (dispute, actor): in the closing transaction (the look-back review is scheduled there).
    on_closed: list[Callable[[Dispute, User], None]] = field(default_factory=list)
    # A consent was withdrawn (in its transaction): partners that received the case are told.
    on_consent_withdrawn: list[Callable[[Consent], None]] = field(default_factory=list)
    # (name, a model with a `dispute`, or a queryset correlated with OuterRef("pk")): the lists
    # a case page's panels read, asked in the page's one query of which lists hold anything.
    case_lists: list[tuple[str, Any]] = field(default_factory=list)
    # (user, dispute, which lists hold anything) -> context for the case page's panels
    # (referrals, bundles, court...).
    case_panels: list[Callable[[User, Dispute, Mapping[str, bool]], dict[str, Any]]] = field(
        default_factory=list
    )
    # (user, class of problems) -> context for the class page's panels (its batch of bundles).
    class_panels: list[Callable[[User, Any], dict[str, Any]]] = field(default_factory=list)
    # A closed case's personal data is removed (mediation/privacy.py), in its transaction:
    # each layer above clears what it holds about the case (terms, notes, generated files).
    on_pseudonymised: list[Callable[[Dispute], None]] = field(default_factory=list)
    # dispute -> the clocks the layers above run on it (assignment, confirmation, court ...).
    case_clocks: list[Callable[[Dispute], list[Clock]]] = field(default_factory=list)
    # Actions on the dispute page, placed before the named action of mediation's own table.
    case_actions: list[tuple[str, dict[str, Action[Dispute]]]] = field(default_factory=list)
    # dispute ids -> what each customer obtained after the bank's decision, by agreement or
    # award (a decision overturned later counts in the reply toolkit's reversal rates).
    later_amounts: list[Callable[[list[int]], dict[int, Decimal]]] = field(default_factory=list)
    # (branch id or None for all, first day, last day) -> the turnaround of what courts and
    # arbitral bodies decided in those days (the management figures).
    turnarounds: list[Callable[[int | None, date, date], list[Turnaround]]] = field(
        default_factory=list
    )


registry = _Registry()


def register(kind: str, *entries: Any) -> None:
    """Add entries to one of the registry's lists (`register("on_closed", fn)`), each once:
    Django may call an AppConfig's ready() more than once."""
    target: list[Any] = getattr(registry, kind)
    for entry in entries:
        if entry not in target:
            target.append(entry)


def partner_cases(organisation_id: int | None) -> Q:
    """The disputes sent to this organisation, by every rule registered (none: no dispute)."""
    condition = Q(pk__in=[])
    if organisation_id is None:
        return condition
    for rule in registry.partner_cases:
        condition |= rule(organisation_id)
    return condition


def customer_concluded(dispute: Dispute) -> bool:
    return any(rule(dispute) for rule in registry.customer_concluded)


def dispute_closed(dispute: Dispute, actor: User) -> None:
    for hook in registry.on_closed:
        hook(dispute, actor)


def consent_withdrawn(consent: Consent) -> None:
    for hook in registry.on_consent_withdrawn:
        hook(consent)


def case_clocks(dispute: Dispute) -> list[Clock]:
    return [clock for rule in registry.case_clocks for clock in rule(dispute)]


def case_lists() -> dict[str, Any]:
    """The lists the registered panels read, for `mediation.selectors.case_holds`."""
    return dict(registry.case_lists)


def case_panels(user: User, dispute: Dispute, holds: Mapping[str, bool]) -> dict[str, Any]:
    """Each registered panel's context; `holds` says which of `case_lists()` hold anything
    (a panel reads only those)."""
    context: dict[str, Any] = {}
    for panel in registry.case_panels:
        context.update(panel(user, dispute, holds))
    return context


def class_panels(user: User, problem: Any) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for panel in registry.class_panels:
        context.update(panel(user, problem))
    return context


def case_actions[T](own: dict[str, T]) -> dict[str, T]:
    """mediation's own action table with the registered actions placed where they belong."""
    actions = dict(own)
    for before, extra in registry.case_actions:
        names = list(actions)
        at = names.index(before) if before in names else len(names)
        actions = {
            **{n: actions[n] for n in names[:at]},
            **extra,  # type: ignore[dict-item]
            **{n: actions[n] for n in names[at:]},
        }
    return actions


def later_amounts(dispute_ids: list[int]) -> dict[int, Decimal]:
    """The largest amount each case obtained later by agreement or award (none: absent)."""
    out: dict[int, Decimal] = {}
    for rule in registry.later_amounts:
        for pk, amount in rule(dispute_ids).items():
            out[pk] = max(amount, out.get(pk, amount))
    return out


def turnarounds(branch_id: int | None, first: date, last: date) -> list[Turnaround]:
    return [t for rule in registry.turnarounds for t in rule(branch_id, first, last)]
