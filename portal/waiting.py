"""What waits for a person, oldest deadline first: each role's home lists it (issue 17, 10).

The kernel knows no domain: each app registers providers in its AppConfig.ready(), and a
provider answers `(user, today)` with the things that user must do (a proposal to answer, an
application to join, a referral to acknowledge, a review due), each addressed to that user and
linking to where it is done. A provider returns nothing for roles it does not serve.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.models import User


@dataclass(frozen=True)
class Waiting:
    what: str  # the thing to do, in the viewer's words
    case_ref: str
    url: str
    due: date | None = None
    binding: bool = False  # a binding act: confirmed on its own page with a code

    def overdue_on(self, today: date) -> bool:
        return self.due is not None and self.due < today


Provider = Callable[["User", date], Iterable[Waiting]]
_providers: list[Provider] = []

# A home lists at most this many; the queues hold the rest.
HOME_LIMIT = 12


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def waiting_for(user: User, today: date, *, limit: int = HOME_LIMIT) -> list[Waiting]:
    """Every registered provider's items for `user`, oldest deadline first (none last)."""
    items = [item for provider in _providers for item in provider(user, today)]
    items.sort(key=lambda w: (w.due is None, w.due or today, w.case_ref))
    return items[:limit]
