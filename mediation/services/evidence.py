"""Storing evidence: checked, neutralised, stored under a generated name, hashed, audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import access as dispute_access
from mediation.models import EvidenceCategory, EvidenceItem
from mediation.uploads import CleanFile, clean_upload, read_limited, safe_display_name
from portal.audit import audit_record
from portal.exceptions import ApplicationError, UploadTooLarge
from portal.models import User
from portal.transitions import ActionForbidden


def store_clean_file(folder: str, clean: CleanFile) -> str:
    """Store a checked upload under a generated name (`folder`/year/month/random), never the
    name it came with; the caller writes its row within `discarded_on_failure`."""
    name = f"{folder}/{timezone.localtime():%Y/%m}/{uuid.uuid4().hex}{clean.extension}"
    return default_storage.save(name, ContentFile(clean.content))


@contextmanager
def discarded_on_failure(stored_name: str) -> Iterator[str]:
    """The block that writes a stored file's row: if it raises (a limit, a refusal, a commit
    that fails), the file is deleted, so a refused upload leaves nothing behind."""
    try:
        yield stored_name
    except BaseException:
        default_storage.delete(stored_name)
        raise


@dataclass(frozen=True)
class StagedExhibit:
    """An exhibit whose file is checked and stored and whose row is not written yet:
    `record()` writes it, inside the caller's transaction (under the caller's locks)."""

    actor: User
    reference: str
    clean: CleanFile
    stored_name: str
    original_name: str
    title: str
    category: str

    def record(self, *, description: str = "", document_date: date | None = None) -> EvidenceItem:
        return evidence_record(
            actor=self.actor,
            reference=self.reference,
            clean=self.clean,
            stored_name=self.stored_name,
            original_name=self.original_name,
            title=self.title,
            category=self.category,
            description=description,
            document_date=document_date,
        )


@contextmanager
def exhibit_staged(
    *,
    actor: User,
    reference: str,
    upload: IO[bytes],
    original_name: str,
    declared_size: int | None,
    title: str,
    category: str,
) -> Iterator[StagedExhibit]:
    """For a service that files an exhibit with its own record (an arbitration agreement, a
    ruling, a power of attorney): the file is checked and stored before the service opens its
    transaction (with object storage, network I/O, never under a lock); the block records it
    (`record()`) in that transaction, and if the block raises, the stored file is deleted.

        with exhibit_staged(...) as exhibit, transaction.atomic():
            ...lock and check...
            document = exhibit.record()
    """
    clean, stored_name = evidence_prepare(
        actor=actor,
        reference=reference,
        upload=upload,
        declared_size=declared_size,
        title=title,
        category=category,
    )
    with discarded_on_failure(stored_name):
        yield StagedExhibit(
            actor=actor,
            reference=reference,
            clean=clean,
            stored_name=stored_name,
            original_name=original_name,
            title=title,
            category=category,
        )


def evidence_upload(
    *,
    actor: User,
    reference: str,
    upload: IO[bytes],
    original_name: str,
    declared_size: int | None,
    title: str,
    category: str,
    description: str = "",
    document_date: date | None = None,
) -> EvidenceItem:
    """Upload an exhibit. A refused file leaves nothing behind: no row, no stored file."""
    with exhibit_staged(
        actor=actor,
        reference=reference,
        upload=upload,
        original_name=original_name,
        declared_size=declared_size,
        title=title,
        category=category,
    ) as exhibit:
        return exhibit.record(description=description, document_date=document_date)


def evidence_prepare(
    *,
    actor: User,
    reference: str,
    upload: IO[bytes],
    declared_size: int | None,
    title: str,
    category: str,
) -> tuple[CleanFile, str]:
    """The first half of an upload, with no transaction open: the person may add this
    exhibit, the file is read (bounded), checked, neutralised and stored under a generated
    name (with object storage, network I/O). The caller records it (`evidence_record`) or
    deletes the stored name."""
    if category not in EvidenceCategory.values:
        raise ApplicationError(_("Choose a category."))
    if not title.strip():
        raise ApplicationError(_("Give the exhibit a title."))
    dispute = dispute_access.dispute_get_for(actor, reference)
    if not dispute_access.can_upload_evidence(actor, dispute):
        raise ActionForbidden(_("You cannot add evidence to this case now."))
    if category not in dispute_access.evidence_categories_for(actor, dispute):
        raise ApplicationError(
            _("This category is not one you file: choose another."), code="category"
        )
    data = read_limited(upload, declared_size)
    clean = clean_upload(data)  # raises UploadRejected with a clear message
    return clean, store_clean_file("evidence", clean)


def evidence_record(
    *,
    actor: User,
    reference: str,
    clean: CleanFile,
    stored_name: str,
    original_name: str,
    title: str,
    category: str,
    description: str = "",
    document_date: date | None = None,
) -> EvidenceItem:
    """The second half: the exhibit's row and audit event for a file `evidence_prepare`
    stored, in one short transaction under the case's lock (the case's and the customer's
    storage limits are checked there, so two uploads at once cannot both pass them)."""
    with transaction.atomic():
        dispute = dispute_access.dispute_get_for(actor, reference, for_update=True)
        used = dispute.evidence.aggregate(total=Sum("size"))["total"] or 0
        limit = settings.UPLOAD_MAX_DISPUTE_BYTES
        if used + clean.size > limit:
            raise UploadTooLarge(
                _("This case already holds %(used)s MB of evidence; the limit is %(limit)s MB.")
                % {"used": round(used / 1048576, 1), "limit": limit // 1048576}
            )
        _check_customer_storage(dispute.customer, clean.size)
        item = EvidenceItem.objects.create(
            dispute=dispute,
            uploaded_by=actor,
            title=title.strip()[:120],
            description=description.strip(),
            document_date=document_date,
            category=category,
            original_name=safe_display_name(original_name),
            file=stored_name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            page_count=clean.page_count,
            sanitised="; ".join(clean.removed),
        )
        audit_record(
            actor=actor,
            action="evidence.uploaded",
            target=item,
            case_ref=dispute.reference,
            data={
                "sha256": clean.sha256,
                "size": clean.size,
                "type": clean.content_type,
                "removed": clean.removed,
            },
        )
    return item


def evidence_log_download(*, actor: User, item: EvidenceItem) -> None:
    audit_record(
        actor=actor,
        action="evidence.downloaded",
        target=item,
        case_ref=item.dispute.reference,
        data={"sha256": item.sha256},
    )


def _check_customer_storage(customer: User, adding: int) -> None:
    """One customer's evidence over all their cases stays under CUSTOMER_MAX_STORED_BYTES
    (bounded storage per person, whoever uploads it to their cases)."""
    used = (
        EvidenceItem.objects.filter(dispute__customer=customer).aggregate(total=Sum("size"))[
            "total"
        ]
        or 0
    )
    limit = settings.CUSTOMER_MAX_STORED_BYTES
    if used + adding > limit:
        raise UploadTooLarge(
            _("Your cases already hold %(used)s MB of evidence; the limit is %(limit)s MB.")
            % {"used": round(used / 1048576, 1), "limit": limit // 1048576}
        )
