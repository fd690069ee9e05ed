"""The WSGI entry point (gunicorn portal.wsgi): after a worker's first request the objects
requests reuse are frozen out of the garbage collector's full collections, once."""

from __future__ import annotations

import gc

import pytest
from django.core.signals import request_finished
from django.test import Client


@pytest.mark.django_db
def test_a_workers_first_request_freezes_what_requests_reuse():
    from portal import wsgi

    gc.unfreeze()
    # As in a worker that has answered nothing yet (whatever imported portal.wsgi before).
    request_finished.connect(wsgi.freeze_what_requests_reuse)
    try:
        Client().get("/")
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the loaded portal, not a handful of objects
        Client().get("/")
        assert gc.get_freeze_count() <= frozen  # once, not again on every request
        assert not request_finished.disconnect(wsgi.freeze_what_requests_reuse)  # gone already
    finally:
        gc.unfreeze()
