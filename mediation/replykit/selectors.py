"""Reads that do more than pass through to the ORM: a case's evidence against what the chosen
claim types need, and the articles to cite."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from mediation.models import Dispute, EvidenceItem
from portal.models import Role

from .models import ClaimPoint, ClaimType, EvidenceAsk, EvidenceNeed, StatuteArticle


@dataclass(frozen=True)
class ChecklistRow:
    need: EvidenceNeed
    state: str  # "present" | "asked" | "missing"
    items: list[str]  # titles of the evidence on the case that meets it


def claim_types_with_kit(codes: list[str] | None = None) -> list[ClaimType]:
    """Claim types with their points (and articles) and evidence needs, in four queries."""
    qs = ClaimType.objects.prefetch_related(
        Prefetch(
            "points",
            queryset=ClaimPoint.objects.prefetch_related(
                Prefetch("articles", queryset=StatuteArticle.objects.order_by("short", "number"))
            ),
        ),
        "needs",
    )
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return list(qs)


def evidence_checklist(dispute: Dispute, claim_types: list[ClaimType]) -> list[ChecklistRow]:
    """Each need of each claim type, met when the case holds evidence of one of its categories
    from that side (the customer or an agent for the customer's side, bank staff for the
    bank's); otherwise asked for, or missing."""
    held: dict[tuple[str, str], list[str]] = {}
    for title, category, role in EvidenceItem.objects.filter(dispute=dispute).values_list(
        "title", "category", "uploaded_by__role"
    ):
        side = "customer" if role == Role.CUSTOMER else "bank" if role == Role.STAFF else ""
        held.setdefault((side, category), []).append(title)
    asked = set(EvidenceAsk.objects.filter(dispute=dispute).values_list("need_id", flat=True))
    rows = []
    for claim_type in claim_types:
        for need in claim_type.needs.all():
            items = [t for c in need.categories for t in held.get((need.side, c), [])]
            state = "present" if items else "asked" if need.pk in asked else "missing"
            rows.append(ChecklistRow(need, state, items))
    return rows


def articles_of(claim_types: list[ClaimType]) -> list[StatuteArticle]:
    """The articles the chosen claim types rest on, each once, for the citation helper."""
    seen: dict[int, StatuteArticle] = {}
    for claim_type in claim_types:
        for point in claim_type.points.all():
            for article in point.articles.all():
                seen.setdefault(article.pk, article)
    return sorted(seen.values(), key=lambda a: (a.short, a.number))
