"""Load 2024-2028 holidays and 调休 working days so deadlines work right after `migrate`."""

from django.db import migrations


def load(apps, schema_editor):
    from portal.calendar import china_calendar_rows

    CalendarDay = apps.get_model("portal", "CalendarDay")
    for year in range(2024, 2029):
        for day, kind, name in china_calendar_rows(year):
            CalendarDay.objects.get_or_create(date=day, defaults={"kind": kind, "name": name})


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
