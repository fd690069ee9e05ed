"""A person's notification preferences: which events they hear of in the portal (a legal
notice always), and through which outside channels (NotificationChannelChoice). Each role's
page lists only that role's events."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django_stubs_ext import StrOrPromise

from portal.models import NotificationChannelChoice, NotificationOptOut, User
from portal.notifications.channels import CHANNELS, always_sent, wanted
from portal.notifications.events import EVENTS, EventType


@dataclass(frozen=True)
class ChannelCell:
    name: str
    label: StrOrPromise
    on: bool
    # False: the person has no address for it yet (no email, no verified mobile); the choice
    # is kept and takes effect once they have one.
    reachable: bool
    fixed: bool  # a legal notice by email: always


@dataclass(frozen=True)
class PreferenceRow:
    key: str
    label: StrOrPromise
    legal: bool
    in_app: bool
    channels: list[ChannelCell]


def events_for(user: User) -> dict[str, EventType]:
    """The events this person's role receives, in their registered order."""
    return {
        key: kind for key, kind in EVENTS.items() if kind.roles is None or user.role in kind.roles
    }


def preferences_for(user: User) -> list[PreferenceRow]:
    off = set(user.opt_outs.values_list("event", flat=True))
    chosen = {
        (event, channel): choice
        for event, channel, choice in user.channel_choices.values_list("event", "channel", "wanted")
    }
    reachable = {c.name: bool(c.address(user)) for c in CHANNELS}
    return [
        PreferenceRow(
            key=key,
            label=kind.label,
            legal=kind.legal,
            in_app=kind.legal or key not in off,
            channels=[
                ChannelCell(
                    name=c.name,
                    label=c.label,
                    on=wanted(kind, c, chosen.get((key, c.name))),
                    reachable=reachable[c.name],
                    fixed=always_sent(kind, c),
                )
                for c in CHANNELS
            ],
        )
        for key, kind in events_for(user).items()
    ]


def preferences_save(*, user: User, ticked: set[str]) -> None:
    """Keep what the form's boxes say: `ticked` holds "event" for the portal and
    "event:channel" for a channel. Only departures from a default are stored; a legal notice
    stays on in the portal and by email whatever is posted."""
    events = events_for(user)
    with transaction.atomic():
        NotificationOptOut.objects.filter(user=user).delete()
        NotificationOptOut.objects.bulk_create(
            NotificationOptOut(user=user, event=key)
            for key, kind in events.items()
            if not kind.legal and key not in ticked
        )
        NotificationChannelChoice.objects.filter(user=user).delete()
        NotificationChannelChoice.objects.bulk_create(
            NotificationChannelChoice(user=user, event=key, channel=c.name, wanted=ticks)
            for key, kind in events.items()
            for c in CHANNELS
            if not always_sent(kind, c) and (ticks := f"{key}:{c.name}" in ticked) != c.default
        )
