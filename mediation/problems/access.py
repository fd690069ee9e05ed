"""Who sees and works a class of problems, and who answers an offer (STYLE.md 7).

Head office opens and runs a class (it crosses branches, and its rule binds the bank);
auditors read every class; a branch's staff read the classes that hold their branch's cases.
A customer sees only their own offer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef

from mediation.access import ALL_BRANCHES, figures_branch, is_dispute_customer
from portal.access import is_head_office_staff, refuse, visible_or_404

from .models import ClassMember, ProblemClass

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portal.models import User


def may_see_classes(user: User) -> bool:
    """Bank staff and auditors; customers and partners never see the classes' pages."""
    return figures_branch(user) is not None


def may_see_linked(user: User) -> bool:
    """Linked complainants cross branches: head office and auditors read them."""
    return figures_branch(user) == ALL_BRANCHES


def classes_visible_to(user: User) -> QuerySet[ProblemClass]:
    branch = figures_branch(user)
    if branch is None:
        return ProblemClass.objects.none()
    if branch == ALL_BRANCHES:
        return ProblemClass.objects.all()
    ours = ClassMember.objects.filter(problem_class=OuterRef("pk"), dispute__branch_id=branch)
    return ProblemClass.objects.filter(Exists(ours))


def can_manage_class(user: User, problem: ProblemClass | None = None) -> bool:
    """Head office staff open a class, settle its rule, send its offers, record payments and
    rectification, close it."""
    return is_head_office_staff(user)


def class_get_for(user: User, pk: int, *, for_update: bool = False) -> ProblemClass:
    return visible_or_404(
        user,
        classes_visible_to(user).select_related("hotspot", "opened_by"),
        "problem_class",
        pk,
        lambda _c: True,
        for_update=for_update,
        pk=pk,
    )


def can_answer_offer(user: User, member: ClassMember) -> bool:
    """The customer (or their authorised agent) answers the offer made on their case."""
    return is_dispute_customer(user, member.dispute)


def offer_get_for(user: User, pk: int, *, for_update: bool = False) -> ClassMember:
    """A member's offer, for its customer only: anyone else gets the 404 of a missing one."""
    return visible_or_404(
        user,
        ClassMember.objects.select_related("problem_class", "dispute", "dispute__customer"),
        "class_offer",
        pk,
        lambda m: can_answer_offer(user, m),
        for_update=for_update,
        pk=pk,
    )


def member_get_for(user: User, problem: ProblemClass, pk: int) -> ClassMember:
    member = (
        ClassMember.objects.select_related("dispute", "dispute__customer")
        .filter(problem_class=problem, pk=pk)
        .first()
    )
    if member is None:
        raise refuse(user, "class_member", pk)
    return member
