"""The move of PartnerOrganisation from referrals into the kernel keeps every row and link."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("portal", "0004_apitoken_idempotencyrecord"),
    ("mediation", "0004_returnvisit"),
    ("referrals", "0006_webhookendpoint_webhookdelivery"),
]
AFTER = [("portal", "0006_partnerorganisation_table")]


@pytest.mark.django_db(transaction=True)
def test_partner_organisations_move_to_portal_with_their_rows_and_links() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    organisation = old.get_model("referrals", "PartnerOrganisation").objects.create(
        name="上海市金融消费纠纷调解中心", kind="mediation_centre", region="上海"
    )
    member = old.get_model("portal", "User").objects.create(
        username="m1", role="partner", organisation_id=organisation.pk
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    moved = new.get_model("portal", "PartnerOrganisation").objects.get()
    assert (moved.pk, moved.name, moved.kind) == (
        organisation.pk,
        organisation.name,
        "mediation_centre",
    )
    assert new.get_model("portal", "User").objects.get(pk=member.pk).organisation_id == moved.pk
    content_type = new.get_model("contenttypes", "ContentType").objects.filter(
        model="partnerorganisation"
    )
    assert list(content_type.values_list("app_label", flat=True)) in ([], ["portal"])
    assert "referrals_partnerorganisation" not in connection.introspection.table_names()

    # Leave the database as the other tests expect it.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
