"""Repeat complaints: the same person about the same matter, through any channel, is one case
with one reply, and is counted once (DESIGN.md 3, "counting repeat complaints": the
regulator's quarterly circulars since 2022; seed 3.3: one customer complaining in three places
gets three replies).

The rule, applied when a complaint is filed:
- the same person: the same customer account, the same resident ID number on file, or the
  same account or card number given in the complaint;
- the same matter: the same contract number where both name one; otherwise the same product
  code where both name one; otherwise the same product category, neither naming a product;
- within REPEAT_WINDOW before it (a quarter: the period the regulator's circulars count over).
The new complaint is linked to the earliest such case that is not itself a repeat (the
primary). Staff confirm the link, undo it, or link two cases the rule missed; the customer
sees a link once staff have confirmed it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.models import Dispute
from portal.access import refuse
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.models import User

REPEAT_WINDOW = timedelta(days=91)


def same_person(dispute: Dispute) -> Q:
    person = Q(customer_id=dispute.customer_id)
    if dispute.customer.id_number:
        person |= Q(customer__id_number=dispute.customer.id_number)
    if dispute.account_number:
        person |= Q(account_number=dispute.account_number)
    return person


def same_matter(dispute: Dispute) -> Q:
    if dispute.contract_number:
        return Q(contract_number=dispute.contract_number)
    if dispute.product_code:
        return Q(product_code=dispute.product_code)
    return Q(category=dispute.category, product_code="", contract_number="")


def primary_for(dispute: Dispute) -> Dispute | None:
    """The case a newly filed complaint repeats, by the rule above; None: it is new."""
    return (
        Dispute.objects.people()
        .filter(same_person(dispute), same_matter(dispute))
        .filter(
            received_at__gte=dispute.received_at - REPEAT_WINDOW,
            received_at__lte=dispute.received_at,
        )
        .exclude(pk=dispute.pk)
        .order_by("received_at", "pk")
        .first()
    )


def repeat_link_on_intake(dispute: Dispute) -> Dispute | None:
    """In the filing service's transaction: link the new complaint to its primary, if any."""
    primary = primary_for(dispute)
    if primary is None:
        return None
    dispute.repeat_of = primary
    dispute.save(update_fields=["repeat_of", "updated_at"])
    audit_record(
        actor=None,
        action="dispute.repeat_linked",
        target=dispute,
        case_ref=dispute.reference,
        data={"primary": primary.reference, "by": "rule"},
    )
    return primary


def _check(actor: User, dispute: Dispute) -> None:
    if not dispute_access.can_link_repeats(actor, dispute):
        raise refuse(actor, "dispute", dispute.reference)


@transaction.atomic
def repeat_confirm(*, actor: User, reference: str) -> Dispute:
    """Staff confirm the link the rule made: from now on the customer sees it too."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    _check(actor, dispute)
    if dispute.repeat_of_id is None:
        raise ApplicationError(_("This case is not linked to another."))
    if dispute.repeat_confirmed_at is not None:
        raise ApplicationError(_("The link is already confirmed."))
    dispute.repeat_confirmed_at = timezone.now()
    dispute.save(update_fields=["repeat_confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="dispute.repeat_confirmed",
        target=dispute,
        case_ref=dispute.reference,
        data={"primary": dispute.repeat_of.reference if dispute.repeat_of else ""},
    )
    return dispute


@transaction.atomic
def repeat_undo(*, actor: User, reference: str, reason: str) -> Dispute:
    """Staff undo a link (another matter after all): the case stands, and counts, alone."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    _check(actor, dispute)
    if dispute.repeat_of_id is None:
        raise ApplicationError(_("This case is not linked to another."))
    if not reason.strip():
        raise ApplicationError(_("Say why these are different matters."))
    primary = dispute.repeat_of
    dispute.repeat_of, dispute.repeat_confirmed_at = None, None
    dispute.save(update_fields=["repeat_of", "repeat_confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="dispute.repeat_undone",
        target=dispute,
        case_ref=dispute.reference,
        reason=reason.strip(),
        data={"primary": primary.reference if primary else ""},
    )
    return dispute


@transaction.atomic
def repeat_link(*, actor: User, reference: str, primary_reference: str) -> Dispute:
    """Staff link a case to the same person's case about the same matter that the rule did
    not find (another contract number for the same loss, say): confirmed at once."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    _check(actor, dispute)
    primary = dispute_access.dispute_get_for(actor, primary_reference.strip().upper())
    _check(actor, primary)
    if primary.repeat_of_id is not None:
        primary = primary.repeat_of  # type: ignore[assignment]
        assert primary is not None
    if primary.pk == dispute.pk:
        raise ApplicationError(_("A case cannot repeat itself."))
    if dispute.repeats.exists():
        raise ApplicationError(
            _("Other complaints repeat this one: link them to the other case first.")
        )
    if not Dispute.objects.filter(pk=primary.pk).filter(same_person(dispute)).exists():
        raise ApplicationError(_("Only the same person's complaints are linked."))
    dispute.repeat_of, dispute.repeat_confirmed_at = primary, timezone.now()
    dispute.save(update_fields=["repeat_of", "repeat_confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="dispute.repeat_linked",
        target=dispute,
        case_ref=dispute.reference,
        data={"primary": primary.reference, "by": "staff"},
    )
    return dispute
