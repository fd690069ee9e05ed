"""PartnerOrganisation moves from referrals into the kernel (portal), keeping every row.

Step 1 of 3, state only: the model now belongs to portal but still uses the table
referrals_partnerorganisation; User.organisation points at it. referrals 0007 and mediation 0005
repoint their foreign keys; portal 0006 renames the table.
"""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_apitoken_idempotencyrecord"),
        ("referrals", "0006_webhookendpoint_webhookdelivery"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="PartnerOrganisation",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=120, unique=True, verbose_name="name")),
                        ("kind", models.CharField(choices=[("mediation_centre", "Mediation centre"), ("arbitration_commission", "Arbitration commission"), ("court", "Court")], max_length=30, verbose_name="kind")),
                        ("region", models.CharField(max_length=60, verbose_name="region")),
                        ("contact_name", models.CharField(blank=True, max_length=60, verbose_name="contact person")),
                        ("contact_phone", models.CharField(blank=True, max_length=30, verbose_name="contact phone")),
                        ("contact_email", models.EmailField(blank=True, max_length=254, verbose_name="contact email")),
                        ("address", models.CharField(blank=True, max_length=200, verbose_name="address")),
                        ("cooperation_agreement_ref", models.CharField(blank=True, max_length=60, verbose_name="cooperation agreement reference (诉调对接协议)")),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                    ],
                    options={
                        "verbose_name": "partner organisation",
                        "verbose_name_plural": "partner organisations",
                        "ordering": ["kind", "name"],
                        "db_table": "referrals_partnerorganisation",
                    },
                ),
                migrations.AlterField(
                    model_name="user",
                    name="organisation",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="members", to="portal.partnerorganisation", verbose_name="partner organisation"),
                ),
            ],
        ),
    ]
