"""Evidence uploads: hostile files are refused or neutralised, and nothing is left behind."""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from mediation.models import EvidenceItem
from mediation.services.evidence import evidence_upload
from portal.exceptions import UploadRejected, UploadTooLarge
from portal.models import AuditEvent
from tests.conftest import client_for
from tests.factories import make_dispute
from tests.factories.files import (
    encrypted_pdf_bytes,
    hostile_pdf_bytes,
    jpeg_with_gps_bytes,
    pdf_bytes,
    png_bytes,
    stored_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(customer, branch):
    return make_dispute(customer, branch)


def upload(actor, dispute, content: bytes, name: str, **extra):
    return evidence_upload(
        actor=actor,
        reference=dispute.reference,
        upload=io.BytesIO(content),
        original_name=name,
        declared_size=len(content),
        title=extra.pop("title", "证据"),
        category=extra.pop("category", "contract"),
        **extra,
    )


def test_a_good_pdf_is_stored_under_a_generated_name_with_its_hash(customer, dispute):
    item = upload(customer, dispute, pdf_bytes(3), "合同.pdf")
    assert item.content_type == "application/pdf" and item.page_count == 3
    assert item.original_name == "合同.pdf"
    assert "合同" not in item.file.name and item.file.name.endswith(".pdf")
    import hashlib

    with item.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == item.sha256
    assert AuditEvent.objects.filter(
        action="evidence.uploaded", case_ref=dispute.reference
    ).exists()


HOSTILE = [
    ("page.pdf", b"<!doctype html><html><script>alert(1)</script></html>", "unsupported_type"),
    ("invoice.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "unsupported_type"),
    ("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 300, "unsupported_type"),
    (
        "logo.png",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
        b'onload="alert(1)"><rect/></svg>',
        "unsupported_type",
    ),
    ("broken.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj garbage" + b"\x00" * 50, "broken_pdf"),
    ("broken.png", png_bytes((300, 200))[:60], "broken_image"),
    ("empty.pdf", b"", "empty_file"),
]


@pytest.mark.parametrize(("name", "content", "code"), HOSTILE)
def test_hostile_files_are_refused_and_leave_nothing(customer, dispute, name, content, code):
    before = stored_files()
    with pytest.raises(UploadRejected) as info:
        upload(customer, dispute, content, name)
    assert info.value.code == code and info.value.message
    assert stored_files() == before and not EvidenceItem.objects.exists()


def test_encrypted_pdfs_are_refused(customer, dispute):
    for user_password in ("secret", ""):  # with an open password, and owner-only
        with pytest.raises(UploadRejected) as info:
            upload(customer, dispute, encrypted_pdf_bytes(user_password), "locked.pdf")
        assert info.value.code == "encrypted_pdf"
    assert not EvidenceItem.objects.exists() and stored_files() == []


def test_pdf_active_content_is_stripped(customer, dispute):
    item = upload(customer, dispute, hostile_pdf_bytes(), "hostile.pdf")
    assert item.sanitised  # the user is told what was removed
    with item.file.open("rb") as fh, pikepdf.open(io.BytesIO(fh.read())) as pdf:
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        names = pdf.Root.get("/Names", pikepdf.Dictionary())
        assert "/JavaScript" not in names and "/EmbeddedFiles" not in names
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary):
                assert obj.get("/S") not in ("/JavaScript", "/Launch")
                assert "/JS" not in obj
        subtypes = [str(a.get("/Subtype")) for a in pdf.pages[0].obj.get("/Annots", [])]
        assert "/FileAttachment" not in subtypes


def test_image_over_the_pixel_limit_is_refused(customer, dispute, settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 10_000
    with pytest.raises(UploadRejected) as info:
        upload(customer, dispute, png_bytes((200, 200)), "big.png")
    assert info.value.code == "image_too_large"
    assert stored_files() == []


def test_decompression_bomb_sized_png_is_refused(customer, dispute):
    # 1-bit 9000x9000 PNG: tiny on disk, 81 Mpx decoded; above the 40 Mpx default.
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, format="PNG")
    assert len(out.getvalue()) < 200_000
    with pytest.raises(UploadRejected) as info:
        upload(customer, dispute, out.getvalue(), "bomb.png")
    assert info.value.code == "image_too_large"


def test_jpeg_metadata_and_gps_are_removed(customer, dispute):
    raw = jpeg_with_gps_bytes()
    assert Image.open(io.BytesIO(raw)).getexif()
    item = upload(customer, dispute, raw, "photo.jpg")
    with item.file.open("rb") as fh:
        cleaned = Image.open(io.BytesIO(fh.read()))
        assert not cleaned.getexif() and "exif" not in cleaned.info
    assert item.sanitised


def test_name_with_path_traversal_and_bidi_characters(customer, dispute):
    item = upload(customer, dispute, pdf_bytes(), "../../etc/\u202epasswd\u0000fdp.pdf")
    assert "/" not in item.original_name and "\u202e" not in item.original_name
    assert "\x00" not in item.original_name and ".." not in item.original_name
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"]).resolve()
    assert Path(item.file.path).resolve().is_relative_to(root)


def test_name_that_lies_about_type_is_judged_by_content(customer, dispute):
    item = upload(customer, dispute, png_bytes(), "scan.pdf")
    assert item.content_type == "image/png" and item.file.name.endswith(".png")


def test_oversized_file_is_refused(customer, dispute, settings):
    settings.UPLOAD_MAX_FILE_BYTES = 1000
    with pytest.raises(UploadTooLarge):
        upload(customer, dispute, pdf_bytes() + b"\n" * 2000, "big.pdf")
    assert stored_files() == [] and not EvidenceItem.objects.exists()


def test_per_dispute_limit(customer, dispute, settings):
    first = pdf_bytes()
    settings.UPLOAD_MAX_DISPUTE_BYTES = len(first) + 10
    upload(customer, dispute, first, "a.pdf")
    files = stored_files()
    with pytest.raises(UploadTooLarge):
        upload(customer, dispute, pdf_bytes(2), "b.pdf")
    assert stored_files() == files and EvidenceItem.objects.count() == 1


def test_other_customer_cannot_upload(other_customer, dispute):
    from django.http import Http404

    with pytest.raises(Http404):
        upload(other_customer, dispute, pdf_bytes(), "a.pdf")
    assert stored_files() == []


# ---- through the page -----------------------------------------------------------------------


def _post(client, dispute, content, name, content_type="application/pdf"):
    return client.post(
        reverse("mediation:evidence_upload", args=[dispute.reference]),
        {
            "evidence-file": SimpleUploadedFile(name, content, content_type=content_type),
            "evidence-title": "银行流水",
            "evidence-category": "statement",
        },
        follow=True,
    )


def test_upload_page_reports_refusals_clearly(customer, dispute):
    response = _post(client_for(customer), dispute, b"<html>hi</html>", "x.pdf")
    assert response.status_code == 200
    assert (
        "x.pdf 未被接受" in response.content.decode()
        and "PDF、JPEG 和 PNG" in response.content.decode()
    )
    assert not EvidenceItem.objects.exists()


def test_download_is_an_attachment_with_nosniff_and_is_logged(customer, dispute):
    client = client_for(customer)
    _post(client, dispute, pdf_bytes(), "合同.pdf")
    item = EvidenceItem.objects.get()
    response = client.get(reverse("mediation:evidence_download", args=[dispute.reference, item.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="evidence.downloaded").count() == 1


def test_other_parties_cannot_download(customer, other_customer, other_staff, mediator, dispute):
    upload(customer, dispute, pdf_bytes(), "a.pdf")
    item = EvidenceItem.objects.get()
    url = reverse("mediation:evidence_download", args=[dispute.reference, item.pk])
    for user in (other_customer, other_staff, mediator):
        assert client_for(user).get(url).status_code == 404
    wrong_ref = reverse("mediation:evidence_download", args=["MD-2026-999999", item.pk])
    assert client_for(customer).get(wrong_ref).status_code == 404


def test_files_are_not_under_any_public_url(customer, dispute):
    item = upload(customer, dispute, pdf_bytes(), "a.pdf")
    client = client_for(customer)
    for url in ("/" + item.file.name, "/media/" + item.file.name, "/static/" + item.file.name):
        assert client.get(url).status_code == 404
    private = settings.STORAGES["default"]["OPTIONS"]["location"]
    assert os.path.commonpath([str(settings.STATIC_ROOT), private]) != str(settings.STATIC_ROOT)


# ---- bounded work per upload (issue 18) ------------------------------------------------------


def flate_bomb_pdf(expanded_bytes: int) -> bytes:
    """A one-page PDF whose content stream is `expanded_bytes` of spaces, Flate-compressed a
    megabyte at a time (so the test itself stays small in memory)."""
    squeeze = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    compressed = b"".join(squeeze.compress(chunk) for _ in range(expanded_bytes // len(chunk)))
    compressed += squeeze.flush()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    contents = pikepdf.Stream(pdf, compressed)
    contents["/Filter"] = pikepdf.Name("/FlateDecode")
    pdf.pages[0].obj["/Contents"] = contents
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def test_a_pdf_that_expands_to_a_gigabyte_is_refused_with_a_clear_message(customer, dispute):
    bomb = flate_bomb_pdf(1024 * 1024 * 1024)
    assert len(bomb) < 2 * 1024 * 1024  # about a megabyte on the wire
    before = stored_files()
    with pytest.raises(UploadRejected) as info:
        upload(customer, dispute, bomb, "bomb.pdf")
    assert info.value.code == "pdf_too_large_expanded"
    assert "200 MB" in info.value.message
    assert stored_files() == before and not EvidenceItem.objects.exists()


def test_a_pdf_just_inside_the_expanded_limit_is_accepted(customer, dispute, settings):
    settings.UPLOAD_MAX_PDF_EXPANDED_BYTES = 3 * 1024 * 1024
    item = upload(customer, dispute, flate_bomb_pdf(2 * 1024 * 1024), "big.pdf")
    assert item.page_count == 1


def object_stream_bomb_pdf(padding: int) -> bytes:
    """A one-page PDF whose catalogue, page tree and page live in an object stream followed by
    `padding` spaces: opening the file (reading its page count) already inflates all of it."""
    members = [b"<< /Type /Catalog /Pages 3 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>"]
    members.append(b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] >>")
    offsets, body = [], b""
    for member in members:
        offsets.append(len(body))
        body += member + b" "
    header = b" ".join(b"%d %d" % (n, o) for n, o in zip((2, 3, 4), offsets, strict=True)) + b" "
    squeeze = zlib.compressobj(9)
    packed = squeeze.compress(header + body)
    chunk = b" " * (1024 * 1024)
    packed += b"".join(squeeze.compress(chunk) for _ in range(padding // len(chunk)))
    packed += squeeze.flush()
    out = b"%PDF-1.7\n"
    objstm_at = len(out)
    out += b"1 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\n" % (
        len(header),
        len(packed),
    )
    out += b"stream\n" + packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [b"\x00" + (0).to_bytes(4) + b"\xff\xff", b"\x01" + objstm_at.to_bytes(4) + b"\x00\x00"]
    rows += [b"\x02" + (1).to_bytes(4) + i.to_bytes(2) for i in range(3)]
    rows.append(b"\x01" + xref_at.to_bytes(4) + b"\x00\x00")
    table = b"".join(rows)
    out += b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 2 0 R /Length %d >>\n" % len(table)
    out += b"stream\n" + table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return out


def test_a_bomb_in_an_object_stream_is_refused_before_the_pdf_is_opened(
    customer, dispute, settings, monkeypatch
):
    settings.UPLOAD_MAX_PDF_EXPANDED_BYTES = 1024 * 1024
    bomb = object_stream_bomb_pdf(8 * 1024 * 1024)

    def opened(*args, **kwargs):
        raise AssertionError("pikepdf opened the file before its streams were counted")

    monkeypatch.setattr("mediation.uploads.pikepdf.open", opened)
    with pytest.raises(UploadRejected) as info:
        upload(customer, dispute, bomb, "objstm.pdf")
    assert info.value.code == "pdf_too_large_expanded"
    assert not EvidenceItem.objects.exists()


def test_an_object_stream_pdf_inside_the_limit_is_accepted(customer, dispute, settings):
    settings.UPLOAD_MAX_PDF_EXPANDED_BYTES = 16 * 1024 * 1024
    item = upload(customer, dispute, object_stream_bomb_pdf(8 * 1024 * 1024), "objstm.pdf")
    assert item.page_count == 1


def test_a_pdf_of_twenty_thousand_pages_is_refused(customer, dispute):
    pdf = pikepdf.new()
    for _ in range(20_000):
        pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    with pytest.raises(UploadRejected) as info:
        upload(customer, dispute, out.getvalue(), "pages.pdf")
    assert info.value.code == "too_many_pages" and "20000" in info.value.message
    assert not EvidenceItem.objects.exists()


def test_the_upload_page_says_why_a_bomb_was_refused(customer, dispute, settings):
    settings.UPLOAD_MAX_PDF_EXPANDED_BYTES = 1024 * 1024
    response = _post(client_for(customer), dispute, flate_bomb_pdf(4 * 1024 * 1024), "b.pdf")
    assert "展开后超过" in response.content.decode()


def test_a_customers_evidence_over_all_cases_is_limited(customer, branch, dispute, settings):
    settings.CUSTOMER_MAX_STORED_BYTES = 1
    with pytest.raises(UploadTooLarge) as info:
        upload(customer, dispute, pdf_bytes(), "a.pdf")
    assert "您的案件" in info.value.message or "Your cases" in info.value.message
    assert not EvidenceItem.objects.exists()


def test_a_flate_stream_with_bytes_after_its_end_is_counted_once(customer, dispute):
    """zlib keeps the bytes after a stream's end as its unconsumed tail: the count must stop
    at the end rather than ask for more output for ever."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    contents = pikepdf.Stream(pdf, zlib.compress(b" " * (3 * 1024 * 1024)) + b"\r\n\r\n")
    contents["/Filter"] = pikepdf.Name("/FlateDecode")
    pdf.pages[0].obj["/Contents"] = contents
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    item = upload(customer, dispute, out.getvalue(), "tail.pdf")
    assert item.page_count == 1


# ---- several files at once, and what to upload (issue 19, 3) -------------------------------


def _files(*named):
    return [
        SimpleUploadedFile(name, content, content_type="application/octet-stream")
        for name, content in named
    ]


def test_several_files_in_one_upload_each_filed_and_named(customer, dispute):
    client = client_for(customer)
    url = reverse("mediation:evidence_upload", args=[dispute.reference])
    page = client.post(
        url,
        {
            "evidence-file": _files(
                ("一月账单.pdf", pdf_bytes()), ("短信.png", png_bytes()), ("坏.pdf", b"<html>")
            ),
            "evidence-category": "statement",
        },
        follow=True,
    ).content.decode()
    assert sorted(EvidenceItem.objects.values_list("title", flat=True)) == ["一月账单", "短信"]
    assert "坏.pdf 未被接受" in page and "证据“一月账单”已上传。" in page
    client.post(
        url,
        {
            "evidence-file": _files(("a.pdf", pdf_bytes()), ("b.pdf", pdf_bytes())),
            "evidence-title": "银行流水",
            "evidence-category": "statement",
        },
    )
    assert {"银行流水（1/2）", "银行流水（2/2）"} <= set(
        EvidenceItem.objects.values_list("title", flat=True)
    )


def test_more_than_ten_files_are_refused_whole(customer, dispute):
    page = client_for(customer).post(
        reverse("mediation:evidence_upload", args=[dispute.reference]),
        {
            "evidence-file": _files(*((f"{n}.pdf", pdf_bytes()) for n in range(11))),
            "evidence-category": "statement",
        },
        follow=True,
    )
    assert "每次最多上传 10 个文件。" in page.content.decode()
    assert not EvidenceItem.objects.exists() and stored_files() == []


def test_the_customer_is_told_what_to_upload_for_a_case_like_theirs(customer, staff, branch):
    card = make_dispute(customer, branch, "680", category="credit_card")
    client = client_for(customer)
    page = client.get(card.get_absolute_url()).content.decode()
    assert "此类纠纷建议上传的材料" in page
    assert page.count("待上传") == 2 and "信用卡账单（标出有争议的费用或交易）" in page
    _post(client, card, pdf_bytes(), "账单.pdf")  # a statement
    page = client.get(card.get_absolute_url()).content.decode()
    assert page.count("待上传") == 1 and page.count(">已上传<") == 1
    # The bank's side has its own checklist (the reply toolkit); none here.
    assert (
        "此类纠纷建议上传的材料"
        not in client_for(staff).get(card.get_absolute_url()).content.decode()
    )


def test_the_progress_script_is_answered_with_the_case_address(customer, dispute):
    """The upload script follows no redirect (that would use up the messages): it is given
    the case page's address, where the messages say what became of each file."""
    client = client_for(customer)
    answer = client.post(
        reverse("mediation:evidence_upload", args=[dispute.reference]),
        {"evidence-file": _files(("合同.pdf", pdf_bytes())), "evidence-category": "contract"},
        headers={"X-Upload-Progress": "1"},
    )
    assert answer.status_code == 200 and answer.json() == {"next": dispute.get_absolute_url()}
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert "证据“合同”已上传。" in page and "portal/upload.js" in page
    # The form comes with its panel (htmx), marked for the script.
    upload_form = client.get(
        reverse("mediation:evidence_upload", args=[dispute.reference]),
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "data-upload-progress" in upload_form and "<html" not in upload_form
