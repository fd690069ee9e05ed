"""Reading a scanned letter (the bank document, 4.7: paper letters turned into structured data).

Tesseract reads the scan with its simplified-Chinese data, both from Debian's packages
(`tesseract-ocr`, `tesseract-ocr-chi-sim`): nothing is downloaded at run time. A PDF's first
OCR_MAX_PAGES pages are drawn as images by poppler's `pdftoppm` first. What is read is a
draft: `letter_fields` guesses the facts, the request and the writer's name and mobile, and
staff correct them before the case is recorded. Works on bytes and temporary files only; the
service (mediation/services/letters.py) stores the result.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError

# Tesseract puts spaces between Chinese characters and half-width colons after them.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_SPACE_BETWEEN = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}\d])|(?<=[{_CJK}\d])[ \t]+(?=[{_CJK}])")
_COLON = re.compile(rf"(?<=[{_CJK}])\s*[:：]\s*")
# Where the writer says what they want, and where the letter closes.
_REQUEST = re.compile(r"(?:诉求|请求|要求)(?:如下)?[：:]")
_CLOSING = re.compile(r"^(?:此致|申请人|投诉人|来信人|联系电话|电话|手机|日期|敬礼)")
_NAME = re.compile(
    r"(?:申请人|投诉人|来信人|姓名)[：:]\s*([\u4e00-\u9fff·]{2,10}?)"
    r"(?=电话|手机|联系|日期|[^\u4e00-\u9fff·]|$)",
    re.MULTILINE,
)
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


class UnreadableScan(ApplicationError):
    """The scan could not be read: the reason is said to staff, who type the letter instead."""


def read_text(content: bytes, content_type: str) -> str:
    """The letter's text, tidied. Raises UnreadableScan with the reason."""
    with tempfile.TemporaryDirectory(prefix="letter-") as tmp:
        folder = Path(tmp)
        if content_type == "application/pdf":
            source = folder / "scan.pdf"
            source.write_bytes(content)
            pages = _pdf_pages(source, folder)
        else:
            image = folder / ("scan.png" if content_type == "image/png" else "scan.jpg")
            image.write_bytes(content)
            pages = [image]
        text = "\n".join(_ocr(page) for page in pages)
    return tidy(text)


def _pdf_pages(source: Path, folder: Path) -> list[Path]:
    _run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-gray",
            "-png",
            "-l",
            str(settings.OCR_MAX_PAGES),
            str(source),
            str(folder / "page"),
        ],
        _("the scan's pages could not be drawn"),
    )
    return sorted(folder.glob("page*.png"))


def _ocr(image: Path) -> str:
    return _run(
        [settings.OCR_COMMAND, str(image), "stdout", "-l", settings.OCR_LANGUAGES, "--psm", "6"],
        _("the text could not be read"),
    )


def _run(command: list[str], what: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 (fixed programs; the file names are our own temp files)
            command,
            capture_output=True,
            text=True,
            timeout=settings.OCR_PAGE_SECONDS,
            check=False,
        )
    except FileNotFoundError as missing:
        raise UnreadableScan(
            _("This server cannot read scans (%(program)s is not installed): type the letter in.")
            % {"program": Path(command[0]).name}
        ) from missing
    except subprocess.TimeoutExpired as slow:
        raise UnreadableScan(
            _("Reading took longer than %(n)s seconds a page: type the letter in.")
            % {"n": settings.OCR_PAGE_SECONDS}
        ) from slow
    if done.returncode != 0:
        raise UnreadableScan(
            _("%(what)s: %(detail)s") % {"what": what, "detail": done.stderr.strip()[-200:]}
        )
    return done.stdout


def tidy(text: str) -> str:
    """Tesseract's Chinese as a person writes it: no spaces between characters, full-width
    colons, one blank line at most."""
    lines = []
    for line in text.replace("\f", "\n").splitlines():
        line = _SPACE_BETWEEN.sub("", line.strip())
        lines.append(_COLON.sub("：", line))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class LetterFields:
    facts: str
    request: str
    customer_name: str
    customer_mobile: str


def letter_fields(text: str) -> LetterFields:
    """A first guess at the intake form's fields from a letter's text: the request is what
    follows "要求：" (or 请求, 诉求) up to the letter's closing; the facts are the rest of the
    body, without the salutation and the closing; the name follows 申请人 or 投诉人; the
    mobile is the first mainland mobile number. Staff read and correct every one."""
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and lines[0].endswith("：") and len(lines[0]) <= 20:
        lines = lines[1:]  # 尊敬的…：
    body: list[str] = []
    request: list[str] = []
    for line in lines:
        if _CLOSING.match(line):
            break
        found = _REQUEST.search(line)
        if found and not request:
            before, after = line[: found.start()].rstrip("，,；; "), line[found.end() :]
            if before and before not in ("我", "我的", "本人"):
                body.append(before)
            request.append(after)
        elif request:
            request.append(line)
        else:
            body.append(line)
    name = _NAME.search(text)
    mobile = _MOBILE.search(text)
    return LetterFields(
        facts="\n".join(body).strip(),
        request="\n".join(request).strip(),
        customer_name=name.group(1) if name else "",
        customer_mobile=mobile.group(1) if mobile else "",
    )
