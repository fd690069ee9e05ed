"""The dispute lifecycle, top to bottom.

States, in order::

    submitted -> triaged -> bank_handling            (standard track, complaint clocks)
                         \\-> fast_lane -> referred -> in_mediation -> agreement_reached
                                                                   \\-> mediation_failed
    mediation_failed -> in_arbitration | in_litigation | bank_handling
    agreement_reached -> fast_lane (a court rejected the agreement: mediate again)
    submitted | triaged | bank_handling -> fast_lane (above the threshold: the customer asked
                                                      for mediation and the bank agreed)
    fast_lane -> bank_handling (the claim was amended above the threshold)
    submitted | triaged | bank_handling | fast_lane | mediation_failed -> closed (the customer
                                                      accepted the bank's settlement offer)
    bank_handling | agreement_reached | in_arbitration | in_litigation -> closed
    any open state -> withdrawn

Transition table (kept in step with the code by tests/mediation/test_lifecycle.py):

=================== ============================================ =================
transition          from                                         to
=================== ============================================ =================
triage              submitted                                    triaged
start_bank_handling triaged                                      bank_handling
opt_in              submitted, triaged, bank_handling            fast_lane
agree_to_mediation  submitted, triaged, bank_handling            fast_lane
leave_fast_lane     fast_lane                                    bank_handling
refer               fast_lane                                    referred
return_to_lane      referred                                     fast_lane
start_mediation     referred                                     in_mediation
reach_agreement     in_mediation                                 agreement_reached
fail_mediation      referred, in_mediation                       mediation_failed
resume_handling     mediation_failed, agreement_reached          bank_handling
mediate_again       agreement_reached                            fast_lane
start_arbitration   bank_handling, mediation_failed              in_arbitration
start_litigation    bank_handling, mediation_failed,             in_litigation
                    agreement_reached
close               bank_handling, agreement_reached,            closed
                    in_arbitration, in_litigation
settle              submitted, triaged, bank_handling,           closed
                    fast_lane, mediation_failed
withdraw            submitted, triaged, bank_handling,           withdrawn
                    fast_lane, referred, in_mediation,
                    mediation_failed
=================== ============================================ =================

Transition bodies only set fields on the instance. Locking, permission checks, saving, the audit
event and side effects live in the services (mediation/services.py), one per transition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mediation import access as dispute_access
from portal.access import fsm_permission

if TYPE_CHECKING:
    from datetime import datetime


class DisputeStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    TRIAGED = "triaged", _("Triaged")
    BANK_HANDLING = "bank_handling", _("Being handled by the bank")
    FAST_LANE = "fast_lane", _("Mediation fast lane")
    REFERRED = "referred", _("Referred to a mediation centre")
    IN_MEDIATION = "in_mediation", _("In mediation")
    AGREEMENT_REACHED = "agreement_reached", _("Agreement reached")
    MEDIATION_FAILED = "mediation_failed", _("Mediation failed")
    IN_ARBITRATION = "in_arbitration", _("In arbitration")
    IN_LITIGATION = "in_litigation", _("In litigation")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = DisputeStatus

OPEN_STATES = [s for s in DisputeStatus if s not in (S.CLOSED, S.WITHDRAWN)]
OPT_IN_STATES = [S.SUBMITTED, S.TRIAGED, S.BANK_HANDLING]
# While the bank still holds the case, staff may amend the claim on the customer's request.
AMENDABLE_STATES = [S.SUBMITTED, S.TRIAGED, S.BANK_HANDLING, S.FAST_LANE]
# While the bank itself handles the complaint: the 1357 targets and decision clock run.
BANK_TRACK_STATES = [S.SUBMITTED, S.TRIAGED, S.BANK_HANDLING]
WITHDRAWABLE_STATES = [
    S.SUBMITTED,
    S.TRIAGED,
    S.BANK_HANDLING,
    S.FAST_LANE,
    S.REFERRED,
    S.IN_MEDIATION,
    S.MEDIATION_FAILED,
]
CLOSABLE_STATES = [S.BANK_HANDLING, S.AGREEMENT_REACHED, S.IN_ARBITRATION, S.IN_LITIGATION]
# While no centre, commission or court holds the case, the customer may settle it directly
# with the bank by accepting its offer (a problem class's offer, mediation/problems/).
SETTLEABLE_STATES = [S.SUBMITTED, S.TRIAGED, S.BANK_HANDLING, S.FAST_LANE, S.MEDIATION_FAILED]


class ClosureReason(models.TextChoices):
    BANK_DECISION_ACCEPTED = "bank_decision_accepted", _("Bank decision accepted by the customer")
    AGREEMENT_PERFORMED = "agreement", _("Mediation agreement")
    ARBITRATION_AWARD = "arbitration_award", _("Arbitration award or mediation document")
    JUDGMENT = "judgment", _("Court judgment")
    SETTLEMENT = "settlement", _("Settlement offer accepted by the customer")
    OTHER = "other", _("Other (stated in the reason)")


# ---- conditions: small named predicates ---------------------------------------------------


def is_fast_lane_eligible(dispute: DisputeLifecycle) -> bool:
    """Claim amount at or below the threshold (seed 4.8; "以下" includes the figure)."""
    return bool(dispute.fast_lane_eligible)


def has_mediation_consent(dispute: DisputeLifecycle) -> bool:
    return dispute.consent_in_force(kind="mediation")


def has_labels(dispute: DisputeLifecycle) -> bool:
    """Triage means the legal-cause (案由) and urgency labels are set (1357, day 1)."""
    return bool(dispute.cause_label and dispute.urgency)


def has_bank_agreed_to_mediation(dispute: DisputeLifecycle) -> bool:
    return dispute.mediation_agreed_at is not None


def is_above_threshold_without_agreement(dispute: DisputeLifecycle) -> bool:
    """An amended claim above the threshold that the bank never agreed to mediate."""
    return not dispute.fast_lane_eligible and dispute.mediation_agreed_at is None


def has_closure_reason(dispute: DisputeLifecycle) -> bool:
    return bool(dispute.closure_reason)


# ---- the machine ----------------------------------------------------------------------------


class DisputeLifecycle(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _("status"),
        max_length=30,
        choices=DisputeStatus.choices,
        default=DisputeStatus.SUBMITTED,
        protected=True,
        db_index=True,
    )

    # Declared on the concrete model; named here so the predicates type-check.
    fast_lane_eligible: bool
    mediation_agreed_at: datetime | None
    cause_label: str
    urgency: str
    closure_reason: str
    closure_note: str
    closed_at: datetime | None

    class Meta:
        abstract = True

    def consent_in_force(self, *, kind: str) -> bool:
        raise NotImplementedError

    @transition(
        field=status,
        source=S.SUBMITTED,
        target=S.TRIAGED,
        conditions=[has_labels],
        permission=fsm_permission(dispute_access.can_handle_dispute),
    )
    def triage(self) -> None:
        """Staff set the legal-cause and urgency labels (the service sets them first)."""

    @transition(
        field=status,
        source=S.TRIAGED,
        target=S.BANK_HANDLING,
        permission=fsm_permission(dispute_access.can_handle_dispute),
    )
    def start_bank_handling(self) -> None:
        """Standard track: the bank's 15/30/60-day decision clock governs."""

    @transition(
        field=status,
        source=OPT_IN_STATES,
        target=S.FAST_LANE,
        conditions=[is_fast_lane_eligible, has_mediation_consent],
        permission=fsm_permission(dispute_access.is_dispute_customer),
    )
    def opt_in(self) -> None:
        """The customer chooses mediation; the bank may not refuse without a recorded reason."""

    @transition(
        field=status,
        source=OPT_IN_STATES,
        target=S.FAST_LANE,
        conditions=[has_bank_agreed_to_mediation, has_mediation_consent],
        permission=fsm_permission(dispute_access.can_handle_dispute),
    )
    def agree_to_mediation(self) -> None:
        """Above the fast lane's threshold the customer asks for mediation and the bank agrees
        (it may refuse only with a recorded reason: 银行保险机构消费者权益保护管理办法 art. 16);
        the case then goes to a centre like a fast-lane case."""

    @transition(
        field=status,
        source=S.FAST_LANE,
        target=S.BANK_HANDLING,
        conditions=[is_above_threshold_without_agreement],
        permission=fsm_permission(dispute_access.can_amend_dispute),
    )
    def leave_fast_lane(self) -> None:
        """The claim was amended above the threshold before any referral: the case leaves the
        fast lane for the standard track, and the customer is told (DESIGN.md 3)."""

    @transition(
        field=status,
        source=S.FAST_LANE,
        target=S.REFERRED,
        permission=fsm_permission(dispute_access.can_handle_dispute),
    )
    def refer(self) -> None:
        """The bank sends the case to a partner mediation centre."""

    @transition(
        field=status,
        source=S.REFERRED,
        target=S.FAST_LANE,
        permission=fsm_permission(dispute_access.can_handle_or_mediate_dispute),
    )
    def return_to_lane(self) -> None:
        """The centre declined or the referral was withdrawn: the case may be referred again."""

    @transition(
        field=status,
        source=S.REFERRED,
        target=S.IN_MEDIATION,
        permission=fsm_permission(dispute_access.can_handle_or_mediate_dispute),
    )
    def start_mediation(self) -> None:
        """A mediator accepted the case; the 30-day mediation clock starts."""

    @transition(
        field=status,
        source=S.IN_MEDIATION,
        target=S.AGREEMENT_REACHED,
        permission=fsm_permission(dispute_access.can_conclude_mediation),
    )
    def reach_agreement(self) -> None:
        """A signed mediation agreement (or an accepted mediator's proposal)."""

    @transition(
        field=status,
        source=[S.REFERRED, S.IN_MEDIATION],
        target=S.MEDIATION_FAILED,
        permission=fsm_permission(dispute_access.can_handle_or_mediate_dispute),
    )
    def fail_mediation(self) -> None:
        """Mediation ended without agreement; arbitration, litigation or the bank remain."""

    @transition(
        field=status,
        source=[S.MEDIATION_FAILED, S.AGREEMENT_REACHED],
        target=S.BANK_HANDLING,
        permission=fsm_permission(dispute_access.can_handle_dispute),
    )
    def resume_handling(self) -> None:
        """Back to the bank (after failed mediation, or a rejected confirmation to renegotiate)."""

    @transition(
        field=status,
        source=S.AGREEMENT_REACHED,
        target=S.FAST_LANE,
        permission=fsm_permission(dispute_access.is_party_or_handler),
    )
    def mediate_again(self) -> None:
        """A court rejected confirmation of the agreement; the parties mediate again
        (CPL art. 206)."""

    @transition(
        field=status,
        source=[S.BANK_HANDLING, S.MEDIATION_FAILED],
        target=S.IN_ARBITRATION,
        permission=fsm_permission(dispute_access.can_handle_dispute),
    )
    def start_arbitration(self) -> None:
        """Requires a written arbitration agreement (Arbitration Law arts. 4, 16)."""

    @transition(
        field=status,
        source=[S.BANK_HANDLING, S.MEDIATION_FAILED, S.AGREEMENT_REACHED],
        target=S.IN_LITIGATION,
        permission=fsm_permission(dispute_access.is_party_or_handler),
    )
    def start_litigation(self) -> None:
        """The customer sues, or a confirmation was rejected (CPL art. 206)."""

    @transition(
        field=status,
        source=CLOSABLE_STATES,
        target=S.CLOSED,
        conditions=[has_closure_reason],
        permission=fsm_permission(dispute_access.can_handle_dispute),
    )
    def close(self) -> None:
        """Closing schedules the six-month look-back review (seed 6.3)."""

    @transition(
        field=status,
        source=SETTLEABLE_STATES,
        target=S.CLOSED,
        conditions=[has_closure_reason],
        permission=fsm_permission(dispute_access.is_dispute_customer),
    )
    def settle(self) -> None:
        """The customer accepted the bank's offer as a binding act (a settlement, 和解: Civil
        Code art. 464 ff.); like any closing it schedules the look-back review."""

    @transition(
        field=status,
        source=WITHDRAWABLE_STATES,
        target=S.WITHDRAWN,
        permission=fsm_permission(dispute_access.is_party_or_handler),
    )
    def withdraw(self) -> None:
        """The customer withdraws (staff may record a withdrawal made by phone or letter)."""
