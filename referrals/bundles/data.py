"""Gathering what a bundle needs: one query set-up, one plain dataclass out."""

from __future__ import annotations

import os

from django.utils import timezone
from django.utils.text import slugify

from mediation.models import EvidenceItem
from portal.validators import mask_account_number, mask_id_number
from referrals.bundles.profiles import PROFILES
from referrals.documents import BundleData, ExhibitData, Party
from referrals.models import Bundle

SUBMITTER_LABELS = {
    "customer": "申请人（客户）",
    "staff": "被申请人（银行）",
    "partner": "合作机构",
}
KIND_LABELS = {
    "mediation_centre": "调解中心",
    "arbitration_commission": "仲裁委员会",
    "court": "人民法院",
}


def _reader(item: EvidenceItem):
    def read() -> bytes:
        with item.file.open("rb") as fh:
            return fh.read()

    return read


def _file_name(number: int, item: EvidenceItem) -> str:
    ext = os.path.splitext(item.file.name or "")[1] or ".bin"
    stem = slugify(item.title, allow_unicode=True)[:40] or "exhibit"
    return f"E{number:03d}-{stem}{ext}"


def bundle_data(bundle: Bundle) -> BundleData:
    dispute = bundle.dispute
    customer = dispute.customer
    profile = PROFILES[bundle.recipient_kind]
    id_number = customer.id_number
    account = dispute.account_number
    if profile.mask_id_number:
        id_number = mask_id_number(id_number)
    if profile.mask_account_number:
        account = mask_account_number(account)
    parties = [
        Party(
            role="申请人",
            name=customer.display_name,
            id_number=id_number,
            account_number=account,
            contact=customer.contact_mobile or customer.email,
        ),
        Party(role="被申请人", name=f"本行{dispute.branch.name}", contact=""),
    ]
    exhibits = [
        ExhibitData(
            number=row.number,
            title=row.evidence.title,
            submitted_by=SUBMITTER_LABELS.get(row.evidence.uploaded_by.role, "其他"),
            document_date=row.evidence.document_date,
            category=row.evidence.get_category_display(),
            sha256=row.evidence.sha256,
            content_type=row.evidence.content_type,
            file_name=_file_name(row.number, row.evidence),
            size=row.evidence.size,
            read=_reader(row.evidence),
        )
        for row in bundle.exhibits.select_related("evidence", "evidence__uploaded_by")
    ]
    recipient = (
        bundle.organisation.name
        if bundle.organisation
        else KIND_LABELS.get(bundle.recipient_kind, bundle.recipient_kind)
    )
    return BundleData(
        case_reference=dispute.reference,
        recipient=recipient,
        recipient_kind=bundle.recipient_kind,
        purpose=bundle.purpose,
        version=bundle.version,
        generated_at=timezone.localtime(),
        parties=parties,
        claim=(
            f"{dispute.get_category_display()}：{dispute.request}"
            f"（索赔金额 {dispute.amount:,.2f} 元）"
        ),
        exhibits=exhibits,
    )
