"""Background task that renders a judicial-confirmation application form (django.tasks)."""

from __future__ import annotations

from django.tasks import task


@task()
def build_confirmation_form(confirmation_id: int) -> None:
    """Render the judicial-confirmation application form. Skips one that is not queued."""
    from referrals.confirmation.application_form import confirmation_form_generate

    confirmation_form_generate(confirmation_id=confirmation_id)
