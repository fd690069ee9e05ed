"""The decision letter as a PDF (STYLE.md 8: data in, bytes out, no database).

Each citation in the reply becomes the article's title and number with a footnote mark; the
annex prints every cited article's verbatim text with its version and source, or says the
library holds no verified text (cited by title and number only, never paraphrased).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration


@dataclass(frozen=True)
class Piece:
    text: str
    note: int | None = None  # the footnote number after this piece


@dataclass(frozen=True)
class Footnote:
    number: int
    citation: str
    text: str  # verbatim; empty when the library holds no verified text
    version: str
    source: str


@dataclass(frozen=True)
class LetterData:
    title: str
    bank: str
    reference: str
    customer_name: str
    issued_on: date
    paragraphs: list[list[Piece]]
    footnotes: list[Footnote]
    granted_amount: str
    granted_words: str
    pays: bool
    review_until: date | None  # a decision letter: the last day to ask for a review
    is_review: bool
    generated_at: datetime


def render_letter(data: LetterData) -> bytes:
    html = render_to_string("pdf/reply_letter.html", {"letter": data})
    return HTML(string=html).write_pdf(font_config=FontConfiguration()) or b""
