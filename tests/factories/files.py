"""Files for upload tests, made in memory: good ones and hostile ones."""

from __future__ import annotations

import io

import pikepdf
from PIL import Image


def pdf_bytes(pages: int = 1) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def hostile_pdf_bytes() -> bytes:
    """JavaScript on open, a JavaScript name tree, a launch link and an embedded file."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))
    pdf.Root.OpenAction = js
    pdf.Root.AA = pikepdf.Dictionary(WC=js)
    names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array(["x", js])),
        EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array([])),
    )
    pdf.Root.Names = names
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F="calc.exe")
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 100], A=launch
    )
    attach = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[0, 0, 10, 10]
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([link, attach]))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def encrypted_pdf_bytes(user_password: str) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="owner-pw", user=user_password))
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white").save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps_bytes() -> bytes:
    img = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}  # GPS IFD
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def stored_files() -> list[str]:
    """Every file in the test's private storage (the conftest gives each test its own)."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    if not root.exists():
        return []
    return sorted(str(p) for p in root.rglob("*") if p.is_file())
