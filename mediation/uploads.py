"""Checking and neutralising uploaded evidence (DESIGN.md section 6).

The content decides, never the name or the browser's type: libmagic sniffs the bytes; images
are decoded under a pixel limit and re-encoded without metadata (EXIF, GPS, text chunks); PDFs
are opened with pikepdf, refused when encrypted or broken, and stripped of JavaScript, launch and
open actions and embedded files. Everything here works on bytes in memory or a temporary file
and touches neither the database nor storage.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import warnings
import zlib
from dataclasses import dataclass, field
from typing import IO

import magic
import pikepdf
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.exceptions import UploadRejected, UploadTooLarge

ALLOWED_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_DANGEROUS_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/GoToE",
    "/GoToR",
    "/Rendition",
    "/SubmitForm",
    "/ResetForm",
    "/Movie",
    "/Sound",
}
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class CleanFile:
    content: bytes
    content_type: str
    extension: str
    page_count: int
    sha256: str
    removed: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.content)


def safe_display_name(name: str) -> str:
    """Keep a readable original name for display only: no path, no control or bidi
    characters, NFC-normalised, at most 120 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL_RE.sub("", name).strip().lstrip(".")
    if not name:
        name = "file"
    stem, ext = os.path.splitext(name)
    return stem[: 120 - len(ext[:10])] + ext[:10]


def read_limited(upload: IO[bytes], size: int | None) -> bytes:
    """Read the upload, refusing it once it passes the per-file limit."""
    limit = settings.UPLOAD_MAX_FILE_BYTES
    if size is not None and size > limit:
        raise UploadTooLarge(_too_large_message(limit))
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(_too_large_message(limit))
    if not data:
        raise UploadRejected(_("The file is empty."), code="empty_file")
    return data


# What a detected type is called in a message to a person (not "text/plain").
_KINDS = {
    "text/": _("a text file"),
    "application/msword": _("a Word document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml": _("a Word document"),
    "application/vnd.ms-excel": _("an Excel spreadsheet"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml": _("an Excel spreadsheet"),
    "application/zip": _("a ZIP archive"),
    "image/": _("an image of another format"),
    "video/": _("a video"),
    "audio/": _("a sound recording"),
}


def file_kind(content_type: str) -> str:
    for prefix, kind in _KINDS.items():
        if content_type.startswith(prefix):
            return str(kind)
    return str(_("another kind of file"))


def _too_large_message(limit: int) -> str:
    return _("The file is larger than the %(mb)s MB limit.") % {"mb": limit // (1024 * 1024)}


def sniff(data: bytes) -> str:
    return magic.from_buffer(data[:8192], mime=True)


def clean_upload(data: bytes) -> CleanFile:
    content_type = sniff(data)
    if content_type not in ALLOWED_TYPES:
        raise UploadRejected(
            _("Only PDF, JPEG and PNG files are accepted (this file looks like %(type)s).")
            % {"type": file_kind(content_type)},
            code="unsupported_type",
        )
    if content_type == "application/pdf":
        content, pages, removed = _clean_pdf(data)
    else:
        content, removed = _clean_image(data, content_type)
        pages = 1
    return CleanFile(
        content=content,
        content_type=content_type,
        extension=ALLOWED_TYPES[content_type],
        page_count=pages,
        sha256=hashlib.sha256(content).hexdigest(),
        removed=removed,
    )


def _clean_image(data: bytes, content_type: str) -> tuple[bytes, list[str]]:
    max_pixels = settings.UPLOAD_MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    too_big = _("The image is too large (over %(mp)s million pixels).") % {
        "mp": max_pixels // 1_000_000
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                if width * height > max_pixels:
                    raise UploadRejected(too_big, code="image_too_large")
                probe.verify()
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                had_exif = bool(opened.info.get("exif")) or bool(opened.getexif())
                img: Image.Image = ImageOps.exif_transpose(opened)
                out = io.BytesIO()
                if content_type == "image/jpeg":
                    if img.mode not in ("RGB", "L"):
                        img = img.convert("RGB")
                    img.save(out, format="JPEG", quality=90, optimize=True)
                else:
                    if img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                        img = img.convert("RGBA")
                    img.save(out, format="PNG", optimize=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRejected(too_big, code="image_too_large") from exc
    except UploadRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadRejected(
            _("The image is damaged and cannot be read."), code="broken_image"
        ) from exc
    removed = [_("image metadata (EXIF, GPS)")] if had_exif else []
    return out.getvalue(), removed


def _clean_pdf(data: bytes) -> tuple[bytes, int, list[str]]:
    _check_raw_streams(data)
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise UploadRejected(
            _("The PDF is password-protected. Please upload a copy without a password."),
            code="encrypted_pdf",
        ) from exc
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        raise UploadRejected(
            _("The PDF is damaged and cannot be opened."), code="broken_pdf"
        ) from exc
    with pdf:
        if pdf.is_encrypted:
            raise UploadRejected(
                _("The PDF is encrypted. Please upload a copy without protection."),
                code="encrypted_pdf",
            )
        try:
            pages = len(pdf.pages)
            if pages == 0:
                raise UploadRejected(_("The PDF has no pages."), code="broken_pdf")
            _check_bounds(pdf, pages)
            removed = _strip_active_content(pdf)
            out = io.BytesIO()
            pdf.save(out)
        except UploadRejected:
            raise
        except (pikepdf.PdfError, ValueError, RuntimeError, KeyError) as exc:
            raise UploadRejected(
                _("The PDF is damaged and cannot be opened."), code="broken_pdf"
            ) from exc
    return out.getvalue(), pages, removed


# Filters that only viewers decode (images): their size counts as stored. Flate is counted by
# decompressing it a piece at a time; the rest (LZW, RunLength...) are decoded by pikepdf.
_IMAGE_FILTERS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"}
_CHUNK = 1024 * 1024


_STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")


def _too_large_expanded(budget: int) -> UploadRejected:
    return UploadRejected(
        _(
            "The PDF expands to more than %(mb)s MB when opened, which is not accepted. Please "
            "print it to a new PDF and upload that."
        )
        % {"mb": budget // (1024 * 1024)},
        code="pdf_too_large_expanded",
    )


def _check_raw_streams(data: bytes) -> None:
    """Before pikepdf opens the file: every Flate stream in the raw bytes, counted a piece at a
    time. Opening a PDF already decodes its object streams (where the page tree and catalogue
    may live), so a bomb hidden there would expand before `_check_bounds` could count it."""
    budget = settings.UPLOAD_MAX_PDF_EXPANDED_BYTES
    raw, expanded = memoryview(data), 0
    for match in _STREAM_START.finditer(data):
        expanded += _inflated_size(raw, match.end(), budget - expanded + 1)
        if expanded > budget:
            raise _too_large_expanded(budget)


def _inflated_size(raw: memoryview, start: int, allowance: int) -> int:
    """How much the zlib data at `start` inflates to, stopping once past `allowance`; 0 when
    the bytes there are not zlib data (another filter, or none)."""
    inflate, size, pos = zlib.decompressobj(), 0, start
    try:
        while not inflate.eof and pos < len(raw) and size <= allowance:
            size += len(inflate.decompress(raw[pos : pos + _CHUNK], _CHUNK))
            while inflate.unconsumed_tail and not inflate.eof and size <= allowance:
                size += len(inflate.decompress(inflate.unconsumed_tail, _CHUNK))
            pos += _CHUNK
    except zlib.error:
        pass  # not zlib, or its end is damaged: what inflated so far is counted
    return size


def _check_bounds(pdf: pikepdf.Pdf, pages: int) -> None:
    """Bounded work for every later step (stamping, merging into bundles): at most
    UPLOAD_MAX_PDF_PAGES pages, and at most UPLOAD_MAX_PDF_EXPANDED_BYTES once its streams
    are decompressed, counted without holding any stream expanded in memory. A 1 MB file whose
    content expands to a gigabyte, or 20,000 near-empty pages, is refused here."""
    if pages > settings.UPLOAD_MAX_PDF_PAGES:
        raise UploadRejected(
            _(
                "The PDF has %(pages)s pages; at most %(limit)s are accepted per file. Please "
                "split it."
            )
            % {"pages": pages, "limit": settings.UPLOAD_MAX_PDF_PAGES},
            code="too_many_pages",
        )
    budget = settings.UPLOAD_MAX_PDF_EXPANDED_BYTES
    expanded = 0
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            expanded += _expanded_size(obj, budget - expanded + 1)
            if expanded > budget:
                raise _too_large_expanded(budget)


def _expanded_size(stream: pikepdf.Stream, allowance: int) -> int:
    """The stream's decoded size, or a number above `allowance` as soon as it passes it."""
    filters = stream.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
    raw = stream.read_raw_bytes()
    if filters is None or all(name in _IMAGE_FILTERS for name in names):
        return len(raw)
    if names == ["/FlateDecode"]:
        return _inflated_size(memoryview(raw), 0, allowance)
    try:
        return len(stream.read_bytes())
    except pikepdf.PdfError:  # a filter pikepdf cannot decode: counted as stored
        return len(raw)


def _strip_active_content(pdf: pikepdf.Pdf) -> list[str]:
    removed: set[str] = set()
    root = pdf.Root
    for key in ("/OpenAction", "/AA"):
        if key in root:
            del root[key]
            removed.add(_("automatic open actions"))
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        if "/JavaScript" in names:
            del names["/JavaScript"]
            removed.add(_("JavaScript"))
        if "/EmbeddedFiles" in names:
            del names["/EmbeddedFiles"]
            removed.add(_("embedded files"))
    acroform = root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary) and "/XFA" in acroform:
        del acroform["/XFA"]
        removed.add(_("XFA forms"))
    for page in pdf.pages:
        if "/AA" in page.obj:
            del page.obj["/AA"]
            removed.add(_("automatic page actions"))
        annots = page.obj.get("/Annots")
        if not isinstance(annots, pikepdf.Array):
            continue
        kept = pikepdf.Array()
        for annot in annots:
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            if annot.get("/Subtype") == "/FileAttachment":
                removed.add(_("embedded files"))
                continue
            if "/AA" in annot:
                del annot["/AA"]
                removed.add(_("automatic page actions"))
            action = annot.get("/A")
            if isinstance(action, pikepdf.Dictionary) and action.get("/S") in _DANGEROUS_ACTIONS:
                del annot["/A"]
                removed.add(_("JavaScript or launch actions"))
            kept.append(annot)
        page.obj["/Annots"] = kept
    # Any remaining action dictionaries reachable elsewhere (outlines, form fields).
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary):
            if obj.get("/S") in _DANGEROUS_ACTIONS:
                obj["/S"] = pikepdf.Name("/Named")
                obj["/N"] = pikepdf.Name("/FirstPage")
                for key in ("/JS", "/F", "/Win", "/Mac", "/Unix"):
                    if key in obj:
                        del obj[key]
                removed.add(_("JavaScript or launch actions"))
            if "/AA" in obj:
                del obj["/AA"]
                removed.add(_("automatic actions"))
            if obj.get("/Type") == "/EmbeddedFile" or obj.get("/Type") == "/Filespec":
                for key in ("/EF", "/RF"):
                    if key in obj:
                        del obj[key]
                        removed.add(_("embedded files"))
    return sorted(str(r) for r in removed)
