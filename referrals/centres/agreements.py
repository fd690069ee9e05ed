"""The outcome of a mediation: the mediator's proposal and the parties' answers, and the
signed agreement, which opens the 30-day window for judicial confirmation (CPL art. 205). An
agreement is signed on paper and recorded with its sealed copy, or signed online: drafted by
the mediator, signed by the customer (a binding act) and the bank, sealed by the centre."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediation import access as dispute_access
from mediation.models import EvidenceItem
from mediation.notify import branch_staff, parties
from mediation.services import disputes as dispute_services
from mediation.services.evidence import exhibit_staged
from portal import access as portal_access
from portal import binding
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import User
from portal.periods import JUDICIAL_CONFIRMATION_WINDOW
from portal.transitions import ActionForbidden, check_transition, run_transition
from referrals.centres import access as referral_access
from referrals.centres.lifecycle import ReferralStatus
from referrals.centres.services import referral_lock, referral_tell, require_centre_member
from referrals.models import (
    AgreementDraft,
    MediationAgreement,
    MediatorProposal,
    ProposalAnswer,
    Referral,
)

# What a customer gives up by accepting a proposal or signing an agreement (one text each).
SETTLES = gettext_lazy(
    "you settle this dispute on these terms: you cannot claim more from the bank for it "
    "unless the bank fails to perform;"
)
CONFIRM_WITHIN = gettext_lazy(
    "you may ask the court to confirm the agreement within 30 days of it taking effect, "
    "which makes it enforceable (CPL art. 205)."
)


def _tell_agreement(agreement: MediationAgreement) -> None:
    referral_tell(
        agreement.referral,
        "agreement_recorded",
        parties(agreement.referral.dispute),
        effective=agreement.effective_on,
        window=agreement.confirmation_window_ends,
    )


def _agreement_window(effective_on: date) -> date:
    """30 days from the agreement's effective date (CPL 2023 art. 205; 人民调解法 art. 33)."""
    return JUDICIAL_CONFIRMATION_WINDOW.end(effective_on)


def agreement_record(
    *,
    actor: User,
    referral_id: int,
    upload: IO[bytes],
    file_name: str,
    size: int | None,
    amount: Decimal,
    terms: str,
    performance_due: date,
    effective_on: date,
) -> MediationAgreement:
    """The signed agreement takes effect when both parties and the mediator have signed and
    the centre has sealed it (人民调解法 arts. 29-30); its date starts the 30-day window to ask
    a court to confirm it. The rules are read before the signed copy is stored and again
    under the referral's lock."""
    referral = referral_access.referral_get_for(actor, referral_id)
    _check_agreement(actor, referral, amount, terms, performance_due, effective_on)
    with (
        exhibit_staged(
            actor=actor,
            reference=referral.dispute.reference,
            upload=upload,
            original_name=file_name,
            declared_size=size,
            title=_("Signed mediation agreement"),
            category="agreement",
        ) as exhibit,
        transaction.atomic(),
    ):
        referral = referral_lock(actor, referral_id)
        _check_agreement(actor, referral, amount, terms, performance_due, effective_on)
        return _conclude(
            actor,
            referral,
            document=exhibit.record(),
            amount=amount,
            terms=terms,
            performance_due=performance_due,
            effective_on=effective_on,
        )


def _check_agreement(
    actor: User,
    referral: Referral,
    amount: Decimal,
    terms: str,
    performance_due: date,
    effective_on: date,
) -> None:
    if not referral_access.can_record_referral_outcome(actor, referral):
        raise ActionForbidden(_("Only the centre (or the bank for a paper file) records this."))
    if referral.status != ReferralStatus.ACCEPTED:
        raise TransitionRefused(_("An agreement is recorded while the mediation is under way."))
    if effective_on > timezone.localdate():
        raise ApplicationError(_("The agreement cannot take effect in the future."))
    sent_on = timezone.localdate(referral.sent_at) if referral.sent_at else None
    if sent_on is not None and effective_on < sent_on:
        raise ApplicationError(
            _("The agreement cannot take effect before the case reached the centre (%(d)s).")
            % {"d": sent_on.isoformat()}
        )
    if performance_due < effective_on:
        raise ApplicationError(_("The performance deadline is before the agreement's date."))
    if amount < 0 or not terms.strip():
        raise ApplicationError(_("Give the amount the bank pays and the terms."))


def _conclude(
    actor: User,
    referral: Referral,
    *,
    document: EvidenceItem | None,
    amount: Decimal,
    terms: str,
    performance_due: date,
    effective_on: date,
) -> MediationAgreement:
    """The agreement in force: the case and the referral move on, the parties are told."""
    # The agreement settles the case: whatever proposal still waits is closed with it.
    closed = referral.proposals.filter(
        withdrawn_at__isnull=True, customer_answer=ProposalAnswer.PENDING
    ).update(withdrawn_at=timezone.now(), withdrawn_reason="")  # no reason: closed by this
    if closed:
        audit_record(
            actor=actor,
            action="proposal.closed_by_agreement",
            target=referral,
            case_ref=referral.dispute.reference,
            data={"proposals": closed},
        )
    agreement = MediationAgreement.objects.create(
        referral=referral,
        document=document,
        amount=amount,
        terms=terms.strip(),
        performance_due=performance_due,
        effective_on=effective_on,
        confirmation_window_ends=_agreement_window(effective_on),
        recorded_by=actor,
    )

    def close(r: Referral) -> None:
        r.closed_at = timezone.now()

    # The case first (the centre sees it only while the referral is live: centres/access.py),
    # once this referral's own step is known to be allowed.
    check_transition(referral, "record_agreement", actor=actor)
    dispute_services.dispute_reach_agreement(actor=actor, reference=referral.dispute.reference)
    run_transition(referral, "record_agreement", actor=actor, before=close)
    _tell_agreement(agreement)
    return agreement


def _answering(proposal: MediatorProposal) -> list[User]:
    """Who answers a proposal: the customer, and the branch's staff unless it binds the bank."""
    dispute = proposal.referral.dispute
    people = [dispute.customer]
    if not proposal.binding_on_bank:
        people += branch_staff(dispute)
    return people


def is_binding_on_bank(amount: Decimal) -> bool:
    """Below the bank's pre-commitment amount, the bank is bound by a mediator's proposal the
    customer accepts (金发〔2025〕14号). "Below" is strict: at the threshold the bank answers."""
    return amount < Decimal(settings.BANK_PRE_COMMITMENT_THRESHOLD)


@transaction.atomic
def proposal_make(
    *,
    actor: User,
    referral_id: int,
    amount: Decimal,
    terms: str,
    performance_due: date,
    above_claim_reason: str = "",
) -> MediatorProposal:
    referral = referral_lock(actor, referral_id)
    require_centre_member(referral, actor)
    if referral.status != ReferralStatus.ACCEPTED:
        raise TransitionRefused(_("A proposal is made while the mediation is under way."))
    if amount < 0 or not terms.strip():
        raise ApplicationError(_("Give the amount the bank pays and the terms."))
    claim = referral.dispute.amount
    if amount > claim and not above_claim_reason.strip():
        raise ApplicationError(
            _(
                "The proposal (%(amount)s yuan) is above the customer's claim (%(claim)s yuan). "
                "Check the amount, or say why it is above the claim."
            )
            % {"amount": f"{amount:,.2f}", "claim": f"{claim:,.2f}"},
            code="above_claim",
        )
    if performance_due < timezone.localdate():
        raise ApplicationError(_("The performance deadline cannot be in the past."))
    if any(p.is_pending for p in referral.proposals.all()):
        raise ApplicationError(
            _("An earlier proposal is still awaiting an answer: withdraw it first to replace it.")
        )
    proposal = MediatorProposal.objects.create(
        referral=referral,
        amount=amount,
        terms=terms.strip(),
        above_claim_reason=above_claim_reason.strip() if amount > claim else "",
        performance_due=performance_due,
        binding_on_bank=is_binding_on_bank(amount),
        threshold=Decimal(settings.BANK_PRE_COMMITMENT_THRESHOLD),
        proposed_by=actor,
    )
    audit_record(
        actor=actor,
        action="proposal.made",
        target=proposal,
        case_ref=referral.dispute.reference,
        data={"amount": str(amount), "binding": proposal.binding_on_bank},
    )
    referral_tell(referral, "proposal_awaiting", _answering(proposal), amount=f"{amount:,.2f}")
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: User, proposal_id: int, reason: str) -> MediatorProposal:
    """The mediator takes back a proposal nobody has answered yet (a wrong amount, a better
    one to make); the parties are told, and a new proposal may follow."""
    found = MediatorProposal.objects.filter(pk=proposal_id).first()
    if found is None:
        raise portal_access.refuse(actor, "proposal", proposal_id)
    referral = referral_lock(actor, found.referral_id)
    require_centre_member(referral, actor)
    proposal = MediatorProposal.objects.select_for_update().get(pk=proposal_id)
    proposal.referral = referral  # the locked row, with its case
    if not proposal.is_unanswered:
        raise TransitionRefused(_("Only a proposal nobody has answered yet can be withdrawn."))
    if not reason.strip():
        raise ApplicationError(_("Say why the proposal is withdrawn."))
    proposal.withdrawn_at, proposal.withdrawn_reason = timezone.now(), reason.strip()
    proposal.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    audit_record(
        actor=actor,
        action="proposal.withdrawn",
        target=proposal,
        case_ref=referral.dispute.reference,
        reason=proposal.withdrawn_reason,
    )
    referral_tell(
        referral, "proposal_withdrawn", _answering(proposal), amount=f"{proposal.amount:,.2f}"
    )
    return proposal


def proposal_act_text(proposal: MediatorProposal) -> binding.ActText:
    """What a customer accepting this proposal is shown in full and confirms (a binding act)."""
    dispute = proposal.referral.dispute
    lines = [
        (_("Mediation centre"), proposal.referral.organisation.name),
        (_("Your claim"), f"{dispute.amount:,.2f} {_('yuan')}"),
        (_("The bank pays"), f"{proposal.amount:,.2f} {_('yuan')}"),
        (_("In capitals"), binding.rmb_upper(proposal.amount)),
        (_("Terms"), proposal.terms),
        (_("To be performed by"), proposal.performance_due.isoformat()),
    ]
    gives_up = [
        _(
            "this proposal becomes a mediation agreement between you and the bank, which binds "
            "you both as a contract;"
        ),
        str(SETTLES),
        str(CONFIRM_WITHIN),
    ]
    if not proposal.binding_on_bank:
        gives_up.insert(
            1, _("the agreement takes effect only once the bank accepts the proposal too;")
        )
    return binding.ActText(
        kind="proposal.accept",
        title=_("Accepting the mediator's proposal on case %(ref)s") % {"ref": dispute.reference},
        case_ref=dispute.reference,
        lines=lines,
        gives_up=gives_up,
    )


@transaction.atomic
def proposal_accept_confirmed(
    *, actor: User, proposal_id: int, proof: binding.Reauthenticated, shown_sha256: str
) -> MediatorProposal:
    """The customer's acceptance, as a binding act: re-authenticated, the text they read
    recorded and sealed (portal/binding.py)."""
    binding.check_proof(proof, actor)
    proposal = proposal_answer(actor=actor, proposal_id=proposal_id, accept=True, proof=proof)
    binding.record(
        actor=actor,
        act=proposal_act_text(proposal),
        target=proposal,
        proof=proof,
        shown_sha256=shown_sha256,
    )
    return proposal


@transaction.atomic
def proposal_answer(
    *,
    actor: User,
    proposal_id: int,
    accept: bool,
    proof: binding.Reauthenticated | None = None,
) -> MediatorProposal:
    """The customer accepts or refuses online. A binding proposal accepted by the customer
    ends the mediation with an agreement; otherwise the bank must accept it too. A customer's
    acceptance is a binding act: it comes through `proposal_accept_confirmed`."""
    found = MediatorProposal.objects.filter(pk=proposal_id).first()
    if found is None:
        raise portal_access.refuse(actor, "proposal", proposal_id)
    referral = referral_lock(actor, found.referral_id)
    proposal = MediatorProposal.objects.select_for_update().get(pk=proposal_id)
    dispute = referral.dispute
    if referral.status != ReferralStatus.ACCEPTED or not proposal.is_pending:
        raise TransitionRefused(_("This proposal is no longer awaiting an answer."))
    answer = ProposalAnswer.ACCEPTED if accept else ProposalAnswer.REFUSED
    now = timezone.now()
    if dispute_access.is_dispute_customer(actor, dispute):
        if proposal.customer_answer != ProposalAnswer.PENDING:
            raise TransitionRefused(_("You have already answered this proposal."))
        if accept:
            binding.check_proof(proof, actor)
        proposal.customer_answer, proposal.customer_answered_at = answer, now
    elif dispute_access.can_handle_dispute(actor, dispute):
        if proposal.binding_on_bank:
            raise TransitionRefused(_("This proposal binds the bank: only the customer answers."))
        if proposal.bank_answer != ProposalAnswer.PENDING:
            raise TransitionRefused(_("The bank has already answered this proposal."))
        proposal.bank_answer, proposal.bank_answered_at = answer, now
    else:
        raise ActionForbidden(_("Only the parties answer a mediator's proposal."))
    proposal.save()
    audit_record(
        actor=actor,
        action=f"proposal.{answer}",
        target=proposal,
        case_ref=dispute.reference,
        data={"binding": proposal.binding_on_bank},
    )
    customer_yes = proposal.customer_answer == ProposalAnswer.ACCEPTED
    bank_yes = proposal.binding_on_bank or proposal.bank_answer == ProposalAnswer.ACCEPTED
    if customer_yes and bank_yes:
        today = timezone.localdate()
        MediationAgreement.objects.create(
            referral=referral,
            from_proposal=True,
            amount=proposal.amount,
            terms=proposal.terms,
            performance_due=proposal.performance_due,
            effective_on=today,
            confirmation_window_ends=_agreement_window(today),
            recorded_by=actor,
        )

        def close(r: Referral) -> None:
            r.closed_at = now

        run_transition(referral, "accept_proposal", actor=actor, before=close)
        dispute_services.dispute_reach_agreement(actor=actor, reference=dispute.reference)
        _tell_agreement(referral.agreement)
    return proposal


# ---- agreements signed online ---------------------------------------------------------------


def _draft_lock(actor: User, draft_id: int) -> AgreementDraft:
    draft = AgreementDraft.objects.filter(pk=draft_id).only("referral_id").first()
    if draft is None:
        raise portal_access.refuse(actor, "agreement_draft", draft_id)
    referral = referral_lock(actor, draft.referral_id)
    locked = AgreementDraft.objects.select_for_update().get(pk=draft_id)
    locked.referral = referral
    if not locked.is_open or referral.status != ReferralStatus.ACCEPTED:
        raise TransitionRefused(_("This agreement is no longer open for signing."))
    return locked


@transaction.atomic
def agreement_draft(
    *, actor: User, referral_id: int, amount: Decimal, terms: str, performance_due: date
) -> AgreementDraft:
    """The mediator puts the agreement the parties reached to them for signing online."""
    referral = referral_lock(actor, referral_id)
    require_centre_member(referral, actor)
    if referral.status != ReferralStatus.ACCEPTED:
        raise TransitionRefused(_("An agreement is drafted while the mediation is under way."))
    if amount < 0 or not terms.strip():
        raise ApplicationError(_("Give the amount the bank pays and the terms."))
    if performance_due < timezone.localdate():
        raise ApplicationError(_("The performance deadline is in the past."))
    if referral.agreement_drafts.filter(sealed_at__isnull=True, withdrawn_at__isnull=True):
        raise TransitionRefused(
            _("An agreement already waits for signatures: withdraw it to draft another.")
        )
    draft = AgreementDraft.objects.create(
        referral=referral,
        amount=amount,
        terms=terms.strip(),
        performance_due=performance_due,
        drafted_by=actor,
    )
    audit_record(
        actor=actor,
        action="agreement.drafted",
        target=draft,
        case_ref=referral.dispute.reference,
        data={"amount": str(amount)},
    )
    referral_tell(referral, "agreement_to_sign", parties(referral.dispute), amount=f"{amount:,.2f}")
    return draft


def agreement_act_text(draft: AgreementDraft) -> binding.ActText:
    """What the customer signing the agreement reads in full and confirms (a binding act)."""
    referral = draft.referral
    dispute = referral.dispute
    return binding.ActText(
        kind="agreement.sign",
        title=_("Signing the mediation agreement on case %(ref)s") % {"ref": dispute.reference},
        case_ref=dispute.reference,
        lines=[
            (_("Mediation centre"), referral.organisation.name),
            (_("Your claim"), f"{dispute.amount:,.2f} {_('yuan')}"),
            (_("The bank pays"), f"{draft.amount:,.2f} {_('yuan')}"),
            (_("In capitals"), binding.rmb_upper(draft.amount)),
            (_("Terms"), draft.terms),
            (_("To be performed by"), draft.performance_due.isoformat()),
        ],
        gives_up=[
            _(
                "once you, the bank and the mediator have signed it and the centre has sealed "
                "it, this is a mediation agreement binding you both (人民调解法 arts. 29-31);"
            ),
            str(SETTLES),
            str(CONFIRM_WITHIN),
        ],
    )


@transaction.atomic
def agreement_sign_confirmed(
    *, actor: User, draft_id: int, proof: binding.Reauthenticated | None, shown_sha256: str
) -> AgreementDraft:
    """The customer signs: re-authenticated, the text they read recorded and sealed."""
    binding.check_proof(proof, actor)
    assert proof is not None
    draft = _draft_lock(actor, draft_id)
    if not dispute_access.is_dispute_customer(actor, draft.referral.dispute):
        raise ActionForbidden(_("Only the customer signs here."))
    if draft.customer_signed_at is not None:
        raise TransitionRefused(_("You have already signed this agreement."))
    binding.record(
        actor=actor,
        act=agreement_act_text(draft),
        target=draft,
        proof=proof,
        shown_sha256=shown_sha256,
    )
    draft.customer_signed_at = timezone.now()
    draft.save(update_fields=["customer_signed_at"])
    audit_record(
        actor=actor,
        action="agreement.signed",
        target=draft,
        case_ref=draft.referral.dispute.reference,
        data={"party": "customer"},
    )
    return draft


@transaction.atomic
def agreement_bank_sign(*, actor: User, draft_id: int) -> AgreementDraft:
    draft = _draft_lock(actor, draft_id)
    if not dispute_access.can_handle_dispute(actor, draft.referral.dispute):
        raise ActionForbidden(_("Only bank staff handling this case sign for the bank."))
    if draft.bank_signed_at is not None:
        raise TransitionRefused(_("The bank has already signed this agreement."))
    draft.bank_signed_at = timezone.now()
    draft.save(update_fields=["bank_signed_at"])
    audit_record(
        actor=actor,
        action="agreement.signed",
        target=draft,
        case_ref=draft.referral.dispute.reference,
        data={"party": "bank"},
    )
    return draft


@transaction.atomic
def agreement_seal(*, actor: User, draft_id: int) -> MediationAgreement:
    """The centre seals the agreement both parties signed: it takes effect today."""
    draft = _draft_lock(actor, draft_id)
    require_centre_member(draft.referral, actor)
    if not draft.fully_signed:
        raise TransitionRefused(_("Both the customer and the bank must sign first."))
    draft.sealed_at = timezone.now()
    draft.save(update_fields=["sealed_at"])
    return _conclude(
        actor,
        draft.referral,
        document=None,
        amount=draft.amount,
        terms=draft.terms,
        performance_due=draft.performance_due,
        effective_on=timezone.localdate(),
    )


@transaction.atomic
def agreement_draft_withdraw(*, actor: User, draft_id: int, reason: str) -> AgreementDraft:
    """The mediator takes back an agreement before it is sealed (a mistake, a change)."""
    draft = _draft_lock(actor, draft_id)
    require_centre_member(draft.referral, actor)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for withdrawing the agreement."))
    draft.withdrawn_at, draft.withdrawn_reason = timezone.now(), reason.strip()
    draft.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    audit_record(
        actor=actor,
        action="agreement.draft_withdrawn",
        target=draft,
        case_ref=draft.referral.dispute.reference,
        reason=draft.withdrawn_reason,
    )
    referral_tell(
        draft.referral,
        "agreement_draft_withdrawn",
        parties(draft.referral.dispute),
        reason=draft.withdrawn_reason,
    )
    return draft
