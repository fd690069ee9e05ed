"""The statute library and claim types: loading them from the files in `data/`, reading the
citations in a text, and filling a reply's templates from a case.

A citation is written [[short:number]] ([[民法典:577]], [[九民纪要:72]]): short as in the
library, number the article's (or the paragraph's). Every citation must name an article in
force in the library; a letter prints the article's title and number where the token stood,
with a footnote, and its verbatim text in an annex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Q
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError

from .models import ClaimPoint, ClaimType, EvidenceNeed, ReplyFrame, StatuteArticle

DATA = Path(__file__).resolve().parent / "data"
TOKEN = re.compile(r"\[\[\s*([^\[\]:：]+?)\s*[:：]\s*(\d+)\s*\]\]")
# A blank staff must fill in before the reply can be sent.
BLANK = re.compile(r"【待填[:：][^】]*】")

# The names a template may use (all plain strings), filled from the case.
TEMPLATE_NAMES = (
    "customer_name",
    "reference",
    "received_on",
    "request",
    "product",
    "branch",
    "outcome",
    "granted_amount",
    "granted_words",
    "review_outcome",
    "review_asked_on",
    "decision_on",
    "reasoning",
)

# Plain text in, plain text out: nothing is HTML-escaped (letters and pages escape on output).
_ENGINE = Engine(autoescape=False)


def tokens_in(text: str) -> list[tuple[str, int]]:
    """The citations in a text, in the order of their first appearance, each once."""
    seen: dict[tuple[str, int], None] = {}
    for m in TOKEN.finditer(text):
        seen.setdefault((m.group(1).strip(), int(m.group(2))), None)
    return list(seen)


def articles_for(keys: list[tuple[str, int]]) -> dict[tuple[str, int], StatuteArticle]:
    """The articles in force for these citations, in one query."""
    if not keys:
        return {}
    condition = Q()
    for short, number in keys:
        condition |= Q(short=short, number=number)
    found = StatuteArticle.objects.filter(condition, superseded_at__isnull=True)
    return {(a.short, a.number): a for a in found}


@dataclass(frozen=True)
class Citations:
    articles: list[StatuteArticle]  # in the order the text first cites them
    unknown: list[str]  # tokens that name no article in force

    def number_of(self, short: str, number: int) -> int | None:
        for i, a in enumerate(self.articles, start=1):
            if (a.short, a.number) == (short, number):
                return i
        return None


def read_citations(text: str) -> Citations:
    keys = tokens_in(text)
    found = articles_for(keys)
    return Citations(
        articles=[found[k] for k in keys if k in found],
        unknown=[f"[[{s}:{n}]]" for s, n in keys if (s, n) not in found],
    )


def plain(text: str, citations: Citations) -> str:
    """The text as a reader sees it: each citation replaced by the article's title and number."""

    def name(m: re.Match[str]) -> str:
        key = (m.group(1).strip(), int(m.group(2)))
        for a in citations.articles:
            if (a.short, a.number) == key:
                return a.citation
        return m.group(0)

    return TOKEN.sub(name, text)


def blanks_in(text: str) -> list[str]:
    return BLANK.findall(text)


def fill(template: str, values: dict[str, str]) -> str:
    """Render one template with the case's values; a broken template is the library's
    fault, told as such (never a 500)."""
    try:
        return _ENGINE.from_string(template).render(Context(values, autoescape=False)).strip()
    except TemplateSyntaxError as exc:
        raise ApplicationError(
            _("A template in the reply library cannot be read: %(error)s") % {"error": exc},
            code="template_error",
        ) from exc


def check_template(template: str) -> list[str]:
    """What is wrong with a template: its syntax, and citations that name no article."""
    problems = []
    try:
        _ENGINE.from_string(template)
    except TemplateSyntaxError as exc:
        problems.append(str(exc))
    unknown = read_citations(template).unknown
    if unknown:
        problems.append(_("Cites what the library does not hold: %s") % "、".join(unknown))
    return problems


# ---- loading the files ------------------------------------------------------------------------


@dataclass
class Loaded:
    articles_added: int = 0
    articles_kept: int = 0
    not_citable: int = 0
    claim_types_added: int = 0
    claim_types_kept: int = 0
    frames_added: int = 0


def _article_fields(entry: dict[str, Any]) -> dict[str, Any]:
    unit = entry.get("unit") or "article"
    return {
        "law": entry["law"],
        "part": entry.get("part") or "",
        "kind": entry.get("kind") or "",
        "issuer": entry.get("issuer") or "",
        "unit": unit,
        "label": str(entry.get("article") or entry["number"]).rstrip("."),
        "text": entry.get("text") or "",
        "version": entry["version"]
        if isinstance(entry.get("version"), dict)
        else {"as_stated": entry.get("version")},
        "source": entry.get("source") or "",
        "source_commit": entry.get("source_commit") or "",
        "source_note": entry.get("source_note") or "",
    }


@transaction.atomic
def load_library(directory: Path = DATA, *, refresh: bool = False) -> Loaded:
    """Add what the files hold and the database does not. What an administrator changed
    (an article superseded, a template edited) is kept unless `refresh` is asked for, which
    rewrites the claim types and frames from the files. Entries without a number cannot be
    cited and are left out (the departmental rules whose article numbers are unverified)."""
    result = Loaded()
    entries = yaml.safe_load((directory / "articles.yaml").read_text(encoding="utf-8"))
    in_force = {(a.short, a.number): a for a in StatuteArticle.objects.filter(superseded_at=None)}
    for entry in entries:
        if entry.get("number") is None:
            result.not_citable += 1
            continue
        key = (entry["short"], int(entry["number"]))
        if key in in_force:
            result.articles_kept += 1
            continue
        StatuteArticle.objects.create(short=key[0], number=key[1], **_article_fields(entry))
        result.articles_added += 1

    kit = yaml.safe_load((directory / "claim_types.yaml").read_text(encoding="utf-8"))
    for kind, template in kit["frames"].items():
        frame, created = ReplyFrame.objects.get_or_create(kind=kind, defaults={"template": ""})
        if created or refresh:
            frame.template = template
            frame.save()
            result.frames_added += created
    for position, spec in enumerate(kit["claim_types"]):
        _load_claim_type(spec, position, refresh, result)
    problems = [
        f"{ct.code}: {p}"
        for ct in ClaimType.objects.all()
        for p in check_template(ct.reasoning)
        + [_("a point cites nothing") for point in ct.points.all() if not point.articles.exists()]
    ]
    problems += [
        f"{f.kind}: {p}" for f in ReplyFrame.objects.all() for p in check_template(f.template)
    ]
    if problems:
        raise ApplicationError("; ".join(problems), code="library_invalid")
    return result


def _load_claim_type(spec: dict[str, Any], position: int, refresh: bool, result: Loaded) -> None:
    existing = ClaimType.objects.filter(code=spec["code"]).first()
    if existing is not None and not refresh:
        result.claim_types_kept += 1
        return
    fields = {
        "name": spec["name"],
        "name_en": spec.get("name_en", ""),
        "category": spec["category"],
        "case_cause": spec.get("case_cause", ""),
        "claim": spec["claim"],
        "reasoning": spec["reasoning"],
        "position": position,
    }
    claim_type, created = ClaimType.objects.update_or_create(code=spec["code"], defaults=fields)
    result.claim_types_added += created
    result.claim_types_kept += not created
    claim_type.points.all().delete()
    claim_type.needs.all().delete()
    for kind, key in ((ClaimPoint.Kind.ELEMENT, "elements"), (ClaimPoint.Kind.DEFENCE, "defences")):
        for i, point in enumerate(spec.get(key, [])):
            keys = [_parse_key(c) for c in point["cites"]]
            found = articles_for(keys)
            missing = [f"{s}:{n}" for s, n in keys if (s, n) not in found]
            if missing:
                raise ApplicationError(
                    _("%(code)s cites what the library does not hold: %(missing)s")
                    % {"code": spec["code"], "missing": ", ".join(missing)},
                    code="library_invalid",
                )
            row = ClaimPoint.objects.create(
                claim_type=claim_type, kind=kind, position=i, text=point["text"]
            )
            row.articles.set(found.values())
    for side in (EvidenceNeed.Side.CUSTOMER, EvidenceNeed.Side.BANK):
        for i, need in enumerate(spec.get("evidence", {}).get(side, [])):
            EvidenceNeed.objects.create(
                claim_type=claim_type,
                side=side,
                position=i,
                label=need["label"],
                categories=list(need["categories"]),
            )


def _parse_key(cite: str) -> tuple[str, int]:
    short, _sep, number = cite.replace("：", ":").partition(":")
    return short.strip(), int(number)


@transaction.atomic
def articles_supersede(*, actor: Any, article_ids: list[int], note: str) -> int:
    """Articles no longer in force: replies already issued keep citing them as they were; a
    new reply citing one is refused until a new version is added."""
    from django.utils import timezone

    from portal.audit import audit_record

    count = 0
    for article in StatuteArticle.objects.select_for_update().filter(
        pk__in=article_ids, superseded_at__isnull=True
    ):
        article.superseded_at = timezone.now()
        article.superseded_note = note[:200]
        article.save(update_fields=["superseded_at", "superseded_note"])
        audit_record(
            actor=actor,
            action="library.article_superseded",
            target=article,
            case_ref="",
            data={"article": article.token},
        )
        count += 1
    return count
