"""A customer's draft of a dispute not yet filed: saved, resumed, dropped (issue 19)."""

from __future__ import annotations

from django.db import transaction

from mediation.models import DisputeDraft
from portal.models import User

# An untouched draft is kept this long, then removed by the retention job (a draft holds
# personal data the bank has no case for yet: PIPL art. 19, kept no longer than needed).
DRAFT_KEPT_DAYS = 30


@transaction.atomic
def dispute_draft_save(*, customer: User, data: dict[str, str]) -> DisputeDraft:
    """Keep what the customer has written so far (their one draft, replaced each time)."""
    draft, _created = DisputeDraft.objects.update_or_create(
        customer=customer, defaults={"data": data}
    )
    return draft


def dispute_draft_drop(*, customer: User) -> None:
    """The customer filed the dispute or threw the draft away."""
    DisputeDraft.objects.filter(customer=customer).delete()
