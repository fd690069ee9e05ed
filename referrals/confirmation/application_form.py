"""The joint application form for judicial confirmation: gathered from the case, rendered in
the background (referrals/documents.py), stored with its hash; lost builds are requeued."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from portal.audit import audit_record
from portal.exceptions import TransitionRefused
from portal.models import User
from portal.transitions import ActionForbidden
from referrals.confirmation.lifecycle import ConfirmationStatus
from referrals.confirmation.services import confirmation_lock
from referrals.documents import ConfirmationFormData, Party, render_confirmation_form
from referrals.models import FormStatus, JudicialConfirmation


def _enqueue_form(confirmation_id: int) -> None:
    from referrals.confirmation.tasks import build_confirmation_form

    build_confirmation_form.enqueue(confirmation_id)


log = logging.getLogger("portal.confirmations")


@transaction.atomic
def confirmation_request_form(*, actor: User, confirmation_id: int) -> JudicialConfirmation:
    """Queue the application form; it is rendered by the task worker, never in a request."""
    c = confirmation_lock(actor, confirmation_id)
    if not dispute_access.can_handle_dispute(actor, c.dispute):
        raise ActionForbidden(_("Only bank staff handling this case prepare the application."))
    if c.status != ConfirmationStatus.PREPARING:
        raise TransitionRefused(_("The application has already left preparation."))
    c.form_status, c.form_error = FormStatus.QUEUED, ""
    c.save(update_fields=["form_status", "form_error", "updated_at"])
    transaction.on_commit(partial(_enqueue_form, c.pk))
    return c


def confirmation_form_data(c: JudicialConfirmation) -> ConfirmationFormData:
    dispute, customer = c.dispute, c.dispute.customer
    referral = c.agreement.referral
    materials = [
        _("Mediation agreement"),
        _("Proof of mediation by the centre"),
        _("Identity documents of both parties"),
        _("Contact details of both parties"),
    ]
    if c.filed_by_agent:
        materials.append(_("Power of attorney"))
    return ConfirmationFormData(
        court=c.court.name,
        applicants=[
            Party(
                role="申请人",
                name=customer.display_name,
                id_number=customer.id_number,
                contact=customer.contact_mobile or customer.email,
            ),
            Party(
                role="申请人", name=f"本行（{dispute.branch.name}）", contact=dispute.branch.name
            ),
        ],
        agent=c.filed_by_agent,
        mediation_centre=referral.organisation.name,
        mediator=referral.mediator.display_name if referral.mediator else "",
        agreement_effective_on=c.effective_on,
        terms=c.terms,
        amount=f"{c.agreement.amount:,.2f}",
        performance_due=c.agreement.performance_due,
        case_reference=dispute.reference,
        materials=[str(m) for m in materials],
        generated_at=timezone.localtime(),
    )


def confirmation_form_generate(*, confirmation_id: int) -> None:
    """Render and store the application form (run by the task worker)."""
    with transaction.atomic():
        c = JudicialConfirmation.objects.select_for_update().filter(pk=confirmation_id).first()
        if c is None or c.form_status != FormStatus.QUEUED:
            return
    c = JudicialConfirmation.objects.select_related(
        "dispute",
        "dispute__customer",
        "dispute__branch",
        "court",
        "agreement",
        "agreement__referral",
        "agreement__referral__organisation",
        "agreement__referral__mediator",
    ).get(pk=confirmation_id)
    try:
        pdf = render_confirmation_form(confirmation_form_data(c))
        name = default_storage.save(
            f"confirmations/{c.dispute.reference}/application-{c.pk}.pdf", ContentFile(pdf)
        )
    except Exception as exc:
        log.exception("confirmation form %s failed", confirmation_id)
        JudicialConfirmation.objects.filter(pk=confirmation_id).update(
            form_status=FormStatus.FAILED, form_error=f"{type(exc).__name__}: {exc}"[:500]
        )
        return
    with transaction.atomic():
        locked = JudicialConfirmation.objects.select_for_update().get(pk=confirmation_id)
        locked.application_pdf.name = name
        locked.application_sha256 = hashlib.sha256(pdf).hexdigest()
        locked.form_status = FormStatus.READY
        locked.save(
            update_fields=["application_pdf", "application_sha256", "form_status", "updated_at"]
        )
        audit_record(
            actor=None,
            action="confirmation.form_generated",
            target=locked,
            case_ref=locked.dispute.reference,
            data={"sha256": locked.application_sha256},
        )


def confirmation_requeue_stale_forms(*, now: datetime | None = None) -> int:
    """Requeue application forms whose task was lost (a crashed worker). Idempotent."""
    cutoff = (now or timezone.now()) - timedelta(minutes=15)
    stale = list(
        JudicialConfirmation.objects.filter(
            form_status=FormStatus.QUEUED, updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in stale:
        JudicialConfirmation.objects.filter(pk=pk).update(updated_at=timezone.now())
        transaction.on_commit(partial(_enqueue_form, pk))
    return len(stale)
