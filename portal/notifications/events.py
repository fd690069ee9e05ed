"""The events that notify someone: their texts, and whether each is a legal notice.

Legal notices (deadlines that carry legal consequences, rulings, agreements) cannot be switched
off; the rest can, per user. Texts are written once, in English msgids, and stored in both
Chinese and English when the notification is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class EventType:
    label: StrOrPromise
    title: StrOrPromise
    body: StrOrPromise
    legal: bool = False
    # The roles it is sent to (None: anyone on a case); a person's preferences list only theirs.
    roles: frozenset[str] | None = None


# Filled by the apps in their AppConfig.ready() (mediation/notifications.py,
# referrals/notifications.py): the kernel delivers events whose texts it does not hold.
EVENTS: dict[str, EventType] = {}


def register_events(events: dict[str, EventType]) -> None:
    """Add an app's events; the same key with another text is a mistake, not an override."""
    clash = sorted(k for k in events if k in EVENTS and EVENTS[k] != events[k])
    if clash:
        raise ValueError(f"notification events registered twice: {clash}")
    EVENTS.update(events)
