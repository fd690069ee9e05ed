"""Requesting, building and storing evidence bundles (DESIGN.md section 6).

A bundle is made for one recipient and never changes once ready; asking again makes a new
version. Building runs as a background task: a failure marks that version failed with the
reason and leaves the previous version current; a build interrupted by a crash is picked up
again by bundle_requeue_stale (run by `manage.py run_scheduled_jobs`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.models import PartnerOrganisation, User
from portal.transitions import ActionForbidden
from referrals.bundles.data import bundle_data
from referrals.bundles.profiles import PROFILES
from referrals.documents import BundleRenderError, render_bundle, render_zip
from referrals.models import Bundle, BundleExhibit, BundleStatus
from referrals.webhooks.services import webhook_emit

log = logging.getLogger("portal.bundles")

MAX_ATTEMPTS = 3


def _enqueue(bundle_id: int) -> None:
    from referrals.bundles.tasks import build_bundle

    build_bundle.enqueue(bundle_id)


@transaction.atomic
def bundle_request(
    *,
    actor: User,
    reference: str,
    recipient_kind: str,
    organisation_id: int | None = None,
    evidence_ids: list[int] | None = None,
    purpose: str = "",
) -> Bundle:
    """Ask for a new bundle version. Staff choose the exhibits; by default the recipient's
    profile decides which categories go (a mediation centre gets no identity documents)."""
    dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
    if not dispute_access.can_handle_dispute(actor, dispute):
        raise ActionForbidden(_("Only bank staff handling this case can prepare bundles."))
    profile = PROFILES.get(recipient_kind)
    if profile is None:
        raise ApplicationError(_("Choose the kind of recipient."))
    organisation = None
    if organisation_id is not None:
        organisation = (
            PartnerOrganisation.objects.active()
            .filter(pk=organisation_id, kind=recipient_kind)
            .first()
        )
        if organisation is None:
            raise ApplicationError(_("Choose an active organisation of that kind."))
    items = list(dispute.evidence.order_by("uploaded_at", "pk"))
    if evidence_ids:
        wanted = set(evidence_ids)
        chosen = [i for i in items if i.pk in wanted]
        if len(chosen) != len(wanted):
            raise ApplicationError(_("Some chosen exhibits do not belong to this case."))
    else:
        chosen = [i for i in items if i.category in profile.default_categories]
    if not chosen:
        raise ApplicationError(_("There is no evidence to put in the bundle yet."))
    pages = sum(item.page_count for item in chosen)
    if pages > settings.BUNDLE_MAX_PAGES:
        raise ApplicationError(
            _(
                "These exhibits have %(pages)s pages; a bundle holds at most %(limit)s. Choose "
                "fewer exhibits and send the rest in a second bundle."
            )
            % {"pages": pages, "limit": settings.BUNDLE_MAX_PAGES},
            code="bundle_too_large",
        )
    latest = dispute.bundles.filter(recipient_kind=recipient_kind).aggregate(v=Max("version"))
    bundle = Bundle.objects.create(
        dispute=dispute,
        recipient_kind=recipient_kind,
        organisation=organisation,
        purpose=purpose.strip() or str(profile.default_purpose),
        version=(latest["v"] or 0) + 1,
        requested_by=actor,
    )
    BundleExhibit.objects.bulk_create(
        BundleExhibit(bundle=bundle, number=n, evidence=item)
        for n, item in enumerate(chosen, start=1)
    )
    audit_record(
        actor=actor,
        action="bundle.requested",
        target=bundle,
        case_ref=dispute.reference,
        data={
            "kind": recipient_kind,
            "version": bundle.version,
            "exhibits": [i.pk for i in chosen],
        },
    )
    transaction.on_commit(partial(_enqueue, bundle.pk))
    return bundle


def _claim(bundle_id: int) -> Bundle | None:
    """Mark a queued bundle as building; None when another worker has it or it is done."""
    with transaction.atomic():
        bundle = Bundle.objects.select_for_update().filter(pk=bundle_id).first()
        if bundle is None or bundle.status != BundleStatus.QUEUED:
            return None
        bundle.status = BundleStatus.BUILDING
        bundle.attempts += 1
        bundle.started_at = timezone.now()
        bundle.failure_reason = ""
        bundle.save(update_fields=["status", "attempts", "started_at", "failure_reason"])
    return bundle


def bundle_generate(*, bundle_id: int) -> Bundle | None:
    """Build the PDF and ZIP of a queued bundle and store them with their hashes."""
    bundle = _claim(bundle_id)
    if bundle is None:
        return None
    stored: list[str] = []
    try:
        bundle = Bundle.objects.select_related(
            "dispute", "dispute__customer", "dispute__branch", "organisation"
        ).get(pk=bundle_id)
        data = bundle_data(bundle)
        rendered = render_bundle(data, deadline=time.monotonic() + settings.BUNDLE_MAX_SECONDS)
        archive = render_zip(data)
        base = f"bundles/{bundle.dispute.reference}/v{bundle.version}-{bundle.recipient_kind}"
        pdf_name = default_storage.save(f"{base}.pdf", ContentFile(rendered.pdf))
        stored.append(pdf_name)
        zip_name = default_storage.save(f"{base}.zip", ContentFile(archive))
        stored.append(zip_name)
        with transaction.atomic():
            locked = Bundle.objects.select_for_update().get(pk=bundle_id)
            if locked.status != BundleStatus.BUILDING or locked.attempts != bundle.attempts:
                raise BundleRenderError("superseded by another attempt")
            for row in locked.exhibits.all():
                first, last = rendered.ranges[row.number]
                row.first_page, row.last_page = first, last
                row.save(update_fields=["first_page", "last_page"])
            locked.pdf.name, locked.zip.name = pdf_name, zip_name
            locked.pdf_sha256 = hashlib.sha256(rendered.pdf).hexdigest()
            locked.zip_sha256 = hashlib.sha256(archive).hexdigest()
            locked.content_hash = data.content_hash
            locked.page_count = rendered.page_count
            locked.status = BundleStatus.READY
            locked.finished_at = timezone.now()
            locked.save()
            audit_record(
                actor=None,
                action="bundle.generated",
                target=locked,
                case_ref=locked.dispute.reference,
                data={
                    "version": locked.version,
                    "pages": locked.page_count,
                    "pdf_sha256": locked.pdf_sha256,
                    "content_hash": locked.content_hash,
                },
            )
            if locked.organisation_id:
                webhook_emit(
                    "bundle.ready",
                    organisation_id=locked.organisation_id,
                    payload={
                        "bundle": locked.pk,
                        "case": locked.dispute.reference,
                        "version": locked.version,
                        "pdf_sha256": locked.pdf_sha256,
                    },
                )
        return locked
    except Exception as exc:
        for name in stored:
            default_storage.delete(name)
        reason = (
            str(exc)
            if isinstance(exc, BundleRenderError | ApplicationError)
            else (f"{type(exc).__name__}: {exc}")
        )
        log.exception("bundle %s failed", bundle_id)
        _fail(bundle_id, reason[:500])
        return None


def _fail(bundle_id: int, reason: str) -> None:
    with transaction.atomic():
        bundle = Bundle.objects.select_for_update().select_related("dispute").get(pk=bundle_id)
        if bundle.status == BundleStatus.READY:
            return
        bundle.status = BundleStatus.FAILED
        bundle.failure_reason = reason
        bundle.finished_at = timezone.now()
        bundle.save(update_fields=["status", "failure_reason", "finished_at"])
        audit_record(
            actor=None,
            action="bundle.failed",
            target=bundle,
            case_ref=bundle.dispute.reference,
            reason=reason,
            data={"version": bundle.version},
        )


def bundle_requeue_stale(*, now: datetime | None = None) -> int:
    """Pick up builds a crashed worker left behind: requeue them, or give up after three
    attempts with a reason. Idempotent; returns how many bundles it touched."""
    now = now or timezone.now()
    stale_after = timedelta(seconds=settings.BUNDLE_STALE_AFTER_SECONDS)
    touched = 0
    stale = Bundle.objects.filter(status=BundleStatus.BUILDING, started_at__lt=now - stale_after)
    lost = Bundle.objects.filter(status=BundleStatus.QUEUED, queued_at__lt=now - stale_after)
    for bundle_id in list(stale.values_list("pk", flat=True)) + list(
        lost.values_list("pk", flat=True)
    ):
        with transaction.atomic():
            bundle = Bundle.objects.select_for_update().get(pk=bundle_id)
            if bundle.status not in (BundleStatus.BUILDING, BundleStatus.QUEUED):
                continue
            if bundle.attempts >= MAX_ATTEMPTS:
                bundle.status = BundleStatus.FAILED
                bundle.failure_reason = _("Gave up after %(n)s interrupted attempts.") % {
                    "n": bundle.attempts
                }
                bundle.finished_at = now
                bundle.save(update_fields=["status", "failure_reason", "finished_at"])
            else:
                bundle.status = BundleStatus.QUEUED
                bundle.started_at = None
                bundle.queued_at = now
                bundle.save(update_fields=["status", "started_at", "queued_at"])
                transaction.on_commit(partial(_enqueue, bundle.pk))
            touched += 1
    return touched


def bundle_log_download(*, actor: User, bundle: Bundle, part: str) -> None:
    audit_record(
        actor=actor,
        action="bundle.downloaded",
        target=bundle,
        case_ref=bundle.dispute.reference,
        data={"version": bundle.version, "part": part},
    )
