"""Background tasks of the management insight: a white paper version, a figures report."""

from __future__ import annotations

from django.tasks import task


@task()
def build_white_paper(paper_id: int) -> None:
    """Skips a version that is not queued (already built, or failed)."""
    from .white_paper import white_paper_build

    white_paper_build(paper_id=paper_id)


@task()
def build_figures_report(report_id: int) -> None:
    """Skips a report that is not queued."""
    from .reports import report_build

    report_build(report_id=report_id)
