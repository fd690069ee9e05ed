"""The background task worker (django-tasks-db's `db_worker`) under an address-space ceiling.

A task that tries to allocate past WORKER_MEMORY_LIMIT_BYTES gets a MemoryError, which the
task fails on cleanly with that reason (a bundle keeps its previous version), and the worker
goes on to the next task: one hostile upload cannot make the worker take the machine's memory.
Any option is passed on to db_worker (`manage.py run_worker --no-startup-delay`).
"""

from __future__ import annotations

import resource
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run db_worker with the address-space ceiling WORKER_MEMORY_LIMIT_BYTES."

    worker_options: list[str] = []

    def run_from_argv(self, argv: list[str]) -> None:
        # Everything after the command name is db_worker's to parse.
        self.worker_options = argv[2:]
        super().run_from_argv(argv[:2])

    def handle(self, *args: Any, **options: Any) -> None:
        limit = settings.WORKER_MEMORY_LIMIT_BYTES
        if limit:
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            ceiling = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
            resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
            self.stderr.write(f"run_worker: address space limited to {ceiling // 2**20} MB")
        call_command("db_worker", *self.worker_options)
