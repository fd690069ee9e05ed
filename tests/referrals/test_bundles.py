"""Evidence bundles: structure of the PDF, the ZIP manifest, masking per recipient, versions,
failures, crash recovery and who may download."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mediation.models import EvidenceItem
from mediation.services.disputes import ActionForbidden
from mediation.services.evidence import evidence_upload
from portal.exceptions import ApplicationError
from portal.models import AuditEvent, OrganisationKind
from referrals import documents
from referrals.bundles.services import bundle_generate, bundle_request, bundle_requeue_stale
from referrals.models import Bundle, BundleStatus
from tests.conftest import client_for
from tests.factories import OrganisationFactory, make_dispute, refer
from tests.factories.files import pdf_bytes, png_bytes, stored_files

pytestmark = pytest.mark.django_db


def _upload(actor, dispute, content, title, category="contract"):
    return evidence_upload(
        actor=actor,
        reference=dispute.reference,
        upload=io.BytesIO(content),
        original_name=f"{title}.bin",
        declared_size=len(content),
        title=title,
        category=category,
    )


@pytest.fixture
def case(customer, staff, branch):
    dispute = make_dispute(customer, branch)
    dispute.account_number = "6222020200112233445"
    dispute.save(update_fields=["account_number"])
    items = [
        _upload(customer, dispute, pdf_bytes(3), "理财合同"),
        _upload(customer, dispute, png_bytes((600, 800)), "转账截图", "statement"),
        _upload(staff, dispute, pdf_bytes(2), "录音文字稿", "transcript"),
        _upload(customer, dispute, png_bytes(), "身份证", "identity"),
    ]
    return dispute, items


def _build(actor, dispute, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        bundle = bundle_request(actor=actor, reference=dispute.reference, **kwargs)
    bundle.refresh_from_db()
    return bundle


def _text(path: str, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", path, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_mediation_centre_bundle_structure(
    case, staff, centre, django_capture_on_commit_callbacks, tmp_path
):
    dispute, items = case
    bundle = _build(
        staff,
        dispute,
        django_capture_on_commit_callbacks,
        recipient_kind=OrganisationKind.MEDIATION_CENTRE,
        organisation_id=centre.pk,
    )
    assert bundle.status == BundleStatus.READY, bundle.failure_reason
    exhibits = list(bundle.exhibits.select_related("evidence"))
    # The mediation-centre profile leaves the identity document out.
    assert [e.evidence.title for e in exhibits] == ["理财合同", "转账截图", "录音文字稿"]

    path = tmp_path / "bundle.pdf"
    with bundle.pdf.open("rb") as fh:
        content = fh.read()
    path.write_bytes(content)
    assert hashlib.sha256(content).hexdigest() == bundle.pdf_sha256

    reader = PdfReader(str(path))
    assert exhibits[0].first_page is not None
    front = exhibits[0].first_page - 1
    assert len(reader.pages) == bundle.page_count == front + 3 + 1 + 2
    # Index page ranges are contiguous and match the exhibits' page counts.
    assert [(e.first_page, e.last_page) for e in exhibits] == [
        (front + 1, front + 3),
        (front + 4, front + 4),
        (front + 5, front + 6),
    ]
    # One bookmark for the front matter and one per exhibit, pointing at the first page.
    outline = [o for o in reader.outline if not isinstance(o, list)]
    assert [o.title for o in outline] == [
        "封面与证据目录",
        "证据1 理财合同",
        "证据2 转账截图",
        "证据3 录音文字稿",
    ]
    pages = [reader.get_destination_page_number(o) for o in outline[1:]]
    assert [p + 1 for p in pages if p is not None] == [e.first_page for e in exhibits]
    # Each exhibit page is stamped with the case, exhibit and both page numbers.
    stamp = _text(str(path), front + 2)
    assert dispute.reference in stamp and "证据1" in stamp and "第2/3页" in stamp
    assert f"全卷第{front + 2}/{bundle.page_count}页" in stamp
    assert "第1/1页" in _text(str(path), front + 4)
    # Cover: recipient, masked personal data, version, content hash; index: ranges and hashes.
    cover = _text(str(path), 1)
    assert centre.name in cover and "第 1 版" in cover and bundle.content_hash in cover
    customer = dispute.customer
    assert customer.masked_id_number in cover and customer.id_number not in cover
    assert "***************3445" in cover and "6222020200112233445" not in cover
    index = "".join(_text(str(path), p) for p in range(2, front + 1))
    # The hash is printed whole, in two halves of 32 digits that fit the column.
    digest = items[0].sha256
    assert digest[:32] in index and digest[32:] in index and f"{front + 1}–{front + 3}" in index
    # Chinese in an embedded CJK font (text extraction alone would pass without one).
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)


def test_zip_holds_originals_and_a_verifiable_manifest(
    case, staff, django_capture_on_commit_callbacks
):
    dispute, _items = case
    bundle = _build(
        staff, dispute, django_capture_on_commit_callbacks, recipient_kind=OrganisationKind.COURT
    )
    with bundle.zip.open("rb") as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["case_reference"] == dispute.reference
    assert manifest["content_hash"] == bundle.content_hash
    assert len(manifest["exhibits"]) == 4  # a court gets the identity document too
    for entry in manifest["exhibits"]:
        data = archive.read(entry["file"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]


def test_court_profile_leaves_identity_whole(
    case, staff, django_capture_on_commit_callbacks, tmp_path
):
    dispute, _items = case
    bundle = _build(
        staff, dispute, django_capture_on_commit_callbacks, recipient_kind=OrganisationKind.COURT
    )
    path = tmp_path / "court.pdf"
    with bundle.pdf.open("rb") as fh:
        path.write_bytes(fh.read())
    cover = _text(str(path), 1)
    assert dispute.customer.id_number in cover and "6222020200112233445" in cover


def test_staff_choose_exhibits_and_versions_are_immutable(
    case, staff, django_capture_on_commit_callbacks
):
    dispute, items = case
    first = _build(
        staff,
        dispute,
        django_capture_on_commit_callbacks,
        recipient_kind=OrganisationKind.MEDIATION_CENTRE,
        evidence_ids=[items[2].pk, items[0].pk],
    )
    assert [e.evidence_id for e in first.exhibits.all()] == [items[0].pk, items[2].pk]
    second = _build(
        staff,
        dispute,
        django_capture_on_commit_callbacks,
        recipient_kind=OrganisationKind.MEDIATION_CENTRE,
    )
    assert (first.version, second.version) == (1, 2)
    first_hash = first.pdf_sha256
    first.refresh_from_db()
    assert first.pdf_sha256 == first_hash and first.status == BundleStatus.READY


def test_exhibits_of_another_case_are_refused(case, staff, customer, branch):
    dispute, _items = case
    other = make_dispute(customer, branch)
    foreign = _upload(customer, other, pdf_bytes(), "别案证据")
    with pytest.raises(ApplicationError):
        bundle_request(
            actor=staff,
            reference=dispute.reference,
            recipient_kind=OrganisationKind.COURT,
            evidence_ids=[foreign.pk],
        )
    assert not Bundle.objects.exists()


def test_only_handling_staff_request_bundles(case, customer, mediator):
    dispute, _items = case
    with pytest.raises(ActionForbidden):
        bundle_request(
            actor=customer, reference=dispute.reference, recipient_kind=OrganisationKind.COURT
        )


def test_a_failed_build_keeps_the_previous_version(
    case, staff, monkeypatch, django_capture_on_commit_callbacks
):
    dispute, _items = case
    good = _build(
        staff,
        dispute,
        django_capture_on_commit_callbacks,
        recipient_kind=OrganisationKind.MEDIATION_CENTRE,
    )

    def broken(data, **_limits):
        raise documents.BundleRenderError("exhibit 2 (转账截图): cannot read image")

    monkeypatch.setattr("referrals.bundles.services.render_bundle", broken)
    failed = _build(
        staff,
        dispute,
        django_capture_on_commit_callbacks,
        recipient_kind=OrganisationKind.MEDIATION_CENTRE,
    )
    assert failed.status == BundleStatus.FAILED and "转账截图" in failed.failure_reason
    assert not failed.pdf and AuditEvent.objects.filter(action="bundle.failed").exists()
    good.refresh_from_db()
    assert good.status == BundleStatus.READY
    html = client_for(staff).get(reverse("mediation:detail", args=[dispute.reference])).content
    assert "转账截图" in html.decode() and "失败" in html.decode()


def test_a_build_over_its_time_ceiling_fails_with_its_reason_and_the_next_builds(
    case, staff, settings, django_capture_on_commit_callbacks
):
    dispute, _items = case
    kind = OrganisationKind.MEDIATION_CENTRE
    settings.BUNDLE_MAX_SECONDS = -1  # the deadline has passed before the first exhibit
    slow = _build(staff, dispute, django_capture_on_commit_callbacks, recipient_kind=kind)
    assert slow.status == BundleStatus.FAILED and "超时" in slow.failure_reason
    settings.BUNDLE_MAX_SECONDS = 300
    nxt = _build(staff, dispute, django_capture_on_commit_callbacks, recipient_kind=kind)
    assert nxt.status == BundleStatus.READY and nxt.version == slow.version + 1


def test_running_out_of_memory_fails_the_build_cleanly(
    case, staff, monkeypatch, django_capture_on_commit_callbacks
):
    """Under run_worker's address-space ceiling an oversized allocation is a MemoryError:
    the bundle fails with that reason, nothing is stored, and the worker goes on."""
    dispute, _items = case
    before = set(stored_files())

    def exhausted(data, **_limits):
        raise MemoryError

    monkeypatch.setattr("referrals.bundles.services.render_bundle", exhausted)
    kind = OrganisationKind.MEDIATION_CENTRE
    failed = _build(staff, dispute, django_capture_on_commit_callbacks, recipient_kind=kind)
    assert failed.status == BundleStatus.FAILED and "MemoryError" in failed.failure_reason
    assert set(stored_files()) == before
    monkeypatch.undo()
    nxt = _build(staff, dispute, django_capture_on_commit_callbacks, recipient_kind=kind)
    assert nxt.status == BundleStatus.READY


def test_a_bundle_over_the_page_limit_is_refused_when_asked_for(case, staff, settings):
    from portal.exceptions import ApplicationError

    dispute, _items = case
    settings.BUNDLE_MAX_PAGES = 3
    with pytest.raises(ApplicationError) as info:
        bundle_request(
            actor=staff, reference=dispute.reference, recipient_kind=OrganisationKind.COURT
        )
    assert info.value.code == "bundle_too_large" and "3" in info.value.message
    assert not dispute.bundles.exists()


def test_an_interrupted_build_is_retried_and_loses_nothing(
    case, staff, django_capture_on_commit_callbacks
):
    dispute, _items = case
    with django_capture_on_commit_callbacks(execute=False):
        bundle = bundle_request(
            actor=staff,
            reference=dispute.reference,
            recipient_kind=OrganisationKind.MEDIATION_CENTRE,
        )
    # A worker took it and died mid-build.
    long_ago = timezone.now() - timedelta(hours=1)
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.BUILDING, attempts=1, started_at=long_ago
    )
    assert bundle_generate(bundle_id=bundle.pk) is None  # not queued: a second worker skips it
    with django_capture_on_commit_callbacks(execute=True):
        assert bundle_requeue_stale() == 1
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.READY and bundle.attempts == 2
    assert bundle.exhibits.count() == 3 and all(e.first_page for e in bundle.exhibits.all())
    assert bundle_requeue_stale() == 0  # idempotent


def test_gives_up_after_three_interrupted_attempts(case, staff, django_capture_on_commit_callbacks):
    dispute, _items = case
    with django_capture_on_commit_callbacks(execute=False):
        bundle = bundle_request(
            actor=staff,
            reference=dispute.reference,
            recipient_kind=OrganisationKind.MEDIATION_CENTRE,
        )
    Bundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.BUILDING, attempts=3, started_at=timezone.now() - timedelta(hours=1)
    )
    call_command("run_scheduled_jobs")
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.FAILED and "3" in bundle.failure_reason


# ---- pages and downloads ---------------------------------------------------------------------


def test_staff_request_a_bundle_through_the_page(
    case, staff, centre, django_capture_on_commit_callbacks
):
    dispute, items = case
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("bundles:request", args=[dispute.reference]),
            {
                "bundle-recipient_kind": "mediation_centre",
                "bundle-organisation": centre.pk,
                "bundle-evidence": [items[0].pk],
            },
        )
    assert response.status_code == 302
    bundle = Bundle.objects.get()
    assert bundle.status == BundleStatus.READY and bundle.exhibits.count() == 1
    page = client.get(reverse("mediation:detail", args=[dispute.reference])).content.decode()
    assert reverse("bundles:download", args=[dispute.reference, bundle.pk, "pdf"]) in page


def test_wrong_kind_of_organisation_is_a_clear_error(case, staff, centre):
    dispute, _items = case
    response = client_for(staff).post(
        reverse("bundles:request", args=[dispute.reference]),
        {"bundle-recipient_kind": "court", "bundle-organisation": centre.pk},
        follow=True,
    )
    assert "不属于所选类型" in response.content.decode()
    assert not Bundle.objects.exists()


def test_bundle_downloads_by_role(
    case,
    staff,
    customer,
    other_customer,
    other_staff,
    centre,
    mediator,
    other_mediator,
    django_capture_on_commit_callbacks,
):
    dispute, _items = case
    bundle = _build(
        staff,
        dispute,
        django_capture_on_commit_callbacks,
        recipient_kind=OrganisationKind.MEDIATION_CENTRE,
        organisation_id=centre.pk,
    )
    url = reverse("bundles:download", args=[dispute.reference, bundle.pk, "pdf"])
    refer(dispute, customer, staff, centre)
    for user, expected in (
        (customer, 200),
        (staff, 200),
        (mediator, 200),
        (other_customer, 404),
        (other_staff, 404),
        (other_mediator, 404),
    ):
        response = client_for(user).get(url)
        assert response.status_code == expected, user
        if expected == 200:
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Content-Disposition"].startswith("attachment;")
    events = AuditEvent.objects.filter(action="bundle.downloaded")
    assert events.count() == 3 and events.earliest("seq").data == {"version": 1, "part": "pdf"}
    zip_url = reverse("bundles:download", args=[dispute.reference, bundle.pk, "zip"])
    assert client_for(customer).get(zip_url).status_code == 200
    bad_part = reverse("bundles:download", args=[dispute.reference, bundle.pk, "exe"])
    assert client_for(customer).get(bad_part).status_code == 404


def test_partner_sees_only_bundles_made_for_its_organisation(
    case, staff, mediator, django_capture_on_commit_callbacks
):
    dispute, _items = case
    court = OrganisationFactory.create(name="浦东法院", kind=OrganisationKind.COURT)
    bundle = _build(
        staff,
        dispute,
        django_capture_on_commit_callbacks,
        recipient_kind=OrganisationKind.COURT,
        organisation_id=court.pk,
    )
    url = reverse("bundles:download", args=[dispute.reference, bundle.pk, "pdf"])
    assert client_for(mediator).get(url).status_code == 404


def test_stored_files_have_no_public_url(case, staff, customer, django_capture_on_commit_callbacks):
    dispute, items = case
    bundle = _build(
        staff, dispute, django_capture_on_commit_callbacks, recipient_kind=OrganisationKind.COURT
    )
    assert Path(bundle.pdf.path).exists()
    client = client_for(customer)
    for field in (bundle.pdf, bundle.zip, items[0].file):
        assert client.get("/" + field.name).status_code == 404
        assert client.get("/media/" + field.name).status_code == 404
    assert EvidenceItem.objects.count() == 4
