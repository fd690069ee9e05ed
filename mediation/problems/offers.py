"""A member's offer: what the customer reads, accepts as a binding act (portal/binding.py) or
declines. Accepting settles their cases in the class (the primary and its repeats: one answer
for all); declining leaves the complaint where it was, with every route still open."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.lifecycle import SETTLEABLE_STATES
from mediation.models import Dispute
from mediation.services import dispute_settle
from portal import binding
from portal.access import is_customer
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.models import User
from portal.waiting import Waiting

from . import access
from .models import ClassMember, OfferStatus


def settled_cases(member: ClassMember) -> list[Dispute]:
    """The person's cases this offer answers: the primary and its repeats still open."""
    primary = member.dispute
    repeats = list(primary.repeats.filter(status__in=SETTLEABLE_STATES).order_by("received_at"))
    return ([primary] if primary.status in SETTLEABLE_STATES else []) + repeats


def offer_act_text(member: ClassMember) -> binding.ActText:
    problem = member.problem_class
    assert member.offer is not None and problem.share is not None
    advanced = member.advanced()
    rule = _("%(share)s%% of the loss") % {"share": f"{problem.share.normalize():f}"}
    if problem.cap is not None:
        rule += _(", at most %(cap)s yuan") % {"cap": f"{problem.cap:,.2f}"}
    refs = "、".join(d.reference for d in settled_cases(member)) or member.dispute.reference
    lines = [
        (_("Offered by"), _("the bank, for the class of problems “%(t)s”") % {"t": problem.title}),
        (_("Why the bank pays"), problem.characterisation),
        (
            _("Articles relied on"),
            "；".join(a.citation for a in problem.citations.all()),
        ),
        (_("Your loss"), f"{member.loss:,.2f} {_('yuan')}"),
        (_("The rule"), rule),
        (_("Offer"), f"{member.offer:,.2f} {_('yuan')}（{binding.rmb_upper(member.offer)}）"),
        (_("Already paid in advance"), f"{advanced:,.2f} {_('yuan')}"),
        (_("Still to be paid"), f"{member.offer - advanced:,.2f} {_('yuan')}"),
        (_("Complaints this settles"), refs),
    ]
    return binding.ActText(
        kind="offer.accept",
        title=_("Accept the bank's settlement offer, case %(ref)s")
        % {"ref": member.dispute.reference},
        case_ref=member.dispute.reference,
        lines=lines,
        gives_up=[
            _(
                "the complaints listed are settled and closed: the bank pays the offer, less "
                "what it paid in advance;"
            ),
            _(
                "you claim nothing more from the bank for this loss, in mediation, arbitration "
                "or court;"
            ),
            _("if the bank does not pay, this settlement is your claim against it."),
        ],
    )


@transaction.atomic
def offer_accept(
    *, actor: User, member_id: int, proof: binding.Reauthenticated | None, shown_sha256: str
) -> ClassMember:
    """The customer accepts: a binding act, sealed; their cases in the class close as settled
    (each a `settle` transition, with the look-back review scheduled)."""
    binding.check_proof(proof, actor)
    assert proof is not None
    member = access.offer_get_for(actor, member_id, for_update=True)
    if member.offer_status != OfferStatus.SENT:
        raise ApplicationError(_("This offer is not open: it was answered or not made."))
    cases = settled_cases(member)
    if not cases:
        raise ApplicationError(
            _("Your complaint is no longer with the bank: it is settled where it now is.")
        )
    act = binding.record(
        actor=actor,
        act=offer_act_text(member),
        target=member,
        proof=proof,
        shown_sha256=shown_sha256,
    )
    member.offer_status, member.answered_at, member.act = OfferStatus.ACCEPTED, timezone.now(), act
    member.save(update_fields=["offer_status", "answered_at", "act"])
    note = _("Offer of %(amount)s yuan accepted (class “%(t)s”).") % {
        "amount": f"{member.offer:,.2f}",
        "t": member.problem_class.title,
    }
    for dispute in cases:
        dispute_settle(actor=actor, reference=dispute.reference, note=note)
    return member


@transaction.atomic
def offer_decline(*, actor: User, member_id: int, reason: str = "") -> ClassMember:
    """The customer declines: the complaint goes on as before (the bank's decision, mediation,
    arbitration or court all remain open)."""
    member = access.offer_get_for(actor, member_id, for_update=True)
    if member.offer_status != OfferStatus.SENT:
        raise ApplicationError(_("This offer is not open: it was answered or not made."))
    member.offer_status, member.answered_at = OfferStatus.DECLINED, timezone.now()
    member.save(update_fields=["offer_status", "answered_at"])
    audit_record(
        actor=actor,
        action="problem_class.offer_declined",
        target=member,
        case_ref=member.dispute.reference,
        reason=reason.strip(),
        data={"class": member.problem_class_id, "offer": str(member.offer)},
    )
    return member


def offers_of(user: User) -> list[ClassMember]:
    """The offers waiting for a customer's answer (their own cases, or as an agent)."""
    if not is_customer(user):
        return []
    mine = Q(dispute__customer=user) | Q(
        dispute__representatives__agent=user, dispute__representatives__revoked_at__isnull=True
    )
    members = (
        ClassMember.objects.filter(mine, offer_status=OfferStatus.SENT)
        .select_related("dispute", "dispute__customer", "problem_class")
        .distinct()
        .order_by("offer_sent_at", "pk")[:20]
    )
    return [m for m in members if access.can_answer_offer(user, m)]


def waiting_offers(user: User, today: date) -> list[Waiting]:
    return [
        Waiting(
            what=_("Answer the bank's offer of %(amount)s yuan") % {"amount": f"{m.offer:,.2f}"},
            case_ref=m.dispute.reference,
            url=reverse("problems:offer", args=[m.pk]),
            binding=True,
        )
        for m in offers_of(user)
    ]


# For the case page's one query of which lists hold anything: the case's own membership or,
# for a repeat complaint, its first complaint's.
CASE_LIST = (
    "class_members",
    ClassMember.objects.filter(Q(dispute=OuterRef("pk")) | Q(dispute=OuterRef("repeat_of"))),
)


def case_panel(user: User, dispute: Dispute, holds: Mapping[str, bool]) -> dict[str, Any]:
    """On the case page: the class the case is in (bank side) or the offer (its customer)."""
    from mediation.access import is_dispute_customer
    from portal.access import is_bank_side

    if not holds["class_members"]:
        return {}
    primary_id = dispute.repeat_of_id or dispute.pk
    member = (
        ClassMember.objects.filter(dispute_id=primary_id).select_related("problem_class").first()
    )
    if member is None:
        return {}
    if is_bank_side(user):
        return {"class_member": member, "class_for_bank": True}
    if is_dispute_customer(user, dispute) and member.offer_status in (
        OfferStatus.SENT,
        OfferStatus.ACCEPTED,
        OfferStatus.DECLINED,
    ):
        return {"class_member": member, "class_for_bank": False}
    return {}
