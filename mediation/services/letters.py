"""Scanned letters at phone-or-letter intake: stored, read by the worker, and made the
recorded case's first exhibit (mediation/letters.py reads them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import IO

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.letters import UnreadableScan, read_text
from mediation.models import EvidenceCategory, EvidenceItem, LetterScan
from mediation.services.evidence import (
    discarded_on_failure,
    evidence_prepare,
    evidence_record,
    store_clean_file,
)
from mediation.uploads import clean_upload, read_limited, safe_display_name
from portal import access as portal_access
from portal.audit import audit_record
from portal.exceptions import ApplicationError
from portal.models import User
from portal.privacy import delete_files_on_commit
from portal.transitions import ActionForbidden

# A scan no case was recorded from is a stranger's letter kept for nothing: the retention job
# removes it this many days after it was scanned.
SCAN_KEPT_DAYS = 30


def letter_scan_upload(
    *, actor: User, upload: IO[bytes], original_name: str, declared_size: int | None
) -> LetterScan:
    """Keep a scanned letter (checked and neutralised as evidence is) and have the worker read
    it. A refused file leaves nothing behind."""
    if not portal_access.is_bank_staff(actor) or actor.branch_id is None:
        raise ActionForbidden(_("Only a branch's staff record letters."))
    clean = clean_upload(read_limited(upload, declared_size))  # UploadRejected: said as is
    with discarded_on_failure(store_clean_file("letters", clean)) as stored, transaction.atomic():
        scan = LetterScan.objects.create(
            uploaded_by=actor,
            branch_id=actor.branch_id,
            original_name=safe_display_name(original_name),
            file=stored,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            page_count=clean.page_count,
        )
        audit_record(
            actor=actor,
            action="letter.scanned",
            target=scan,
            case_ref="",
            data={"sha256": clean.sha256, "size": clean.size, "type": clean.content_type},
        )
        transaction.on_commit(partial(_enqueue_read, scan.pk))
    return scan


def _enqueue_read(scan_id: int) -> None:
    from mediation.tasks import read_letter

    read_letter.enqueue(scan_id)


def letter_scan_read(*, scan_id: int) -> None:
    """The worker's part: read the scan with no transaction open (a page takes seconds), then
    keep the text, or the reason it could not be read, in one short update. A scan already
    read is left as it is (a task run twice)."""
    scan = LetterScan.objects.filter(pk=scan_id, status=LetterScan.Status.READING).first()
    if scan is None:
        return
    with scan.file.open("rb") as stored:
        content = stored.read()
    try:
        text, status, failure = read_text(content, scan.content_type), LetterScan.Status.READ, ""
    except UnreadableScan as refused:
        text, status, failure = "", LetterScan.Status.FAILED, str(refused.message)[:300]
    LetterScan.objects.filter(pk=scan_id, status=LetterScan.Status.READING).update(
        status=status, text=text, failure=failure, read_at=timezone.now()
    )


def letter_scan_attach(*, actor: User, scan_id: int, reference: str) -> EvidenceItem:
    """Make the scan the first exhibit of the case recorded from it (the same form posted
    twice gives the same exhibit). The exhibit's file is checked and stored before any lock
    is taken (with object storage, network I/O); then, the scan locked, the exhibit is
    recorded and the scan linked to it: one exhibit per scan."""
    scan = dispute_access.letter_scan_get_for(actor, scan_id)
    if scan.evidence is not None:
        return _exhibit_of(scan, reference)
    title = _("The customer's letter (scan)")
    with scan.file.open("rb") as stored:
        clean, stored_name = evidence_prepare(
            actor=actor,
            reference=reference,
            upload=stored,
            declared_size=scan.size,
            title=title,
            category=EvidenceCategory.CORRESPONDENCE,
        )
    with discarded_on_failure(stored_name), transaction.atomic():
        scan = dispute_access.letter_scan_get_for(actor, scan_id, for_update=True)
        if scan.evidence is None:
            item = evidence_record(
                actor=actor,
                reference=reference,
                clean=clean,
                stored_name=stored_name,
                original_name=scan.original_name,
                title=title,
                category=EvidenceCategory.CORRESPONDENCE,
                document_date=timezone.localdate(scan.created_at),
            )
            scan.evidence = item
            scan.save(update_fields=["evidence"])
            audit_record(
                actor=actor,
                action="letter.filed",
                target=scan,
                case_ref=reference,
                data={"evidence": item.pk, "sha256": scan.sha256},
            )
            return item
    # Linked meanwhile (the same form posted twice at once): that exhibit stands, this copy goes.
    default_storage.delete(stored_name)
    return _exhibit_of(scan, reference)


def _exhibit_of(scan: LetterScan, reference: str) -> EvidenceItem:
    """The exhibit a scan already is: the same case's answers the same; another's refuses."""
    assert scan.evidence is not None
    if scan.evidence.dispute.reference == reference:
        return scan.evidence
    raise ApplicationError(
        _("This scan is already the first exhibit of %(ref)s.")
        % {"ref": scan.evidence.dispute.reference}
    )


def letter_scans_expire(now: datetime) -> int:
    """Remove the scans no case was recorded from, SCAN_KEPT_DAYS after scanning, with their
    files (the retention job)."""
    stale = LetterScan.objects.filter(
        evidence__isnull=True, created_at__lt=now - timedelta(days=SCAN_KEPT_DAYS)
    )
    with transaction.atomic():
        names = [str(name) for name in stale.values_list("file", flat=True)]
        done = stale.delete()[0]
        delete_files_on_commit(names)
    return done
