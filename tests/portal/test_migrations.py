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


@pytest.mark.django_db(transaction=True)
def test_cases_filed_before_versions_get_version_1_and_their_parties_deadline() -> None:
    """mediation 0009 keeps each existing claim as its version 1; 0010 gives every open case
    the deadline customers and partners read (the bank's decision on its track)."""
    from datetime import date

    portal_now = ("portal", "0015_binding_act_failed_label")
    before = [("mediation", "0008_mediation_requests_and_claim_versions"), portal_now]
    after = [("mediation", "0010_next_party_deadline"), portal_now]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    branch = old.get_model("portal", "Branch").objects.create(code="SH9", name="测试支行")
    customer = old.get_model("portal", "User").objects.create(username="c9", role="customer")
    dispute_model = old.get_model("mediation", "Dispute")
    common = {"branch_id": branch.pk, "customer_id": customer.pk, "category": "wealth"}
    on_track = dispute_model.objects.create(
        reference="MD-2026-900001",
        amount="30000.00",
        facts="原始事实。",
        request="赔偿。",
        status="triaged",
        decision_due=date(2026, 12, 15),
        next_deadline=date(2026, 12, 1),
        **common,
    )
    in_lane = dispute_model.objects.create(
        reference="MD-2026-900002",
        amount="20000.00",
        facts="事实二。",
        request="赔偿。",
        status="referred",
        next_deadline=date(2026, 12, 3),
        **common,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    version = new.get_model("mediation", "ClaimVersion").objects.get(dispute_id=on_track.pk)
    assert (version.number, version.facts, str(version.amount)) == (1, "原始事实。", "30000.00")
    assert version.made_by_id == customer.pk
    cases = new.get_model("mediation", "Dispute").objects
    assert cases.get(pk=on_track.pk).next_party_deadline == date(2026, 12, 15)
    assert cases.get(pk=in_lane.pk).next_party_deadline == date(2026, 12, 3)
    executor = MigrationExecutor(connection)  # back to the latest for the tests that follow
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
