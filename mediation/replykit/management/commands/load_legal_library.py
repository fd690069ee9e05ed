"""Load the reply toolkit's statute library and claim types from mediation/replykit/data/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mediation.replykit.library import DATA, load_library
from portal.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Add the statute articles and claim types the data files hold and the database does "
        "not (idempotent). What an administrator changed is kept unless --refresh."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path, default=DATA, help="folder with the YAML files")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="rewrite the claim types and reply frames from the files",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = load_library(options["data"], refresh=options["refresh"])
        except (ApplicationError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"legal library: {loaded.articles_added} articles added, "
            f"{loaded.articles_kept} already held, {loaded.not_citable} without an article "
            f"number left out; claim types: {loaded.claim_types_added} added, "
            f"{loaded.claim_types_kept} kept"
        )
