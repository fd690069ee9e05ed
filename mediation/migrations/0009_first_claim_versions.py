"""Every dispute filed before claim versions existed gets its version 1: the claim as it
stands (an earlier amendment, if any, overwrote the original, which is not recoverable)."""

from django.db import migrations

BATCH = 2000


def first_versions(apps, schema_editor):
    Dispute = apps.get_model("mediation", "Dispute")
    ClaimVersion = apps.get_model("mediation", "ClaimVersion")
    rows = Dispute.objects.filter(claim_versions__isnull=True).values_list(
        "pk", "amount", "facts", "request", "category", "recorded_by_id", "customer_id"
    )
    batch = []
    for pk, amount, facts, request, category, recorded_by, customer in rows.iterator(BATCH):
        batch.append(
            ClaimVersion(
                dispute_id=pk,
                number=1,
                amount=amount,
                facts=facts,
                request=request,
                category=category,
                made_by_id=recorded_by or customer,
            )
        )
        if len(batch) >= BATCH:
            ClaimVersion.objects.bulk_create(batch)
            batch = []
    ClaimVersion.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("mediation", "0008_mediation_requests_and_claim_versions")]

    operations = [migrations.RunPython(first_versions, migrations.RunPython.noop)]
