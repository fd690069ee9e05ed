"""Webhook signing secrets encrypted at rest (portal/crypto.py): the column is renamed and
every secret stored in clear is encrypted in place."""

from django.db import migrations, models


def encrypt_secrets(apps, schema_editor):
    from portal import crypto

    Endpoint = apps.get_model("referrals", "WebhookEndpoint")
    for endpoint in Endpoint.objects.exclude(secret_encrypted=""):
        if not crypto.is_encrypted(endpoint.secret_encrypted):
            endpoint.secret_encrypted = crypto.encrypt(endpoint.secret_encrypted)
            endpoint.save(update_fields=["secret_encrypted"])


def decrypt_secrets(apps, schema_editor):
    from portal import crypto

    Endpoint = apps.get_model("referrals", "WebhookEndpoint")
    for endpoint in Endpoint.objects.exclude(secret_encrypted=""):
        endpoint.secret_encrypted = crypto.decrypt(endpoint.secret_encrypted)
        endpoint.save(update_fields=["secret_encrypted"])


class Migration(migrations.Migration):
    dependencies = [("referrals", "0010_webhook_secret_generated")]

    operations = [
        migrations.RenameField("webhookendpoint", "secret", "secret_encrypted"),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret_encrypted",
            field=models.TextField(
                blank=True, editable=False, verbose_name="signing secret (encrypted)"
            ),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
