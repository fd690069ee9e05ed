"""Copy China's public holidays and 调休 working days into the editable calendar table.

Existing rows are kept (an administrator may have corrected them) unless --replace is given.
Idempotent: running it twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from portal.calendar import china_calendar_rows
from portal.models import CalendarDay


class Command(BaseCommand):
    help = "Load statutory holidays and substituted working days for the given years."

    def add_arguments(self, parser: CommandParser) -> None:
        this_year = timezone.localdate().year
        parser.add_argument(
            "years", nargs="*", type=int, default=[this_year - 1, this_year, this_year + 1]
        )
        parser.add_argument(
            "--replace", action="store_true", help="overwrite rows that already exist"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        created = updated = 0
        for year in options["years"]:
            for day, kind, name in china_calendar_rows(year):
                if options["replace"]:
                    _obj, was_created = CalendarDay.objects.update_or_create(
                        date=day, defaults={"kind": kind, "name": name}
                    )
                    created += was_created
                    updated += not was_created
                else:
                    _obj, was_created = CalendarDay.objects.get_or_create(
                        date=day, defaults={"kind": kind, "name": name}
                    )
                    created += was_created
        years = ", ".join(str(y) for y in options["years"])
        if created or updated:
            self.stdout.write(f"calendar {years}: {created} days added, {updated} replaced")
        else:  # the migration loaded them already: say so rather than "0 days added"
            self.stdout.write(f"calendar {years}: already loaded, nothing to change")
