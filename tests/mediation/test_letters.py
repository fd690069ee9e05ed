"""Issue 19, 6: a scanned letter at phone-or-letter intake is read by Tesseract (Debian's
simplified-Chinese data), fills the intake form as a draft staff correct, and becomes the
recorded case's first exhibit. The scans are drawn here, from text, with a CJK font."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from mediation.letters import letter_fields, tidy
from mediation.models import Dispute, EvidenceCategory, LetterScan
from mediation.privacy import retention_run
from portal.models import AuditEvent
from tests.conftest import client_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"  # fonts-noto-cjk (scripts/setup)
LETTER = [
    "尊敬的银行：",
    "我于2026年3月5日在贵行购买了理财产品，",
    "客户经理未告知风险，现亏损12000元。",
    "我要求：退还本金12000元并赔偿利息损失。",
    "申请人：张三  电话：13800001234",
]


def scan_of(lines: list[str], fmt: str = "PNG") -> bytes:
    """A page of `lines` as a scanner would give it: black on white, 40 px type."""
    font = ImageFont.truetype(FONT, 40)
    page = Image.new("L", (1400, 80 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        draw.text((60, 40 + 70 * n), line, font=font, fill=0)
    out = io.BytesIO()
    page.save(out, fmt, resolution=200.0)
    return out.getvalue()


def upload(client, content: bytes, name: str, capture):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with capture(execute=True):  # the worker reads the scan once the upload commits
        return client.post(
            reverse("mediation:letter_scan_upload"),
            {"scan": SimpleUploadedFile(name, content)},
        )


def test_a_scanned_letter_fills_the_form_and_becomes_the_first_exhibit(
    staff, branch, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    answer = upload(client, scan_of(LETTER), "letter.png", django_capture_on_commit_callbacks)
    scan = LetterScan.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "mediation:letter_scan", args=[scan.pk]
    )
    assert scan.status == "read" and scan.branch == branch
    # What Tesseract read, tidied: the letter's own words.
    assert "我于2026年3月5日在贵行购买了理财产品" in scan.text
    assert "我要求：退还本金12000元并赔偿利息损失。" in scan.text
    page = client.get(answer["Location"]).content.decode()
    assert "退还本金12000元" in page and f"/disputes/record/?scan={scan.pk}" in page
    assert 'hx-trigger="every 2s"' not in page  # read: the page stops asking

    form = client.get(reverse("mediation:record"), {"scan": scan.pk}).context["form"]
    assert form.initial["request"] == "退还本金12000元并赔偿利息损失。"
    assert "现亏损12000元" in form.initial["facts"] and "尊敬的" not in form.initial["facts"]
    assert form.initial["customer_name"] == "张三"
    assert form.initial["customer_mobile"] == "13800001234"
    assert form.initial["channel"] == "letter" and form.initial["scan"] == scan.pk

    data = {
        **{k: v for k, v in form.initial.items() if v is not None},
        "branch": branch.pk,
        "category": "wealth",
        "amount": "12000",
        "request": "退还本金12000元并赔偿利息。",  # corrected by staff
        "received_on": timezone.localdate().isoformat(),
    }
    recorded = client.post(reverse("mediation:record"), data)
    dispute = Dispute.objects.get()
    assert recorded.status_code == 302 and recorded["Location"] == dispute.get_absolute_url()
    assert dispute.request == "退还本金12000元并赔偿利息。" and dispute.channel == "letter"
    first = dispute.evidence.get()
    assert first.category == EvidenceCategory.CORRESPONDENCE and first.sha256 == scan.sha256
    scan.refresh_from_db()
    assert scan.evidence == first
    assert AuditEvent.objects.filter(action="letter.filed", case_ref=dispute.reference).exists()
    # The same form posted again: the same case, the same single exhibit.
    client.post(reverse("mediation:record"), data)
    assert Dispute.objects.count() == 1 and dispute.evidence.count() == 1


def test_a_pdf_scan_is_read_page_by_page(staff, django_capture_on_commit_callbacks):
    client = client_for(staff)
    upload(client, scan_of(LETTER, "PDF"), "letter.pdf", django_capture_on_commit_callbacks)
    scan = LetterScan.objects.get()
    assert scan.content_type == "application/pdf" and scan.status == "read"
    assert "退还本金12000元" in scan.text


def test_a_scan_that_cannot_be_read_says_why_and_can_still_be_recorded(
    staff, branch, settings, django_capture_on_commit_callbacks
):
    settings.OCR_COMMAND = "/nonexistent/tesseract"
    client = client_for(staff)
    upload(client, scan_of(LETTER), "letter.png", django_capture_on_commit_callbacks)
    scan = LetterScan.objects.get()
    assert scan.status == "failed" and "tesseract" in scan.failure and scan.text == ""
    page = client.get(reverse("mediation:letter_scan", args=[scan.pk])).content.decode()
    assert "tesseract" in page and "手动录入信件内容" in page
    form = client.get(reverse("mediation:record"), {"scan": scan.pk}).context["form"]
    assert form.initial["facts"] == "" and form.initial["scan"] == scan.pk


def test_what_is_not_a_scan_is_refused_with_a_message(staff, django_capture_on_commit_callbacks):
    client = client_for(staff)
    answer = upload(
        client, b"just text, not a scan", "letter.txt", django_capture_on_commit_callbacks
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("mediation:record")
    page = client.get(answer["Location"]).content.decode()
    assert "只接受 PDF、JPEG 和 PNG 文件" in page
    assert not LetterScan.objects.exists()
    empty = client.post(reverse("mediation:letter_scan_upload"), {})
    assert "请选择要上传的扫描件" in client.get(empty["Location"]).content.decode()


def test_a_scan_is_its_branchs_alone(
    staff, other_staff, hq_staff, customer, django_capture_on_commit_callbacks
):
    upload(client_for(staff), scan_of(LETTER), "letter.png", django_capture_on_commit_callbacks)
    scan = LetterScan.objects.get()
    page = reverse("mediation:letter_scan", args=[scan.pk])
    assert client_for(other_staff).get(page).status_code == 404
    assert (
        client_for(other_staff).get(reverse("mediation:record"), {"scan": scan.pk}).status_code
        == 404
    )
    assert client_for(hq_staff).get(page).status_code == 200  # head office: every branch
    assert client_for(customer).get(page).status_code == 403  # staff pages
    answer = client_for(customer).post(reverse("mediation:letter_scan_upload"), {})
    assert answer.status_code == 403
    assert client_for(staff).get(reverse("mediation:record"), {"scan": "x"}).status_code == 404


def test_a_scan_used_for_one_case_is_not_the_exhibit_of_another(
    staff, branch, django_capture_on_commit_callbacks
):
    from mediation.services.letters import letter_scan_attach
    from portal.exceptions import ApplicationError
    from tests.factories import make_dispute

    upload(client_for(staff), scan_of(LETTER), "letter.png", django_capture_on_commit_callbacks)
    scan = LetterScan.objects.get()
    first = make_dispute(CustomerFactory.create(), branch)
    second = make_dispute(CustomerFactory.create(), branch)
    letter_scan_attach(actor=staff, scan_id=scan.pk, reference=first.reference)
    with pytest.raises(ApplicationError, match=first.reference):
        letter_scan_attach(actor=staff, scan_id=scan.pk, reference=second.reference)
    assert not second.evidence.exists()


@pytest.mark.django_db(transaction=True)
def test_the_scans_exhibit_is_stored_before_any_lock(staff, branch, monkeypatch):
    """Storing a file is network I/O with object storage: never inside a transaction."""
    from django.db import connection

    from mediation.services import evidence as evidence_services
    from mediation.services.letters import letter_scan_attach
    from tests.factories import make_dispute

    upload(client_for(staff), scan_of(LETTER), "letter.png", _no_capture)
    scan = LetterScan.objects.get()
    case = make_dispute(CustomerFactory.create(), branch)
    stored_in_transaction = []
    real_store = evidence_services.store_clean_file

    def store(folder, clean):
        stored_in_transaction.append(connection.in_atomic_block)
        return real_store(folder, clean)

    monkeypatch.setattr(evidence_services, "store_clean_file", store)
    item = letter_scan_attach(actor=staff, scan_id=scan.pk, reference=case.reference)
    assert stored_in_transaction == [False]
    assert item.dispute == case and default_storage.exists(str(item.file.name))


def test_a_scan_linked_meanwhile_keeps_that_exhibit_and_drops_the_copy(
    staff, branch, django_capture_on_commit_callbacks, monkeypatch
):
    """Two posts of the same form at once: the second to take the scan's lock finds it linked,
    answers with that exhibit and deletes the copy it stored."""
    from mediation.services import letters as letter_services
    from tests.factories import make_dispute

    upload(client_for(staff), scan_of(LETTER), "letter.png", django_capture_on_commit_callbacks)
    scan = LetterScan.objects.get()
    case = make_dispute(CustomerFactory.create(), branch)
    real_prepare = letter_services.evidence_prepare
    copies: list[str] = []
    first: list = []
    other_started = False

    def prepare(**kwargs):
        nonlocal other_started
        clean, name = real_prepare(**kwargs)
        copies.append(name)
        if not other_started:  # the other post gets in between, once
            other_started = True
            first.append(
                letter_services.letter_scan_attach(
                    actor=staff, scan_id=scan.pk, reference=case.reference
                )
            )
        return clean, name

    monkeypatch.setattr(letter_services, "evidence_prepare", prepare)
    item = letter_services.letter_scan_attach(
        actor=staff, scan_id=scan.pk, reference=case.reference
    )
    assert item == first[0] and case.evidence.count() == 1
    assert len(copies) == 2 and default_storage.exists(str(item.file.name))
    assert [default_storage.exists(n) for n in copies] == [False, True]  # the late copy went


def _no_capture(execute=True):
    """Without a test transaction, work after commit runs at commit: nothing to capture."""
    from contextlib import nullcontext

    return nullcontext()


def test_an_unused_scan_goes_after_thirty_days(staff, django_capture_on_commit_callbacks):
    upload(client_for(staff), scan_of(LETTER), "letter.png", django_capture_on_commit_callbacks)
    scan = LetterScan.objects.get()
    name = str(scan.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        retention_run(now=timezone.now() + timedelta(days=29))
    assert LetterScan.objects.filter(pk=scan.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        retention_run(now=timezone.now() + timedelta(days=31))
    assert not LetterScan.objects.exists() and not default_storage.exists(name)


def test_tidy_and_fields_read_a_letter_as_written():
    assert tidy("尊 敬 的 银 行 :\n\n\n\n我 要 求 : 退 款") == "尊敬的银行：\n\n我要求：退款"
    found = letter_fields(
        "尊敬的银行：\n事情经过。\n诉求如下：\n一、退款；\n二、道歉。\n此致\n投诉人：李四"
    )
    assert found.facts == "事情经过。" and found.request == "一、退款；\n二、道歉。"
    assert found.customer_name == "李四" and found.customer_mobile == ""
