"""The judicial-confirmation lifecycle of a mediation agreement (司法确认).

States, in order::

    preparing -> filed -> accepted -> confirmed | rejected
                      \\-> not_accepted
    preparing | filed | accepted -> withdrawn
    rejected -> amended | remediation | litigation

Transition table (kept in step with the code by tests/referrals/test_confirmation.py):

=================== ============================================ =================
transition          from                                         to
=================== ============================================ =================
file                preparing                                    filed
accept              filed                                        accepted
not_accept          filed                                        not_accepted
confirm             accepted                                     confirmed
reject              accepted                                     rejected
withdraw            preparing, filed, accepted                   withdrawn
amend_agreement     rejected                                     amended
mediate_again       rejected                                     remediation
sue                 rejected                                     litigation
=================== ============================================ =================

Rules: both parties apply jointly within 30 days of the agreement's effective date (CPL 2023
art. 205; 人民调解法 art. 33), counted per art. 85; the court decides on acceptance within 3 days
with a 调确字 case number (SPC 2011 rules art. 4), refuses on the grounds of the CPL
interpretation art. 355, and rules within 15 days of acceptance, 10 more with approval, 30 as the
ceiling (SPC 2011 art. 5; CPL art. 187); it rejects on the grounds of art. 358. After a rejection
the parties may amend the agreement, mediate again or sue (CPL art. 206).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.access import fsm_permission
from referrals.confirmation import access as confirmation_access


class ConfirmationStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing the application")
    FILED = "filed", _("Filed with the court")
    ACCEPTED = "accepted", _("Accepted by the court")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    CONFIRMED = "confirmed", _("Confirmed: enforceable")
    REJECTED = "rejected", _("Application rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    AMENDED = "amended", _("Agreement amended for a new application")
    REMEDIATION = "remediation", _("Back to mediation")
    LITIGATION = "litigation", _("Taken to court by a lawsuit")


C = ConfirmationStatus
OPEN_CONFIRMATION_STATES = [C.PREPARING, C.FILED, C.ACCEPTED]


class NotAcceptedReason(models.TextChoices):
    """CPL interpretation (2022) art. 355."""

    OUT_OF_SCOPE = "out_of_scope", _("Not within the courts' remit")
    NO_JURISDICTION = "no_jurisdiction", _("Not within this court's jurisdiction")
    PERSONAL_STATUS = "personal_status", _("Concerns marriage, parentage or adoption status")
    SPECIAL_PROCEDURE = (
        "special_procedure",
        _("Needs another special, public-notice or bankruptcy procedure"),
    )
    PROPERTY_TITLE = "property_title", _("Decides title to property or intellectual property")


class RejectionGround(models.TextChoices):
    """CPL interpretation (2022) art. 358."""

    MANDATORY_LAW = "mandatory_law", _("Violates a mandatory provision of law")
    PUBLIC_INTEREST = (
        "public_interest",
        _("Harms the State, the public interest or others' lawful rights"),
    )
    PUBLIC_ORDER = "public_order", _("Violates public order and good morals")
    NOT_VOLUNTARY = "not_voluntary", _("Not made voluntarily")
    UNCLEAR = "unclear", _("Its content is unclear")
    OTHER = "other", _("Other grounds on which it cannot be confirmed")


def has_joint_consent(confirmation: ConfirmationLifecycle) -> bool:
    return bool(confirmation.customer_consent_at and confirmation.bank_consent_at)


def within_window(confirmation: ConfirmationLifecycle) -> bool:
    return confirmation.is_within_window()


def package_complete(confirmation: ConfirmationLifecycle) -> bool:
    return not confirmation.missing_materials()


class ConfirmationLifecycle(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _("status"),
        max_length=30,
        choices=ConfirmationStatus.choices,
        default=ConfirmationStatus.PREPARING,
        protected=True,
        db_index=True,
    )

    class Meta:
        abstract = True

    customer_consent_at: object
    bank_consent_at: object

    def is_within_window(self) -> bool:
        raise NotImplementedError

    def missing_materials(self) -> list[str]:
        raise NotImplementedError

    @transition(
        field=status,
        source=C.PREPARING,
        target=C.FILED,
        conditions=[has_joint_consent, within_window, package_complete],
        permission=fsm_permission(confirmation_access.can_prepare_confirmation),
    )
    def file(self) -> None:
        """The joint application goes to the court; acceptance is due within 3 days."""

    @transition(
        field=status,
        source=C.FILED,
        target=C.ACCEPTED,
        permission=fsm_permission(confirmation_access.can_act_for_court),
    )
    def accept(self) -> None:
        """Accepted with a 调确字 number; the ruling is due within 15 days."""

    @transition(
        field=status,
        source=C.FILED,
        target=C.NOT_ACCEPTED,
        permission=fsm_permission(confirmation_access.can_act_for_court),
    )
    def not_accept(self) -> None:
        """Not accepted, on an art. 355 ground."""

    @transition(
        field=status,
        source=C.ACCEPTED,
        target=C.CONFIRMED,
        permission=fsm_permission(confirmation_access.can_act_for_court),
    )
    def confirm(self) -> None:
        """Ruling confirming the agreement: enforceable (CPL art. 206)."""

    @transition(
        field=status,
        source=C.ACCEPTED,
        target=C.REJECTED,
        permission=fsm_permission(confirmation_access.can_act_for_court),
    )
    def reject(self) -> None:
        """Ruling rejecting the application, on an art. 358 ground."""

    @transition(
        field=status,
        source=OPEN_CONFIRMATION_STATES,
        target=C.WITHDRAWN,
        permission=fsm_permission(confirmation_access.can_prepare_confirmation),
    )
    def withdraw(self) -> None:
        """The parties withdraw the application."""

    @transition(
        field=status,
        source=C.REJECTED,
        target=C.AMENDED,
        permission=fsm_permission(confirmation_access.can_prepare_confirmation),
    )
    def amend_agreement(self) -> None:
        """The parties amend the agreement; a new application follows."""

    @transition(
        field=status,
        source=C.REJECTED,
        target=C.REMEDIATION,
        permission=fsm_permission(confirmation_access.can_prepare_confirmation),
    )
    def mediate_again(self) -> None:
        """The case goes back to the mediation fast lane."""

    @transition(
        field=status,
        source=C.REJECTED,
        target=C.LITIGATION,
        permission=fsm_permission(confirmation_access.can_prepare_confirmation),
    )
    def sue(self) -> None:
        """A party sues in court."""
