"""The arbitration lifecycle, for suitability disputes over wealth-management products.

States, in order::

    agreement_signed -> filed -> accepted -> partial_award* -> award | mediation_document
    any open state -> withdrawn

Transition table (kept in step with the code by tests/referrals/test_lifecycle.py):

=================== ============================================ =================
transition          from                                         to
=================== ============================================ =================
file                agreement_signed                             filed
accept              filed                                        accepted
partial_award       accepted, partial_award                      partial_award
make_award          accepted, partial_award                      award
mediation_document  accepted, partial_award                      mediation_document
withdraw            agreement_signed, filed, accepted,           withdrawn
                    partial_award
=================== ============================================ =================

Rules: a written arbitration agreement is required and may be signed after the dispute arose
(Arbitration Law arts. 4, 16); the commission decides on acceptance within 5 days (art. 24); a
partial award (先行裁决) may settle the clear part early; an award takes effect when made; a
correction may be asked within 30 days, and setting aside within 3 months (2025 revision, in
force 2026-03-01). The bank's own target: 45 days from acceptance (seed 4.8).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.access import fsm_permission
from referrals.arbitration import access as arbitration_access


class ArbitrationStatus(models.TextChoices):
    AGREEMENT_SIGNED = "agreement_signed", _("Arbitration agreement signed")
    FILED = "filed", _("Filed with the commission")
    ACCEPTED = "accepted", _("Accepted by the commission")
    PARTIAL_AWARD = "partial_award", _("Partial award made")
    AWARD = "award", _("Award made")
    MEDIATION_DOCUMENT = "mediation_document", _("Mediation document issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")


A = ArbitrationStatus
OPEN_ARBITRATION_STATES = [A.AGREEMENT_SIGNED, A.FILED, A.ACCEPTED, A.PARTIAL_AWARD]


class ArbitrationLifecycle(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _("status"),
        max_length=30,
        choices=ArbitrationStatus.choices,
        default=ArbitrationStatus.AGREEMENT_SIGNED,
        protected=True,
        db_index=True,
    )

    class Meta:
        abstract = True

    @transition(
        field=status,
        source=A.AGREEMENT_SIGNED,
        target=A.FILED,
        permission=fsm_permission(arbitration_access.can_file_arbitration),
    )
    def file(self) -> None:
        """The application goes to the commission; acceptance is due within 5 days."""

    @transition(
        field=status,
        source=A.FILED,
        target=A.ACCEPTED,
        permission=fsm_permission(arbitration_access.can_act_for_commission),
    )
    def accept(self) -> None:
        """The commission accepts the case; the 45-day target starts."""

    @transition(
        field=status,
        source=[A.ACCEPTED, A.PARTIAL_AWARD],
        target=A.PARTIAL_AWARD,
        permission=fsm_permission(arbitration_access.can_act_for_commission),
    )
    def partial_award(self) -> None:
        """先行裁决 on the part of the facts already clear."""

    @transition(
        field=status,
        source=[A.ACCEPTED, A.PARTIAL_AWARD],
        target=A.AWARD,
        permission=fsm_permission(arbitration_access.can_act_for_commission),
    )
    def make_award(self) -> None:
        """The final award, effective when made; the correction and set-aside windows open."""

    @transition(
        field=status,
        source=[A.ACCEPTED, A.PARTIAL_AWARD],
        target=A.MEDIATION_DOCUMENT,
        permission=fsm_permission(arbitration_access.can_act_for_commission),
    )
    def mediation_document(self) -> None:
        """The parties settled before the tribunal, which issued a mediation document."""

    @transition(
        field=status,
        source=OPEN_ARBITRATION_STATES,
        target=A.WITHDRAWN,
        permission=fsm_permission(arbitration_access.can_file_arbitration),
    )
    def withdraw(self) -> None:
        """The application is withdrawn."""
