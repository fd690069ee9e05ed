"""Saved queue filters: a member of staff keeps the queue's filter under a name, and drops it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from mediation.access import saved_filter_get_for
from mediation.forms import QueueFilterForm
from mediation.models import SavedFilter
from portal.exceptions import ApplicationError
from portal.models import User

# A handful of views of the queue, not a second queue.
SAVED_FILTERS_MAX = 20
NAME_MAX = SavedFilter._meta.get_field("name").max_length or 40
QUERY_MAX = SavedFilter._meta.get_field("query").max_length or 500


def saved_filter_save(*, actor: User, name: str, query: str) -> SavedFilter:
    """Keep the queue's filter `query` under `name` (the same name again replaces it). Only a
    filter the queue can read is kept, and only its parameters: never the page."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ApplicationError(
            _("Give the filter a name of 1 to %(n)s characters.") % {"n": NAME_MAX}
        )
    params = QueryDict(query, mutable=True)
    params.pop("page", None)
    if not QueueFilterForm(params, all_branches=True).is_valid():
        raise ApplicationError(_("The queue cannot read this filter: correct it first."))
    kept = urlencode([(key, value) for key, values in params.lists() for value in values if value])
    if not kept:
        raise ApplicationError(_("Choose at least one filter before keeping it."))
    if len(kept) > QUERY_MAX:
        raise ApplicationError(_("This filter is too long to keep: narrow it."))
    with transaction.atomic():
        mine = SavedFilter.objects.select_for_update().filter(user=actor)
        names = set(mine.values_list("name", flat=True))
        if name not in names and len(names) >= SAVED_FILTERS_MAX:
            raise ApplicationError(
                _("You keep %(n)s filters already: drop one first.") % {"n": SAVED_FILTERS_MAX}
            )
        saved, _created = SavedFilter.objects.update_or_create(
            user=actor, name=name, defaults={"query": kept}
        )
    return saved


def saved_filter_delete(*, actor: User, filter_id: int) -> None:
    saved_filter_get_for(actor, filter_id).delete()
