"""Background tasks of the portal package."""

from __future__ import annotations

from django.tasks import task

from portal.notifications import deliver_one


@task()
def deliver(delivery_id: int) -> None:
    """Send one notification delivery (email); failures are kept for a retry."""
    deliver_one(delivery_id)


@task()
def build_data_export(export_id: int) -> None:
    """Build a person's copy of their data (portal/privacy.py)."""
    from portal.privacy import export_build

    export_build(export_id=export_id)


@task()
def seal_binding_act(act_id: int) -> None:
    """Render and seal a binding act's PDF (portal/binding.py)."""
    from portal.binding import seal

    seal(act_id=act_id)
