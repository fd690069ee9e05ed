"""Triage labels suggested from the complaint's words (issue 22, 6; seed 4.2: day 1 of 1357 sets
the legal cause and the urgency).

The rule table (`TriageRule`, kept by administrators in the admin) is read top to bottom: the
first active rule whose keywords name a legal cause and one of whose keywords appears in the
complaint (its facts, request and product name) suggests that cause; likewise the first whose
keywords name an urgency suggests it. Nothing is learnt and nothing is hidden: the rule that
matched and the word it found are shown beside the suggestion, staff confirm or change it, and
each rule's hit rate against staff's final labels is shown in the admin (`hit_rates`).

Legal causes are keyed on their names in 《民事案件案由规定》 (`data/case-causes.yaml`; its
numbers are unverified and never used).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

if TYPE_CHECKING:
    from mediation.models import Dispute, TriageRule

CAUSES_FILE = Path(__file__).resolve().parent / "data" / "case-causes.yaml"
KEYWORD_SEPARATOR = "|"


@cache
def case_causes() -> tuple[str, ...]:
    """Every cause and sub-cause name in the file, in its order."""
    data = yaml.safe_load(CAUSES_FILE.read_text(encoding="utf-8"))
    names: list[str] = []
    for cause in data["causes"]:
        names.append(cause["name"])
        names += [sub["name"] for sub in cause.get("sub_causes") or []]
    return tuple(names)


def keywords(text: str) -> list[str]:
    return [k.strip() for k in text.split(KEYWORD_SEPARATOR) if k.strip()]


@dataclass(frozen=True)
class Suggestion:
    cause: str
    cause_rule: TriageRule | None
    cause_word: str
    urgency: str
    urgency_rule: TriageRule | None
    urgency_word: str


def _first(rules: list[TriageRule], text: str) -> tuple[TriageRule | None, str]:
    for rule in rules:
        for word in keywords(rule.keywords):
            if word in text:
                return rule, word
    return None, ""


def suggest(text: str) -> Suggestion:
    from mediation.models import TriageRule

    rules = list(TriageRule.objects.filter(active=True).order_by("position", "pk"))
    cause_rule, cause_word = _first([r for r in rules if r.cause], text)
    urgency_rule, urgency_word = _first([r for r in rules if r.urgency], text)
    return Suggestion(
        cause=cause_rule.cause if cause_rule else "",
        cause_rule=cause_rule,
        cause_word=cause_word,
        urgency=urgency_rule.urgency if urgency_rule else "",
        urgency_rule=urgency_rule,
        urgency_word=urgency_word,
    )


def complaint_text(dispute: Dispute) -> str:
    return "\n".join((dispute.facts, dispute.request, dispute.product_name))


def suggest_on_intake(dispute: Dispute) -> None:
    """Before the new complaint is saved: record what the table suggests, so that the hit rate
    compares the suggestion made then with the label staff gave."""
    found = suggest(complaint_text(dispute))
    dispute.suggested_cause, dispute.suggested_cause_rule = found.cause, found.cause_rule
    dispute.suggested_urgency = found.urgency


@dataclass(frozen=True)
class HitRate:
    labelled: int  # cases staff labelled that had a suggestion
    kept: int  # of those, labelled as suggested

    @property
    def rate(self) -> float | None:
        return self.kept / self.labelled if self.labelled else None


def _labelled() -> QuerySet[Dispute]:
    """Cases staff labelled that had a cause suggested when filed."""
    from mediation.models import Dispute

    return Dispute.objects.exclude(suggested_cause="").exclude(cause_label="")


KEPT = Q(cause_label=F("suggested_cause"))


def _hits(labelled: QuerySet[Dispute], kept: Q) -> HitRate:
    total = labelled.aggregate(n=Count("pk"), k=Count("pk", filter=kept))
    return HitRate(total["n"], total["k"])


def hit_rate() -> HitRate:
    """The causes suggested against staff's final labels, over the whole table."""
    return _hits(_labelled(), KEPT)


def urgency_hit_rate() -> HitRate:
    """The urgencies suggested against staff's final urgency."""
    from mediation.models import Dispute

    labelled = Dispute.objects.exclude(suggested_urgency="").exclude(urgency="")
    return _hits(labelled, Q(urgency=F("suggested_urgency")))


def with_hit_rates(rules: QuerySet[TriageRule]) -> QuerySet[TriageRule]:
    """Each rule with `labelled` and `kept`: the same counts, for the cases it suggested."""
    mine = _labelled().filter(suggested_cause_rule=OuterRef("pk"))

    def count(qs: QuerySet[Dispute]) -> Coalesce:
        counted = qs.values("suggested_cause_rule").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted), 0)

    return rules.annotate(labelled=count(mine), kept=count(mine.filter(KEPT)))
