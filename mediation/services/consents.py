"""Consent to mediation and the separate personal-information consent.

PIPL art. 23: before personal information goes to another handler (a partner mediation
centre), the customer gives separate consent naming the recipient, the purpose and the data
categories. Art. 29: financial accounts and ID numbers are sensitive, so they are named too.
Withdrawal stops further disclosure (art. 15) and is recorded.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediation import access as dispute_access
from mediation import hooks
from mediation.lifecycle import OPT_IN_STATES
from mediation.models import Consent, Dispute, MediationRequest
from mediation.notify import branch_staff
from mediation.services.disputes import dispute_agree_to_mediation, dispute_opt_in
from portal import access as portal_access
from portal import binding
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import OrganisationKind, PartnerOrganisation, User
from portal.notifications import notify_after_commit
from portal.transitions import ActionForbidden

# Stored by key (machine-readable); shown by label in the customer's language.
DISCLOSURE_CATEGORIES = {
    "name": gettext_lazy("name"),
    "mobile": gettext_lazy("mobile number"),
    "id_number": gettext_lazy("resident ID number (sensitive)"),
    "account_number": gettext_lazy("account or card number (sensitive)"),
    "dispute": gettext_lazy("dispute facts and claim"),
    "evidence": gettext_lazy("evidence files"),
}


def mediation_consent_text() -> str:
    return _(
        "I choose to have this dispute mediated by a partner mediation centre of the bank. "
        "Mediation is voluntary: I may withdraw at any time before an agreement is signed, "
        "and I keep the right to arbitration or litigation."
    )


def disclosure_consent_text(recipient: PartnerOrganisation | None) -> str:
    name = recipient.name if recipient else _("the partner mediation centre the bank proposes")
    return _(
        "I agree that the bank may provide %(recipient)s with the following personal "
        "information, only to mediate this dispute: %(categories)s. ID and account numbers are "
        "sensitive personal information. I may withdraw this consent at any time; no further "
        "information will be provided after that."
    ) % {"recipient": name, "categories": "、".join(str(c) for c in DISCLOSURE_CATEGORIES.values())}


def _record(
    *,
    dispute: Dispute,
    kind: str,
    recipient: PartnerOrganisation | None,
    text: str,
    ip_address: str | None,
    user_agent: str,
) -> Consent:
    consent = Consent.objects.create(
        dispute=dispute,
        kind=kind,
        recipient=recipient,
        purpose=_("Mediation of dispute %(ref)s") % {"ref": dispute.reference},
        data_categories=list(DISCLOSURE_CATEGORIES) if kind == Consent.Kind.PERSONAL_INFO else [],
        text=text,
        text_version=settings.CONSENT_TEXT_VERSION,
        granted_at=timezone.now(),
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
    )
    audit_record(
        actor=dispute.customer,
        action=f"consent.given.{kind}",
        target=consent,
        case_ref=dispute.reference,
        data={"recipient": recipient.name if recipient else None, "version": consent.text_version},
    )
    return consent


def _mediation_centre(organisation_id: int | None) -> PartnerOrganisation | None:
    if organisation_id is None:
        return None
    org = (
        PartnerOrganisation.objects.active()
        .filter(pk=organisation_id, kind=OrganisationKind.MEDIATION_CENTRE)
        .first()
    )
    if org is None:
        raise ApplicationError(_("Choose one of the listed mediation centres."))
    return org


def consents_given(dispute: Dispute) -> dict[str, datetime]:
    """The opt-in's consents the customer already gave on this case and has not withdrawn
    (mediation; the disclosure consent naming no one), by the opt-in form's field names, with
    when they were given: the customer is not asked for them again."""
    given: dict[str, datetime] = {}
    for kind, granted in dispute.consents.filter(
        withdrawn_at__isnull=True, recipient__isnull=True
    ).values_list("kind", "granted_at"):
        name = "agree_mediation" if kind == Consent.Kind.MEDIATION else "agree_disclosure"
        given.setdefault(name, granted)
    return given


@transaction.atomic
def consent_opt_in(
    *,
    actor: User,
    reference: str,
    agree_mediation: bool,
    agree_disclosure: bool,
    ip_address: str | None = None,
    user_agent: str = "",
) -> Dispute:
    """One action for the customer: both consents recorded, then the dispute enters the fast
    lane. Either consent missing: nothing is recorded. The disclosure consent given here names
    no recipient; nothing goes to a centre until the customer consents to that centre by name,
    a binding act (consent_give_disclosure)."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.is_dispute_customer(actor, dispute):
        raise ActionForbidden(_("Only the customer can choose mediation."))
    given = consents_given(dispute)
    agree_mediation = agree_mediation or "agree_mediation" in given
    agree_disclosure = agree_disclosure or "agree_disclosure" in given
    if not (agree_mediation and agree_disclosure):
        raise ApplicationError(
            _("Both consents are needed to enter the mediation fast lane."), code="no_consent"
        )
    for name, kind, text in (
        ("agree_mediation", Consent.Kind.MEDIATION, mediation_consent_text()),
        ("agree_disclosure", Consent.Kind.PERSONAL_INFO, disclosure_consent_text(None)),
    ):
        if name not in given:
            _record(
                dispute=dispute,
                kind=kind,
                recipient=None,
                text=text,
                ip_address=ip_address,
                user_agent=user_agent,
            )
    dispute = dispute_opt_in(actor=actor, reference=reference)
    notify_after_commit(
        "opt_in_confirmed",
        recipients=[dispute.customer],
        case_ref=reference,
        url=dispute.get_absolute_url(),
        params={"ref": reference},
    )
    return dispute


def disclosure_act_text(dispute: Dispute, recipient: PartnerOrganisation) -> binding.ActText:
    """What a customer consenting to give a named centre their personal information reads in
    full and confirms (a binding act: PIPL arts. 23 and 29, a separate consent naming the
    recipient, the purpose and the sensitive data)."""
    return binding.ActText(
        kind="consent.disclosure",
        title=_("Consent to give %(org)s your personal information, case %(ref)s")
        % {"org": recipient.name, "ref": dispute.reference},
        case_ref=dispute.reference,
        lines=[
            (_("Recipient"), recipient.name),
            (_("Purpose"), str(_("Mediation of dispute %(ref)s") % {"ref": dispute.reference})),
            (
                _("Information"),
                "、".join(str(c) for c in DISCLOSURE_CATEGORIES.values()),
            ),
            (_("Consent text"), disclosure_consent_text(recipient)),
        ],
        gives_up=[
            _(
                "the bank gives this centre the information listed, to mediate this dispute "
                "and for nothing else;"
            ),
            _(
                "your ID and account numbers are sensitive personal information (PIPL art. 28) "
                "and go with it;"
            ),
            _(
                "you may withdraw this consent at any time on the case page: nothing more is "
                "given after that, but what was already given is not recalled (PIPL art. 15)."
            ),
        ],
    )


@transaction.atomic
def consent_give_disclosure(
    *,
    actor: User,
    reference: str,
    organisation_id: int,
    proof: binding.Reauthenticated | None,
    shown_sha256: str,
    ip_address: str | None = None,
    user_agent: str = "",
) -> Consent:
    """The customer names the centre their information may go to: a binding act, confirmed
    with a code on its own page and sealed (portal/binding.py)."""
    binding.check_proof(proof, actor)
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.is_dispute_customer(actor, dispute):
        raise ActionForbidden(_("Only the customer can give this consent."))
    recipient = _mediation_centre(organisation_id)
    assert recipient is not None and proof is not None
    existing = dispute.consents_in_force(
        kind=Consent.Kind.PERSONAL_INFO, organisation_id=organisation_id
    ).first()
    if existing is not None:
        raise TransitionRefused(_("Your consent to this centre is already in force."))
    consent = _record(
        dispute=dispute,
        kind=Consent.Kind.PERSONAL_INFO,
        recipient=recipient,
        text=disclosure_consent_text(recipient),
        ip_address=ip_address,
        user_agent=user_agent,
    )
    binding.record(
        actor=actor,
        act=disclosure_act_text(dispute, recipient),
        target=consent,
        proof=proof,
        shown_sha256=shown_sha256,
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent_id: int, reason: str = "") -> Consent:
    """Withdrawal stops any further disclosure; what was already sent is not recalled. The
    partners that received the case are told (a hook the referrals layer fills)."""
    consent = (
        Consent.objects.select_for_update().select_related("dispute").filter(pk=consent_id).first()
    )
    if consent is None or not dispute_access.is_dispute_customer(actor, consent.dispute):
        raise portal_access.refuse(actor, "consent", consent_id)
    if consent.withdrawn_at is not None:
        raise ApplicationError(_("This consent was already withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_reason = reason.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    audit_record(
        actor=actor,
        action=f"consent.withdrawn.{consent.kind}",
        target=consent,
        case_ref=consent.dispute.reference,
        reason=reason,
    )
    hooks.consent_withdrawn(consent)
    return consent


# ---- mediation outside the fast lane --------------------------------------------------------

MIN_REFUSAL_REASON = 10


@transaction.atomic
def mediation_request(
    *,
    actor: User,
    reference: str,
    agree_mediation: bool,
    note: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> MediationRequest:
    """Above the threshold the customer asks the bank for mediation (consenting to it); the
    branch's staff are asked to decide. The customer names the centre their information may go
    to once the bank has agreed and proposes one, as in the fast lane."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.is_dispute_customer(actor, dispute):
        raise ActionForbidden(_("Only the customer asks for mediation."))
    if dispute.fast_lane_eligible:
        raise ApplicationError(
            _("Your claim qualifies for the mediation fast lane: choose it on the case page."),
            code="eligible",
        )
    if dispute.status not in OPT_IN_STATES:
        raise TransitionRefused(_("Mediation can be asked for while the bank handles the case."))
    if not agree_mediation:
        raise ApplicationError(_("Consent to mediation is needed first."), code="no_consent")
    if dispute.mediation_requests.filter(decision=MediationRequest.Decision.PENDING).exists():
        raise TransitionRefused(_("Your request for mediation is already with the bank."))
    if not dispute.consent_in_force(kind=Consent.Kind.MEDIATION):
        _record(
            dispute=dispute,
            kind=Consent.Kind.MEDIATION,
            recipient=None,
            text=mediation_consent_text(),
            ip_address=ip_address,
            user_agent=user_agent,
        )
    asked = MediationRequest.objects.create(dispute=dispute, note=note.strip(), requested_by=actor)
    audit_record(actor=actor, action="dispute.mediation_requested", target=dispute)
    notify_after_commit(
        "mediation_requested",
        recipients=branch_staff(dispute),
        case_ref=reference,
        url=dispute.get_absolute_url() + "#actions",
        params={"ref": reference},
    )
    return asked


@transaction.atomic
def mediation_request_decide(
    *, actor: User, reference: str, agree: bool, reason: str = ""
) -> MediationRequest:
    """The bank agrees (the case goes to a centre like a fast-lane case) or refuses with a
    reason the customer reads (银行保险机构消费者权益保护管理办法 art. 16)."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only bank staff handling this case decide."))
    asked = (
        dispute.mediation_requests.select_for_update()
        .filter(decision=MediationRequest.Decision.PENDING)
        .first()
    )
    if asked is None:
        raise TransitionRefused(_("No request for mediation waits for a decision."))
    asked.decided_by, asked.decided_at = actor, timezone.now()
    if agree:
        asked.decision = MediationRequest.Decision.AGREED
        asked.save(update_fields=["decision", "decided_by", "decided_at"])
        dispute_agree_to_mediation(actor=actor, reference=reference)
        event, params = "mediation_agreed", {"ref": reference}
    else:
        reason = reason.strip()
        if len(reason) < MIN_REFUSAL_REASON:
            raise ApplicationError(
                _(
                    "The bank may refuse mediation only for a good reason, recorded and sent to "
                    "the customer: write it out (at least %(n)s characters)."
                )
                % {"n": MIN_REFUSAL_REASON},
                code="reason_needed",
            )
        asked.decision, asked.refusal_reason = MediationRequest.Decision.REFUSED, reason
        asked.save(update_fields=["decision", "refusal_reason", "decided_by", "decided_at"])
        audit_record(actor=actor, action="dispute.mediation_refused", target=dispute, reason=reason)
        event, params = "mediation_refused", {"ref": reference, "reason": reason}
    notify_after_commit(
        event,
        recipients=[dispute.customer],
        case_ref=reference,
        url=dispute.get_absolute_url(),
        params=params,
    )
    return asked
