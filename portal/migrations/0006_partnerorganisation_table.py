"""PartnerOrganisation moves into portal, step 3 of 3: the table takes portal's name (a rename,
every row kept; foreign keys follow it), and the content type and its permissions move with the
model so that administrators' grants still apply."""

from django.db import migrations


def move_content_type(apps, schema_editor, *, old: str, new: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    moving = content_types.objects.using(db).filter(app_label=old, model="partnerorganisation")
    if content_types.objects.using(db).filter(app_label=new, model="partnerorganisation").exists():
        # A content type already made for the new app (post_migrate of an earlier run): keep
        # the old one's permissions by deleting the empty newcomer first.
        content_types.objects.using(db).filter(app_label=new, model="partnerorganisation").delete()
    moving.update(app_label=new)


def forwards(apps, schema_editor):
    move_content_type(apps, schema_editor, old="referrals", new="portal")


def backwards(apps, schema_editor):
    move_content_type(apps, schema_editor, old="portal", new="referrals")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0005_partnerorganisation"),
        ("mediation", "0005_partnerorganisation_in_portal"),
        ("referrals", "0007_partnerorganisation_in_portal"),
    ]

    operations = [
        migrations.AlterModelTable(name="partnerorganisation", table=None),
        migrations.RunPython(forwards, backwards),
    ]
