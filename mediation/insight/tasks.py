"""Background task that builds a version of the white paper (django.tasks)."""

from __future__ import annotations

from django.tasks import task


@task()
def build_white_paper(paper_id: int) -> None:
    """Skips a version that is not queued (already built, or failed)."""
    from .white_paper import white_paper_build

    white_paper_build(paper_id=paper_id)
