"""The referral lifecycle: a fast-lane dispute sent to a partner mediation centre.

States, in order::

    draft -> sent -> acknowledged -> accepted -> agreement | proposal_accepted | failed
                  \\-> declined (from sent or acknowledged)
    draft | sent | acknowledged | accepted -> withdrawn

Transition table (kept in step with the code by tests/referrals/test_lifecycle.py):

=================== ============================================ =================
transition          from                                         to
=================== ============================================ =================
send                draft                                        sent
acknowledge         sent                                         acknowledged
accept              sent, acknowledged                           accepted
decline             sent, acknowledged                           declined
record_agreement    accepted                                     agreement
accept_proposal     accepted                                     proposal_accepted
fail                accepted                                     failed
withdraw            draft, sent, acknowledged, accepted          withdrawn
=================== ============================================ =================

Rules: sending needs the customer's personal-information consent naming the organisation
(PIPL art. 23); a mediator is assigned within 3 working days of sending (人民法院在线调解规则
arts. 11-12); mediation lasts 30 days from acceptance, extended only with both parties' consent
(art. 20). Transition bodies only set fields; referrals/services/referrals.py does the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.access import fsm_permission
from referrals.centres import access as referral_access

if TYPE_CHECKING:
    from datetime import datetime


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted: in mediation")
    DECLINED = "declined", _("Declined")
    AGREEMENT = "agreement", _("Agreement signed")
    PROPOSAL_ACCEPTED = "proposal_accepted", _("Mediator's proposal accepted")
    FAILED = "failed", _("Mediation failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


R = ReferralStatus
OPEN_REFERRAL_STATES = [R.DRAFT, R.SENT, R.ACKNOWLEDGED, R.ACCEPTED]
# States in which the organisation has received the case.
DISCLOSED_STATES = [s for s in ReferralStatus if s not in (R.DRAFT,)]
# States in which the centre works the case, and so sees it whole (PIPL art. 6: no longer
# than needed): while the referral is live, and after an agreement while the case is still
# open (the centre's certificate goes with a judicial-confirmation application). A declined,
# withdrawn or failed referral leaves the centre only the referral's summary.
LIVE_STATES = [R.SENT, R.ACKNOWLEDGED, R.ACCEPTED]
CONCLUDED_STATES = [R.AGREEMENT, R.PROPOSAL_ACCEPTED]


def has_disclosure_consent(referral: ReferralLifecycle) -> bool:
    return referral.consent_in_force()


def has_mediator(referral: ReferralLifecycle) -> bool:
    return referral.mediator_id is not None


def has_reason(referral: ReferralLifecycle) -> bool:
    return bool(referral.reason)


class ReferralLifecycle(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _("status"),
        max_length=30,
        choices=ReferralStatus.choices,
        default=ReferralStatus.DRAFT,
        protected=True,
        db_index=True,
    )

    mediator_id: int | None
    reason: str
    sent_at: datetime | None

    class Meta:
        abstract = True

    def consent_in_force(self) -> bool:
        raise NotImplementedError

    @transition(
        field=status,
        source=R.DRAFT,
        target=R.SENT,
        conditions=[has_disclosure_consent],
        permission=fsm_permission(referral_access.can_send_referral),
    )
    def send(self) -> None:
        """The case file (a bundle version) goes to the centre; the assignment clock starts."""

    @transition(
        field=status,
        source=R.SENT,
        target=R.ACKNOWLEDGED,
        permission=fsm_permission(referral_access.is_referral_partner),
    )
    def acknowledge(self) -> None:
        """The centre confirms receipt."""

    @transition(
        field=status,
        source=[R.SENT, R.ACKNOWLEDGED],
        target=R.ACCEPTED,
        conditions=[has_mediator],
        permission=fsm_permission(referral_access.is_referral_partner),
    )
    def accept(self) -> None:
        """A mediator is assigned; the 30-day mediation period starts."""

    @transition(
        field=status,
        source=[R.SENT, R.ACKNOWLEDGED],
        target=R.DECLINED,
        conditions=[has_reason],
        permission=fsm_permission(referral_access.is_referral_partner),
    )
    def decline(self) -> None:
        """The centre declines, with a reason; the bank may refer elsewhere."""

    @transition(
        field=status,
        source=R.ACCEPTED,
        target=R.AGREEMENT,
        permission=fsm_permission(referral_access.can_record_referral_outcome),
    )
    def record_agreement(self) -> None:
        """A signed, sealed agreement (人民调解法 arts. 29-30)."""

    @transition(
        field=status,
        source=R.ACCEPTED,
        target=R.PROPOSAL_ACCEPTED,
        permission=fsm_permission(referral_access.can_answer_proposal),
    )
    def accept_proposal(self) -> None:
        """The mediator's proposal accepted by the customer (and binding on, or accepted by,
        the bank)."""

    @transition(
        field=status,
        source=R.ACCEPTED,
        target=R.FAILED,
        conditions=[has_reason],
        permission=fsm_permission(referral_access.can_record_referral_outcome),
    )
    def fail(self) -> None:
        """No agreement; arbitration, litigation or the bank remain open to the customer."""

    @transition(
        field=status,
        source=OPEN_REFERRAL_STATES,
        target=R.WITHDRAWN,
        permission=fsm_permission(referral_access.can_withdraw_referral),
    )
    def withdraw(self) -> None:
        """Withdrawn by the bank, or at the customer's wish."""
