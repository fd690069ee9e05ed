"""Writing, approving and issuing the bank's replies with the toolkit, and their letters.

A reply starts from the claim types staff choose: the frame and each type's reasoning are
filled from the case, then staff edit. Sending it checks what a letter needs (seed 3.2: cite
the law, not "regulatory guidance"): at least one citation, every citation an article in force
in the library, no blank left, the amount within the claim. A reply that refuses a claim in
whole or in part, or grants more than REPLY_SECOND_APPROVAL_ABOVE, waits for a second approver.
Issuing records the bank's decision on the case (or decides the customer's review request) and
queues the letter, which the worker renders, seals and stores with its hash.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.complaint_review import ReviewRequestStatus
from mediation.lifecycle import DisputeStatus
from mediation.models import Dispute, ReviewRequest
from mediation.notify import branch_staff
from mediation.services import dispute_record_decision
from mediation.services.complaint_review import review_request_decide
from portal.audit import audit_record
from portal.binding import rmb_upper
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import User
from portal.notifications import notify_after_commit
from portal.seal import seal_pdf
from portal.transitions import ActionForbidden, run_transition

from . import access, library
from .documents import Footnote, LetterData, Piece, render_letter
from .lifecycle import ReplyStatus
from .models import (
    ClaimType,
    EvidenceAsk,
    EvidenceNeed,
    LetterStatus,
    Outcome,
    Reply,
    ReplyFrame,
    ReviewOutcome,
)

log = logging.getLogger("portal.replies")
CENT = Decimal("0.01")
LETTER_ATTEMPTS = 3


def approval_threshold() -> Decimal:
    return Decimal(settings.REPLY_SECOND_APPROVAL_ABOVE)


def _enqueue_letter(reply_id: int) -> None:
    from mediation.replykit.tasks import build_letter

    build_letter.enqueue(reply_id)


def _values(dispute: Dispute, reply: Reply, review: ReviewRequest | None) -> dict[str, str]:
    amount = reply.granted_amount
    return {
        "customer_name": dispute.customer.display_name,
        "reference": dispute.reference,
        "received_on": f"{timezone.localtime(dispute.received_at):%Y年%-m月%-d日}",
        "request": dispute.request.strip(),
        "product": str(dispute.category_label),
        "branch": dispute.branch.name,
        "outcome": reply.outcome,
        "granted_amount": f"{amount:,.2f}" if amount else "",
        "granted_words": rmb_upper(amount) if amount else "",
        "review_outcome": reply.review_outcome,
        "review_asked_on": f"{timezone.localtime(review.requested_at):%Y年%-m月%-d日}"
        if review
        else "",
        "decision_on": f"{timezone.localtime(dispute.decision_at):%Y年%-m月%-d日}"
        if dispute.decision_at
        else "",
    }


def draft_text(
    dispute: Dispute, reply: Reply, claim_types: list[ClaimType], review: ReviewRequest | None
) -> str:
    """The frame around each claim type's reasoning, filled from the case."""
    values = _values(dispute, reply, review)
    reasoning = "\n\n".join(
        f"（{i}）{library.fill(ct.reasoning, values)}"
        if len(claim_types) > 1
        else library.fill(ct.reasoning, values)
        for i, ct in enumerate(claim_types, start=1)
    )
    frame = ReplyFrame.objects.filter(kind=reply.kind).first()
    if frame is None:
        raise ApplicationError(
            _("The reply library is not loaded: run manage.py load_legal_library."),
            code="library_missing",
        )
    return library.fill(frame.template, {**values, "reasoning": reasoning})


def _check_outcome(
    dispute: Dispute, *, kind: str, outcome: str, review_outcome: str, amount: Decimal
) -> Decimal:
    if outcome not in Outcome.values:
        raise ApplicationError(_("Choose the outcome."), code="outcome")
    if kind == Reply.Kind.REVIEW and review_outcome not in ReviewOutcome.values:
        raise ApplicationError(_("Choose the review's outcome."), code="review_outcome")
    amount = (amount or Decimal(0)).quantize(CENT)
    if amount < 0:
        raise ApplicationError(_("The amount cannot be negative."), code="amount")
    if outcome == Outcome.REFUSED and amount:
        raise ApplicationError(
            _("A refusal pays nothing: set the amount to 0, or choose “granted in part”."),
            code="amount",
        )
    if amount > dispute.amount:
        raise ApplicationError(
            _("The amount is more than the %(claim)s yuan claimed.")
            % {"claim": f"{dispute.amount:,.2f}"},
            code="amount",
        )
    return amount


def _claim_types(codes: list[str]) -> list[ClaimType]:
    found = {ct.code: ct for ct in ClaimType.objects.filter(code__in=codes, active=True)}
    if not codes or len(found) != len(set(codes)):
        raise ApplicationError(
            _("Choose at least one claim type from the library."), code="claim_types"
        )
    return [found[c] for c in dict.fromkeys(codes)]


@transaction.atomic
def reply_start(
    *,
    actor: User,
    reference: str,
    kind: str,
    claim_types: list[str],
    outcome: str,
    granted_amount: Decimal,
    review_outcome: str = "",
) -> Reply:
    """A draft from the chosen claim types, filled from the case."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if kind not in Reply.Kind.values or not access.can_start_reply(actor, dispute, kind):
        raise ActionForbidden(_("You may not write this reply."), code="forbidden")
    amount = _check_outcome(
        dispute, kind=kind, outcome=outcome, review_outcome=review_outcome, amount=granted_amount
    )
    types = _claim_types(claim_types)
    review = (
        dispute.review_requests.filter(status=ReviewRequestStatus.REQUESTED).first()
        if kind == Reply.Kind.REVIEW
        else None
    )
    reply = Reply(
        dispute=dispute,
        kind=kind,
        review=review,
        outcome=outcome,
        review_outcome=review_outcome if review else "",
        granted_amount=amount,
        author=actor,
    )
    reply.text = draft_text(dispute, reply, types, review)
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError as exc:
        raise TransitionRefused(
            _("A reply to this is already being written: open it from the case page."),
            code="reply_exists",
        ) from exc
    reply.claim_types.set(types)
    audit_record(
        actor=actor,
        action="reply.started",
        target=reply,
        case_ref=reference,
        data={"claim_types": [t.code for t in types], **reply.audit_data()},
    )
    return reply


def _lock_reply(actor: User, reply_id: int) -> Reply:
    reply = access.reply_get_for(actor, reply_id, for_update=True)
    Dispute.objects.select_for_update().filter(pk=reply.dispute_id).first()
    return reply


@transaction.atomic
def reply_save(
    *,
    actor: User,
    reply_id: int,
    text: str,
    outcome: str,
    granted_amount: Decimal,
    review_outcome: str = "",
) -> Reply:
    """The author's edits to a draft. Saving never refuses what is incomplete (that is for
    sending); it keeps the text as written."""
    reply = _lock_reply(actor, reply_id)
    if reply.status != ReplyStatus.DRAFT:
        raise TransitionRefused(_("Only a draft can be changed."), code="not_draft")
    if not access.can_write_reply(actor, reply):
        raise ActionForbidden(_("Only the reply's author changes it."))
    reply.granted_amount = _check_outcome(
        reply.dispute,
        kind=reply.kind,
        outcome=outcome,
        review_outcome=review_outcome,
        amount=granted_amount,
    )
    reply.outcome = outcome
    reply.review_outcome = review_outcome if reply.kind == Reply.Kind.REVIEW else ""
    reply.text = text.strip()
    reply.save()
    return reply


def problems_of(reply: Reply, cited: library.Citations | None = None) -> list[str]:
    """What stops this reply from being sent, in words for its author (`cited`: its
    citations, where the caller has read them already)."""
    out = []
    if not reply.text.strip():
        out.append(_("The reply is empty."))
    blanks = library.blanks_in(reply.text)
    if blanks:
        out.append(_("Fill in the blanks first: %s") % "、".join(blanks))
    cited = cited or library.read_citations(reply.text)
    if cited.unknown:
        out.append(
            _("These citations name no article in force in the library: %s")
            % "、".join(cited.unknown)
        )
    if not cited.articles:
        out.append(_("Cite at least one article, written like [[民法典:577]]."))
    return out


def answered_with(dispute: Dispute) -> list[Dispute]:
    """The confirmed repeats of a case that its decision answers too: those the bank is
    handling (one still being triaged, or already with a centre, is answered where it is)."""
    return list(
        dispute.repeats.filter(
            repeat_confirmed_at__isnull=False, status=DisputeStatus.BANK_HANDLING
        ).order_by("received_at")
    )


def _issue(reply: Reply, issuer: User) -> None:
    """In the issuing transaction: the case records the decision (or the review is decided),
    the letter is queued."""
    cited = library.read_citations(reply.text)
    reply.cited.set(cited.articles)
    text = library.plain(reply.text, cited)
    if reply.kind == Reply.Kind.DECISION:
        dispute_record_decision(actor=reply.author, reference=reply.dispute.reference, text=text)
        for repeat in answered_with(reply.dispute):
            # One reply answers all (issue 22, 1): the same person's confirmed repeat
            # complaints about this matter get the same decision, saying so.
            with_note = _("Answered together with complaint %(ref)s about the same matter.") % {
                "ref": reply.dispute.reference
            }
            dispute_record_decision(
                actor=reply.author, reference=repeat.reference, text=f"{with_note}\n\n{text}"
            )
    else:
        review_request_decide(
            actor=issuer,
            reference=reply.dispute.reference,
            outcome=reply.review_outcome,
            text=text,
        )
    Reply.objects.filter(pk=reply.pk).update(
        issued_at=timezone.now(), letter_status=LetterStatus.QUEUED
    )
    transaction.on_commit(partial(_enqueue_letter, reply.pk))


@transaction.atomic
def reply_send(*, actor: User, reply_id: int) -> Reply:
    """Issue it, or put it to a second approver when the rule asks for one."""
    reply = _lock_reply(actor, reply_id)
    problems = problems_of(reply)
    if problems:
        raise ApplicationError(" ".join(problems), code="reply_incomplete")
    if reply.needs_second_approver:
        run_transition(reply, "submit", actor=actor)
        notify_after_commit(
            "reply_to_approve",
            recipients=[
                u for u in branch_staff(reply.dispute) if access.can_approve_reply(u, reply)
            ],
            case_ref=reply.dispute.reference,
            url=_reply_url(reply),
            params={"ref": reply.dispute.reference, "author": actor.display_name},
        )
        return reply
    run_transition(reply, "issue", actor=actor)
    _issue(reply, actor)
    return reply


@transaction.atomic
def reply_approve(*, actor: User, reply_id: int) -> Reply:
    """The second approver agrees; the reply is issued as its author wrote it."""
    reply = _lock_reply(actor, reply_id)
    problems = problems_of(reply)
    if problems:
        raise ApplicationError(" ".join(problems), code="reply_incomplete")

    def approved(r: Reply) -> None:
        r.approver = actor

    run_transition(reply, "approve", actor=actor, before=approved)
    _issue(reply, actor)
    return reply


@transaction.atomic
def reply_send_back(*, actor: User, reply_id: int, reason: str) -> Reply:
    reply = _lock_reply(actor, reply_id)
    if not reason.strip():
        raise ApplicationError(_("Say what the author should change."), code="reason")

    def noted(r: Reply) -> None:
        r.sent_back_reason = reason.strip()

    run_transition(reply, "send_back", actor=actor, before=noted, reason=reason.strip())
    notify_after_commit(
        "reply_sent_back",
        recipients=[reply.author],
        case_ref=reply.dispute.reference,
        url=_reply_url(reply),
        params={"ref": reply.dispute.reference, "reason": reply.sent_back_reason},
    )
    return reply


@transaction.atomic
def evidence_ask(*, actor: User, reference: str, need_id: int) -> EvidenceAsk:
    """Ask the customer for a piece of evidence a claim type needs from them."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.can_handle_dispute(actor, dispute) or not dispute.is_open:
        raise ActionForbidden(_("Only staff handling this open case ask for evidence."))
    need = EvidenceNeed.objects.filter(pk=need_id, side=EvidenceNeed.Side.CUSTOMER).first()
    if need is None:
        raise ApplicationError(_("Choose evidence the customer provides."), code="need")
    ask, created = EvidenceAsk.objects.get_or_create(
        dispute=dispute, need=need, defaults={"asked_by": actor}
    )
    if not created:
        raise TransitionRefused(_("This was already asked for."), code="already_asked")
    audit_record(
        actor=actor,
        action="reply.evidence_asked",
        target=ask,
        case_ref=reference,
        data={"evidence": need.label},
    )
    notify_after_commit(
        "evidence_asked",
        recipients=[dispute.customer],
        case_ref=reference,
        url=dispute.get_absolute_url() + "#evidence",
        params={"ref": reference, "evidence": need.label},
    )
    return ask


def _reply_url(reply: Reply) -> str:
    from django.urls import reverse

    return reverse("replykit:reply", args=[reply.pk])


# ---- the letter ---------------------------------------------------------------------------------


def letter_data(reply: Reply) -> LetterData:
    dispute = reply.dispute
    cited = library.read_citations(reply.text)
    paragraphs = []
    for line in reply.text.split("\n"):
        pieces: list[Piece] = []
        at = 0
        for m in library.TOKEN.finditer(line):
            key = (m.group(1).strip(), int(m.group(2)))
            article = next(a for a in cited.articles if (a.short, a.number) == key)
            pieces.append(Piece(line[at : m.start()] + article.citation, cited.number_of(*key)))
            at = m.end()
        pieces.append(Piece(line[at:]))
        paragraphs.append(pieces)
    footnotes = [
        Footnote(
            number=i,
            citation=a.citation,
            text=a.text,
            version="；".join(" ".join(str(v).split()) for v in _flatten(a.version) if v),
            source=a.source,
        )
        for i, a in enumerate(cited.articles, start=1)
    ]
    issued = timezone.localtime(reply.issued_at or timezone.now())
    return LetterData(
        title="核查决定书" if reply.kind == Reply.Kind.REVIEW else "投诉处理决定书",
        bank=dispute.branch.name,
        reference=dispute.reference,
        customer_name=dispute.customer.display_name,
        issued_on=issued.date(),
        paragraphs=paragraphs,
        footnotes=footnotes,
        granted_amount=f"{reply.granted_amount:,.2f}",
        granted_words=rmb_upper(reply.granted_amount),
        pays=reply.granted_amount > 0,
        review_until=dispute.review_request_due if reply.kind == Reply.Kind.DECISION else None,
        is_review=reply.kind == Reply.Kind.REVIEW,
        generated_at=timezone.localtime(),
    )


def _flatten(value: object) -> list[object]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _flatten(v)]
    if isinstance(value, list):
        return [x for v in value for x in _flatten(v)]
    return [value]


def letter_generate(*, reply_id: int) -> None:
    """Render, seal and store the letter (run by the task worker, never in a request); the
    customer is told once it is stored."""
    reply = (
        Reply.objects.select_related("dispute", "dispute__customer", "dispute__branch")
        .filter(pk=reply_id, status=ReplyStatus.ISSUED, letter_status=LetterStatus.QUEUED)
        .first()
    )
    if reply is None:
        return
    Reply.objects.filter(pk=reply_id).update(letter_attempts=F("letter_attempts") + 1)
    try:
        pdf = seal_pdf(render_letter(letter_data(reply)), reason="投诉处理决定书")
        name = default_storage.save(
            f"letters/{reply.dispute.reference}/{reply.kind}-{reply.pk}.pdf", ContentFile(pdf)
        )
    except Exception as exc:
        log.exception("letter for reply %s failed", reply_id)
        Reply.objects.filter(pk=reply_id).update(
            letter_status=LetterStatus.FAILED, letter_error=f"{type(exc).__name__}: {exc}"[:500]
        )
        return
    with transaction.atomic():
        locked = Reply.objects.select_for_update().select_related("dispute").get(pk=reply_id)
        if locked.letter_status != LetterStatus.QUEUED:
            default_storage.delete(name)
            return
        locked.letter.name = name
        locked.letter_sha256 = hashlib.sha256(pdf).hexdigest()
        locked.letter_status = LetterStatus.READY
        locked.letter_error = ""
        locked.save(update_fields=["letter", "letter_sha256", "letter_status", "letter_error"])
        audit_record(
            actor=None,
            action="reply.letter_stored",
            target=locked,
            case_ref=locked.dispute.reference,
            data={"sha256": locked.letter_sha256},
        )
        notify_after_commit(
            "letter_ready",
            recipients=[locked.dispute.customer],
            case_ref=locked.dispute.reference,
            url=locked.dispute.get_absolute_url() + "#replies",
            params={"ref": locked.dispute.reference, "title": letter_title(locked)},
        )


def letter_title(reply: Reply) -> str:
    return str(
        _("Review decision letter") if reply.kind == Reply.Kind.REVIEW else _("Decision letter")
    )


def letter_requeue_stale(*, now: datetime | None = None) -> int:
    """Letters whose build was lost (a crashed worker) are queued again, and failed ones up to
    LETTER_ATTEMPTS builds in all; after that they wait for an administrator. Idempotent."""
    cutoff = (now or timezone.now()) - timedelta(minutes=15)
    stale = list(
        Reply.objects.filter(
            status=ReplyStatus.ISSUED,
            letter_status__in=[LetterStatus.QUEUED, LetterStatus.FAILED],
            letter_attempts__lt=LETTER_ATTEMPTS,
            updated_at__lt=cutoff,
        ).values_list("pk", flat=True)
    )
    for pk in stale:
        Reply.objects.filter(pk=pk).update(
            letter_status=LetterStatus.QUEUED, updated_at=timezone.now()
        )
        transaction.on_commit(partial(_enqueue_letter, pk))
    return len(stale)
