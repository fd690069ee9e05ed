"""Background task that renders, seals and stores a reply's letter (django.tasks)."""

from __future__ import annotations

from django.tasks import task


@task()
def build_letter(reply_id: int) -> None:
    """Skips a reply whose letter is not queued (already stored, or not issued)."""
    from mediation.replykit.services import letter_generate

    letter_generate(reply_id=reply_id)
