"""The white paper as a PDF (STYLE.md 8: data in, bytes out, no database). WeasyPrint runs
no scripts, so the chart is drawn here as SVG, from the same figures as the table beside it."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration


def month_bars(months: list[dict[str, Any]], width: int = 640, height: int = 180) -> dict[str, Any]:
    """Bars of complaints received per month, scaled to the busiest month, for an inline SVG
    (the public page draws the same picture without scripts)."""
    top = max((m["received"] or 0 for m in months), default=0) or 1
    slot = width / max(len(months), 1)
    top_gap, chart = 16, height - 30  # room for the tallest bar's figure and the month labels
    bars = []
    for i, m in enumerate(months):
        shown = m["received"]  # None: left out (a small count), drawn as no bar and "*"
        bar = round((chart - top_gap) * (shown or 0) / top, 1)
        bars.append(
            {
                "x": round(i * slot + slot * 0.15, 1),
                "y": round(chart - bar, 1),
                "width": round(slot * 0.7, 1),
                "height": bar,
                "label_x": round(i * slot + slot / 2, 1),
                "value_y": round(chart - bar - 4, 1),
                "label": m["label"].split("年")[-1],
                "value": "*" if shown is None else shown,
            }
        )
    return {
        "width": width,
        "height": height,
        "baseline": chart,
        "label_y": height - 10,
        "bars": bars,
    }


def render_white_paper(figures: dict[str, Any], *, version: int) -> bytes:
    with translation.override("zh-hans"):
        html = render_to_string(
            "pdf/white_paper.html",
            {"paper": figures, "version": version, "chart": month_bars(figures["months"])},
        )
    return HTML(string=html).write_pdf(font_config=FontConfiguration()) or b""


def render_figures(board: Any, *, made_on: Any) -> bytes:
    """The complaint figures of a period (mediation/insight/figures.Dashboard) as a PDF."""
    months = [{"label": r.label, "received": r.received} for r in board.months]
    with translation.override("zh-hans"):
        html = render_to_string(
            "pdf/figures.html", {"board": board, "chart": month_bars(months), "made_on": made_on}
        )
    return HTML(string=html).write_pdf(font_config=FontConfiguration()) or b""
