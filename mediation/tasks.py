"""Background tasks of intake (django.tasks)."""

from __future__ import annotations

from django.tasks import task


@task()
def read_letter(scan_id: int) -> None:
    """Read a scanned letter's text (Tesseract); a scan already read is skipped."""
    from mediation.services.letters import letter_scan_read

    letter_scan_read(scan_id=scan_id)
