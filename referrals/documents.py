"""Rendering evidence bundles: data in, bytes out, no database.

The cover sheet and the exhibit index are rendered with WeasyPrint from templates/pdf/. The
exhibits themselves are never re-rendered: PDFs are appended page by page with pikepdf, images
are wrapped in a page, and every page is stamped by overlaying a one-line strip (case reference,
exhibit number, page within the exhibit and within the bundle) that WeasyPrint renders once for
the whole bundle, so the stamps are in the same embedded CJK font as the cover.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import pikepdf
from django.template.loader import render_to_string
from PIL import Image
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

STRIP_HEIGHT_PT = 22.0
A4_WIDTH_PT = 595.28


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    id_number: str = ""
    account_number: str = ""
    contact: str = ""


@dataclass(frozen=True)
class ExhibitData:
    number: int
    title: str
    submitted_by: str
    document_date: date | None
    category: str
    sha256: str
    content_type: str
    file_name: str
    size: int
    read: Callable[[], bytes] = field(repr=False, compare=False)


@dataclass(frozen=True)
class BundleData:
    case_reference: str
    recipient: str
    recipient_kind: str
    purpose: str
    version: int
    generated_at: datetime
    parties: list[Party]
    claim: str
    exhibits: list[ExhibitData]

    @property
    def content_hash(self) -> str:
        """SHA-256 over the manifest: what the bundle holds, independent of its layout."""
        return hashlib.sha256(manifest_bytes(self, with_hash=False)).hexdigest()


@dataclass
class RenderedBundle:
    pdf: bytes
    page_count: int
    ranges: dict[int, tuple[int, int]]  # exhibit number -> first, last bundle page


class BundleRenderError(Exception):
    """An exhibit could not be read; the message names it."""


def manifest_bytes(data: BundleData, *, with_hash: bool = True) -> bytes:
    manifest: dict[str, object] = {
        "case_reference": data.case_reference,
        "recipient": data.recipient,
        "purpose": data.purpose,
        "version": data.version,
        "exhibits": [
            {
                "number": e.number,
                "title": e.title,
                "file": e.file_name,
                "size": e.size,
                "sha256": e.sha256,
                "submitted_by": e.submitted_by,
                "date": e.document_date.isoformat() if e.document_date else None,
            }
            for e in data.exhibits
        ],
    }
    if with_hash:
        manifest["content_hash"] = data.content_hash
        manifest["generated_at"] = data.generated_at.isoformat()
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()


def _html_to_pdf(template: str, context: dict[str, object], fonts: FontConfiguration) -> bytes:
    html = render_to_string(template, context)
    return HTML(string=html).write_pdf(font_config=fonts) or b""


def _exhibit_pdf(exhibit: ExhibitData) -> pikepdf.Pdf:
    raw = exhibit.read()
    try:
        if exhibit.content_type == "application/pdf":
            return pikepdf.open(io.BytesIO(raw))
        with Image.open(io.BytesIO(raw)) as img:
            page = io.BytesIO()
            rgb = img.convert("RGB")
            # 150 dpi keeps the image's proportions on a page of a sensible size.
            rgb.save(page, format="PDF", resolution=150.0)
        return pikepdf.open(io.BytesIO(page.getvalue()))
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise BundleRenderError(f"exhibit {exhibit.number} ({exhibit.title}): {exc}") from exc


def render_front_matter(
    data: BundleData, ranges: dict[int, tuple[int, int]], fonts: FontConfiguration
) -> bytes:
    rows = [(e, ranges.get(e.number)) for e in data.exhibits]
    return _html_to_pdf(
        "pdf/bundle_front.html",
        {"data": data, "rows": rows, "content_hash": data.content_hash},
        fonts,
    )


def render_bundle(data: BundleData, *, deadline: float | None = None) -> RenderedBundle:
    """The bundle PDF: cover, index with page ranges, stamped exhibits, one bookmark each.
    Past `deadline` (time.monotonic()) it stops with a BundleRenderError saying so."""
    fonts = FontConfiguration()
    exhibits: list[tuple[ExhibitData, pikepdf.Pdf]] = []

    def in_time() -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise BundleRenderError("构建超时：证据包未能在规定时间内生成，请减少证据后重试。")

    try:
        for exhibit in data.exhibits:
            in_time()
            exhibits.append((exhibit, _exhibit_pdf(exhibit)))
        counts = [len(pdf.pages) for _e, pdf in exhibits]

        # The index shows bundle page ranges, which depend on the front matter's own length:
        # render, measure, and render again until the length settles (once, in practice).
        front_pages = 1
        ranges: dict[int, tuple[int, int]] = {}
        for _attempt in range(3):
            ranges, page = {}, front_pages + 1
            for (exhibit, _pdf), count in zip(exhibits, counts, strict=True):
                ranges[exhibit.number] = (page, page + count - 1)
                page += count
            front = pikepdf.open(io.BytesIO(render_front_matter(data, ranges, fonts)))
            if len(front.pages) == front_pages:
                break
            front_pages = len(front.pages)
        total = front_pages + sum(counts)

        stamps = pikepdf.open(
            io.BytesIO(
                _html_to_pdf(
                    "pdf/bundle_stamps.html",
                    {
                        "data": data,
                        "stamps": _stamp_lines(data, exhibits, counts, front_pages, total),
                        "strip_height": STRIP_HEIGHT_PT,
                        "width": A4_WIDTH_PT,
                    },
                    fonts,
                )
            )
        )
        out = front
        bookmarks: list[tuple[str, int]] = []
        stamp_index = 0
        for exhibit, pdf in exhibits:
            in_time()
            bookmarks.append((f"证据{exhibit.number} {exhibit.title}", len(out.pages)))
            for source in pdf.pages:
                out.pages.append(source)
                _stamp(out.pages[-1], stamps.pages[stamp_index])
                stamp_index += 1
        with out.open_outline() as outline:
            outline.root.clear()  # WeasyPrint's own heading bookmarks give way to ours
            outline.root.append(pikepdf.OutlineItem("封面与证据目录", 0))
            for title, index in bookmarks:
                outline.root.append(pikepdf.OutlineItem(title, index))
        out.docinfo["/Title"] = f"{data.case_reference} 证据材料 第{data.version}版"
        buffer = io.BytesIO()
        out.save(buffer, compress_streams=True)
        return RenderedBundle(pdf=buffer.getvalue(), page_count=total, ranges=ranges)
    finally:
        for _e, pdf in exhibits:
            pdf.close()


def _stamp_lines(
    data: BundleData,
    exhibits: list[tuple[ExhibitData, pikepdf.Pdf]],
    counts: list[int],
    front_pages: int,
    total: int,
) -> list[str]:
    lines, page = [], front_pages
    for (exhibit, _pdf), count in zip(exhibits, counts, strict=True):
        for n in range(1, count + 1):
            page += 1
            lines.append(
                f"{data.case_reference} · 证据{exhibit.number} · 第{n}/{count}页 · "
                f"全卷第{page}/{total}页"
            )
    return lines


def _stamp(target: pikepdf.Page, strip: pikepdf.Page) -> None:
    """Overlay the strip along the bottom edge, scaled to the page's width."""
    box = target.mediabox
    x0, y0, x1 = float(box[0]), float(box[1]), float(box[2])
    width = x1 - x0
    height = STRIP_HEIGHT_PT * width / A4_WIDTH_PT
    target.add_overlay(strip, pikepdf.Rectangle(x0, y0, x1, y0 + height))


def render_zip(data: BundleData) -> bytes:
    """The originals, each under its exhibit number, with manifest.json of sizes and hashes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for exhibit in data.exhibits:
            archive.writestr(exhibit.file_name, exhibit.read())
        archive.writestr("manifest.json", manifest_bytes(data))
    return buffer.getvalue()


@dataclass(frozen=True)
class ConfirmationFormData:
    """Everything the application form for judicial confirmation shows."""

    court: str
    applicants: list[Party]
    agent: bool
    mediation_centre: str
    mediator: str
    agreement_effective_on: date
    terms: str
    amount: str
    performance_due: date
    case_reference: str
    materials: list[str]
    generated_at: datetime


def render_confirmation_form(data: ConfirmationFormData) -> bytes:
    """The joint application (申请书) for judicial confirmation, in Chinese."""
    return _html_to_pdf("pdf/confirmation_application.html", {"data": data}, FontConfiguration())
