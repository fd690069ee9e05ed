"""Representatives: the customer authorises an agent (a relative or a lawyer) on one case, with
a power of attorney; the agent acts on that case only, as the customer would, and every act
records for whom (portal.audit.on_behalf_of). Only the customer authorises or revokes."""

from __future__ import annotations

from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.models import Dispute, EvidenceCategory, Representative
from mediation.notify import branch_staff
from mediation.services.evidence import exhibit_staged
from portal.audit import audit_record
from portal.exceptions import ApplicationError, TransitionRefused
from portal.models import Role, User
from portal.notifications import notify_after_commit
from portal.transitions import ActionForbidden


def _principal_lock(actor: User, reference: str) -> Dispute:
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.is_principal(actor, dispute):
        raise ActionForbidden(_("Only the customer authorises or revokes an agent."))
    return dispute


def representative_authorise(
    *,
    actor: User,
    reference: str,
    agent_mobile: str,
    relation: str,
    upload: IO[bytes],
    file_name: str,
    size: int | None,
) -> Representative:
    """The agent is a person with their own account and a verified mobile number (the portal
    knows who acts); the power of attorney goes into the case's evidence (stored before the
    case is locked; the rules are read before it and again under the lock)."""
    agent = _agent_to_authorise(
        actor, dispute_access.dispute_get_for(actor, reference), agent_mobile, relation
    )
    with (
        exhibit_staged(
            actor=actor,
            reference=reference,
            upload=upload,
            original_name=file_name,
            declared_size=size,
            title=_("Power of attorney: %(name)s") % {"name": agent.display_name},
            category=EvidenceCategory.POWER_OF_ATTORNEY,
        ) as exhibit,
        transaction.atomic(),
    ):
        dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
        agent = _agent_to_authorise(actor, dispute, agent_mobile, relation)
        representative = Representative.objects.create(
            dispute=dispute, agent=agent, relation=relation, power_of_attorney=exhibit.record()
        )
        audit_record(
            actor=actor,
            action="representative.authorised",
            target=representative,
            case_ref=reference,
            data={"agent": agent.username, "relation": relation},
        )
        _tell(dispute, representative, "representative_authorised")
        return representative


def _agent_to_authorise(actor: User, dispute: Dispute, agent_mobile: str, relation: str) -> User:
    """The person this customer may make their agent on this case, or the refusal."""
    if not dispute_access.is_principal(actor, dispute):
        raise ActionForbidden(_("Only the customer authorises or revokes an agent."))
    if not dispute.is_open:
        raise TransitionRefused(_("An agent is authorised while the case is open."))
    if relation not in Representative.Relation.values:
        raise ApplicationError(_("Choose the agent's relation to you."))
    agent = User.objects.filter(
        role=Role.CUSTOMER,
        is_active=True,
        mobile=agent_mobile.strip(),
        mobile_verified_at__isnull=False,
    ).first()
    if agent is None:
        raise ApplicationError(
            _(
                "No one with a verified account has this mobile number. Ask your agent to "
                "register on the portal first, then authorise them."
            ),
            code="agent_unknown",
        )
    if agent.pk == actor.pk:
        raise ApplicationError(_("You act on your own case already."), code="agent_is_customer")
    if dispute.representatives.filter(agent=agent, revoked_at__isnull=True).exists():
        raise TransitionRefused(_("This person is already your agent on this case."))
    return agent


@transaction.atomic
def representative_revoke(
    *, actor: User, reference: str, representative_id: int, reason: str = ""
) -> Representative:
    dispute = _principal_lock(actor, reference)
    representative = (
        dispute.representatives.select_for_update()
        .select_related("agent")
        .filter(pk=representative_id, revoked_at__isnull=True)
        .first()
    )
    if representative is None:
        raise TransitionRefused(_("This authorisation is no longer in force."))
    representative.revoked_at, representative.revoked_reason = timezone.now(), reason.strip()
    representative.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        actor=actor,
        action="representative.revoked",
        target=representative,
        case_ref=reference,
        reason=representative.revoked_reason,
        data={"agent": representative.agent.username},
    )
    _tell(dispute, representative, "representative_revoked")
    return representative


def _tell(dispute: Dispute, representative: Representative, event: str) -> None:
    notify_after_commit(
        event,
        recipients=[representative.agent, *branch_staff(dispute)],
        case_ref=dispute.reference,
        url=dispute.get_absolute_url(),
        params={
            "ref": dispute.reference,
            "agent": representative.agent.display_name,
            "customer": dispute.customer.display_name,
        },
    )


def principal_of(actor: User, case_ref: str) -> str:
    """For portal.audit: the customer an authorised agent acts for on this case, or ""."""
    if actor.role != Role.CUSTOMER:
        return ""
    principal = (
        Representative.objects.filter(
            agent=actor, revoked_at__isnull=True, dispute__reference=case_ref
        )
        .values_list("dispute__customer__username", flat=True)
        .first()
    )
    return principal or ""
