"""Writes for classes of problems (STYLE.md 1, 4): opening a class from a hot spot or a
selection of cases, settling its rule, sending the offers, recording advance payments and
rectification, closing it. Every step is audited; the customer's answer is in offers.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.lifecycle import SETTLEABLE_STATES
from mediation.models import Dispute, Product
from mediation.replykit.models import StatuteArticle
from portal.access import refuse
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.models import User
from portal.notifications import notify_after_commit
from portal.transitions import ActionForbidden, run_transition

from . import access
from .lifecycle import ClassStatus, has_rule
from .models import (
    AdvancePayment,
    ClassMember,
    Eligibility,
    OfferStatus,
    ProblemClass,
    RectificationAction,
    RectificationKind,
)

# How many cases one class may hold: the seed's worked case is 568; a class ten times larger
# is better split by product or branch.
MAX_MEMBERS = 10_000


def _may_manage(actor: User) -> None:
    if not access.can_manage_class(actor):
        raise ActionForbidden(_("Head office runs classes of problems."))


def _mismatch(dispute: Dispute, levels: dict[str, int | None]) -> bool | None:
    level = levels.get(dispute.product_code)
    if level is None or dispute.risk_rating_at_sale is None:
        return None
    return dispute.risk_rating_at_sale < level


def _add(problem: ProblemClass, disputes: Iterable[Dispute], actor: User) -> tuple[int, int]:
    """Each case's person once, by their primary case; a case already in a class is left
    where it is. Returns (people added, cases left out)."""
    primaries: dict[int, Dispute] = {}
    for d in disputes:
        primary = d.repeat_of or d
        primaries.setdefault(primary.pk, primary)
    taken = set(
        ClassMember.objects.filter(dispute_id__in=primaries).values_list("dispute_id", flat=True)
    )
    fresh = [d for pk, d in primaries.items() if pk not in taken]
    if problem.members.count() + len(fresh) > MAX_MEMBERS:
        raise ApplicationError(
            _("A class holds at most %(n)s people: split it by product or branch.")
            % {"n": f"{MAX_MEMBERS:,}"}
        )
    codes = {d.product_code for d in fresh if d.product_code}
    levels = dict(Product.objects.filter(code__in=codes).values_list("code", "risk_level"))
    ClassMember.objects.bulk_create(
        ClassMember(
            problem_class=problem,
            dispute=d,
            loss=d.amount,
            suitability_mismatch=_mismatch(d, levels),
            added_by=actor,
        )
        for d in fresh
    )
    return len(fresh), len(primaries) - len(fresh)


def _disputes(actor: User, references: Iterable[str]) -> list[Dispute]:
    from mediation.access import disputes_visible_to

    refs = sorted({r.strip().upper() for r in references if r.strip()})
    found = list(disputes_visible_to(actor).filter(reference__in=refs).select_related("repeat_of"))
    missing = sorted(set(refs) - {d.reference for d in found})
    if missing:
        raise ApplicationError(
            _("No case of yours has the reference %(refs)s.") % {"refs": "、".join(missing[:5])}
        )
    return found


@transaction.atomic
def class_open(
    *,
    actor: User,
    title: str,
    hotspot_id: int | None = None,
    references: Iterable[str] = (),
) -> ProblemClass:
    """Open a class from a hot spot (its cases) or from a selection of cases."""
    _may_manage(actor)
    if not title.strip():
        raise ApplicationError(_("Give the class a title."))
    spot = None
    if hotspot_id is not None:
        from mediation.insight.access import hotspot_get_for
        from mediation.insight.hotspots import disputes_behind

        spot = hotspot_get_for(actor, hotspot_id)
        disputes = list(disputes_behind(spot).select_related("repeat_of"))
    else:
        disputes = _disputes(actor, references)
    if not disputes:
        raise ApplicationError(_("Choose the cases the class holds."))
    products = Counter(d.product_code for d in disputes if d.product_code)
    categories = Counter(d.category for d in disputes)
    problem = ProblemClass.objects.create(
        title=title.strip(),
        hotspot=spot,
        product_code=products.most_common(1)[0][0] if products else "",
        category=categories.most_common(1)[0][0],
        opened_by=actor,
    )
    added, left = _add(problem, disputes, actor)
    audit_record(
        actor=actor,
        action="problem_class.opened",
        target=problem,
        case_ref="",
        data={"title": problem.title, "people": added, "left_out": left, "hotspot": hotspot_id},
    )
    return problem


def _lock(actor: User, class_id: int) -> ProblemClass:
    problem = access.class_get_for(actor, class_id, for_update=True)
    _may_manage(actor)
    return problem


@transaction.atomic
def class_add_cases(*, actor: User, class_id: int, references: Iterable[str]) -> tuple[int, int]:
    problem = _lock(actor, class_id)
    if problem.status == ClassStatus.CLOSED:
        raise ApplicationError(_("The class is closed."))
    added, left = _add(problem, _disputes(actor, references), actor)
    audit_record(
        actor=actor,
        action="problem_class.cases_added",
        target=problem,
        case_ref="",
        data={"people": added, "left_out": left},
    )
    return added, left


@transaction.atomic
def class_set_rule(
    *,
    actor: User,
    class_id: int,
    root_cause: str,
    characterisation: str,
    citation_tokens: Iterable[str],
    share: Decimal,
    cap: Decimal | None,
    eligibility: str,
) -> ProblemClass:
    """The root cause, the legal characterisation with the articles it rests on, and the
    compensation rule. Fixed once offers go: a member's offer never changes under them."""
    problem = _lock(actor, class_id)
    if problem.status != ClassStatus.OPEN:
        raise ApplicationError(_("Offers were sent under this rule: it can no longer change."))
    if not characterisation.strip():
        raise ApplicationError(_("State the legal characterisation."))
    if not Decimal(0) < share <= Decimal(100):
        raise ApplicationError(_("The share is a percentage above 0 and at most 100."))
    if cap is not None and cap <= 0:
        raise ApplicationError(_("The cap, if any, is above 0."))
    if eligibility not in Eligibility.values:
        raise ApplicationError(_("Choose who is offered."))
    tokens = sorted({t.strip().replace("：", ":") for t in citation_tokens if t.strip()})
    articles = []
    unknown = []
    for token in tokens:
        short, _sep, number = token.partition(":")
        article = (
            StatuteArticle.objects.filter(
                short=short.strip(),
                number=int(number) if number.strip().isdigit() and len(number.strip()) <= 6 else -1,
            )
            .filter(superseded_at__isnull=True)
            .first()
        )
        if article is None:
            unknown.append(token)
        else:
            articles.append(article)
    if unknown:
        raise ApplicationError(
            _("The library has no article in force cited as %(tokens)s (write 民法典:577).")
            % {"tokens": "、".join(unknown)}
        )
    if not articles:
        raise ApplicationError(_("Cite at least one article the characterisation rests on."))
    problem.root_cause = root_cause.strip()
    problem.characterisation = characterisation.strip()
    problem.share, problem.cap, problem.eligibility = share, cap, eligibility
    problem.save()
    problem.citations.set(articles)
    audit_record(
        actor=actor,
        action="problem_class.rule_set",
        target=problem,
        case_ref="",
        data={
            "share": str(share),
            "cap": str(cap) if cap is not None else None,
            "eligibility": eligibility,
            "citations": tokens,
        },
    )
    return problem


def _why_not(problem: ProblemClass, member: ClassMember) -> str:
    if problem.eligibility == Eligibility.MISMATCH and member.suitability_mismatch is not True:
        return _("Not sold a product above their risk rating (the class's rule).")
    if member.dispute.status not in SETTLEABLE_STATES:
        return _("The case is %(state)s: settled there, not by this offer.") % {
            "state": member.dispute.get_status_display()
        }
    return ""


@transaction.atomic
def class_send_offers(*, actor: User, class_id: int) -> tuple[int, int]:
    """Each member not yet offered gets their own offer under the rule, told by a notice
    with a link to it; members the rule leaves out, or whose case a centre, a commission or a
    court now holds, are marked with the reason. Returns (offered, not offered)."""
    problem = _lock(actor, class_id)
    if problem.status == ClassStatus.OPEN:
        if not has_rule(problem):
            raise ApplicationError(_("Record the compensation rule first: offers follow it."))
        now = timezone.now()

        def started(p: ProblemClass) -> None:
            p.offers_started_at = now

        run_transition(problem, "start_offers", actor=actor, before=started)
    elif problem.status != ClassStatus.OFFERING:
        raise ApplicationError(_("The class is closed."))
    members = list(
        problem.members.filter(offer_status=OfferStatus.PENDING)
        .select_related("dispute", "dispute__customer")
        .select_for_update(of=("self",))
    )
    now = timezone.now()
    offered = []
    for m in members:
        why = _why_not(problem, m)
        if why:
            m.offer_status, m.offer_note = OfferStatus.NOT_ELIGIBLE, why
            continue
        m.offer = problem.offer_for(m.loss)
        m.offer_status, m.offer_sent_at = OfferStatus.SENT, now
        offered.append(m)
    ClassMember.objects.bulk_update(
        members, ["offer", "offer_status", "offer_note", "offer_sent_at"]
    )
    for m in offered:
        audit_record(
            actor=actor,
            action="problem_class.offer_sent",
            target=m,
            case_ref=m.dispute.reference,
            data={"class": problem.pk, "loss": str(m.loss), "offer": str(m.offer)},
        )
        notify_after_commit(
            "class_offer",
            recipients=[m.dispute.customer],
            case_ref=m.dispute.reference,
            url=m_url(m),
            params={"ref": m.dispute.reference, "amount": f"{m.offer:,.2f}"},
        )
    audit_record(
        actor=actor,
        action="problem_class.offers_sent",
        target=problem,
        case_ref="",
        data={"offered": len(offered), "not_offered": len(members) - len(offered)},
    )
    return len(offered), len(members) - len(offered)


def m_url(member: ClassMember) -> str:
    from django.urls import reverse

    return reverse("problems:offer", args=[member.pk])


def member_by_reference(*, actor: User, class_id: int, reference: str) -> ClassMember:
    """The member whose case (or one of whose repeat complaints) has this reference."""
    problem = access.class_get_for(actor, class_id)
    ref = reference.strip().upper()
    member = (
        problem.members.filter(Q(dispute__reference=ref) | Q(dispute__repeats__reference=ref))
        .distinct()
        .first()
    )
    if member is None:
        raise ApplicationError(_("No member of this class has the case %(ref)s.") % {"ref": ref})
    return member


@transaction.atomic
def advance_record(
    *,
    actor: User,
    class_id: int,
    member_id: int,
    amount: Decimal,
    paid_on: date,
    payment_reference: str = "",
) -> AdvancePayment:
    """Money paid ahead of the settlement (seed 5: so that it reached customers T+1). The
    advances together never exceed the offer (or, before one, the loss)."""
    problem = _lock(actor, class_id)
    member = (
        ClassMember.objects.select_for_update().filter(problem_class=problem, pk=member_id).first()
    )
    if member is None:
        raise refuse(actor, "class_member", member_id)
    if amount <= 0:
        raise ApplicationError(_("The amount paid is above 0."))
    if paid_on > timezone.localdate():
        raise ApplicationError(
            _("A payment is recorded once made: the date cannot be later than today.")
        )
    if member.offer_status in (OfferStatus.DECLINED, OfferStatus.NOT_ELIGIBLE):
        raise ApplicationError(_("No advance to a member without an offer standing."))
    ceiling = member.offer if member.offer is not None else member.loss
    if member.advanced() + amount > ceiling:
        raise ApplicationError(
            _("Advances would exceed %(c)s yuan (the offer, or the loss before one).")
            % {"c": f"{ceiling:,.2f}"}
        )
    payment = AdvancePayment.objects.create(
        member=member,
        amount=amount,
        paid_on=paid_on,
        payment_reference=payment_reference.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="problem_class.advance_paid",
        target=payment,
        case_ref=member.dispute.reference,
        data={"class": problem.pk, "amount": str(amount), "paid_on": paid_on.isoformat()},
    )
    return payment


@transaction.atomic
def rectification_add(
    *,
    actor: User,
    class_id: int,
    kind: str,
    description: str,
    staff_named: str = "",
    measure: str = "",
    due: date | None = None,
) -> RectificationAction:
    problem = _lock(actor, class_id)
    if kind not in RectificationKind.values:
        raise ApplicationError(_("Choose the kind of action."))
    if not description.strip():
        raise ApplicationError(_("Say what is done."))
    if kind == RectificationKind.ACCOUNTABILITY and not (staff_named.strip() and measure.strip()):
        raise ApplicationError(_("Holding staff to account names them and the measure taken."))
    action = RectificationAction.objects.create(
        problem_class=problem,
        kind=kind,
        description=description.strip(),
        staff_named=staff_named.strip(),
        measure=measure.strip(),
        due=due,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="problem_class.rectification_added",
        target=action,
        case_ref="",
        data={"class": problem.pk, "kind": kind},
    )
    return action


@transaction.atomic
def rectification_done(
    *, actor: User, class_id: int, action_id: int, note: str
) -> RectificationAction:
    problem = _lock(actor, class_id)
    action = problem.rectifications.select_for_update().filter(pk=action_id).first()
    if action is None:
        raise refuse(actor, "rectification", action_id)
    if action.done_at is not None:
        raise ApplicationError(_("Already marked done."))
    if not note.strip():
        raise ApplicationError(
            _("Say how it was done (the clause's new text, the change, the measure).")
        )
    action.done_at, action.done_note = timezone.now(), note.strip()
    action.save(update_fields=["done_at", "done_note"])
    audit_record(
        actor=actor,
        action="problem_class.rectification_done",
        target=action,
        case_ref="",
        data={"class": problem.pk, "kind": action.kind},
    )
    return action


@transaction.atomic
def class_close(*, actor: User, class_id: int, outcome: str) -> ProblemClass:
    problem = _lock(actor, class_id)
    if not outcome.strip():
        raise ApplicationError(_("Say how the class ended."))
    waiting = problem.members.filter(offer_status=OfferStatus.SENT).count()
    if waiting:
        raise ApplicationError(
            _("%(n)s offers still wait for the customer's answer: close the class after them.")
            % {"n": waiting}
        )

    def record(p: ProblemClass) -> None:
        p.outcome, p.closed_at = outcome.strip(), timezone.now()

    return run_transition(problem, "close", actor=actor, before=record, reason=outcome.strip())
