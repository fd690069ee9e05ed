import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()


def freeze_what_requests_reuse(**kwargs: object) -> None:
    """Once a worker has answered its first request, the objects every later request reuses
    (modules, URL patterns, compiled templates, the translation catalogue) are loaded: frozen,
    the garbage collector stops walking them. Its full collections otherwise took about 100 ms
    every few hundred requests of a worker, a pause every request queued behind it waited for
    (bench/scale.py: the staff queue's p99)."""
    request_finished.disconnect(freeze_what_requests_reuse)
    gc.collect()
    gc.freeze()


request_finished.connect(freeze_what_requests_reuse)
