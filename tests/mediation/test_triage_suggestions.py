"""Issue 22, 6: triage labels suggested from the complaint's words by a rule table that
administrators edit (mediation/triage.py); staff confirm or change them; the suggestions' hit
rate against staff's final labels is shown."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mediation import services
from mediation.models import Dispute, TriageRule
from mediation.triage import case_causes, hit_rate, urgency_hit_rate, with_hit_rates
from tests.conftest import client_for, opened
from tests.factories import UserFactory, make_dispute

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("triage_table")]


def file(customer, branch, facts: str, **kw) -> Dispute:
    return make_dispute(customer, branch, "800.00", facts=facts, request="退还费用。", **kw)


def test_the_causes_are_the_names_in_the_regulation():
    causes = case_causes()
    assert "信用卡纠纷" in causes and "金融委托理财合同纠纷" in causes
    assert len(causes) == len(set(causes)) == 28


def test_filing_records_the_tables_suggestion(customer, branch):
    d = file(customer, branch, "信用卡年费未经同意扣收，家中老人住院急用钱。")
    assert d.suggested_cause == "信用卡纠纷" and d.suggested_urgency == "urgent"
    assert d.suggested_cause_rule is not None and "年费" in d.suggested_cause_rule.keywords
    quiet = file(customer, branch, "营业厅排队时间太长。")
    assert quiet.suggested_cause == "" and quiet.suggested_urgency == ""


def test_the_first_active_rule_wins(customer, branch):
    # "理财" (position 30) and "贷款" (40) both appear: the earlier rule suggests.
    d = file(customer, branch, "客户经理把理财说成存款，还让我贷款买。")
    assert d.suggested_cause == "金融委托理财合同纠纷"
    TriageRule.objects.filter(cause="金融委托理财合同纠纷").update(active=False)
    again = file(customer, branch, "客户经理把理财说成存款，还让我贷款买。")
    assert again.suggested_cause == "金融借款合同纠纷"


def test_a_rule_names_a_cause_from_the_regulation():
    for bad in (
        TriageRule(keywords="年费", cause="年费纠纷"),
        TriageRule(keywords=" | ", cause="信用卡纠纷"),
        TriageRule(keywords="年费"),
    ):
        with pytest.raises(ValidationError):
            bad.full_clean()
    TriageRule(keywords="年费|挂失费", cause="信用卡纠纷", urgency="").full_clean()


def test_staff_see_the_suggestion_filled_in_with_the_word_that_made_it(customer, branch, staff):
    d = file(customer, branch, "借记卡在境外被盗刷两笔。")
    page = opened(client_for(staff), d.get_absolute_url())
    assert 'value="借记卡纠纷"' in page and "盗刷" in page
    assert '<datalist id="case-causes">' in page
    # The customer never sees the bank's triage.
    assert "借记卡纠纷" not in client_for(customer).get(d.get_absolute_url()).content.decode()


def test_a_suggestion_made_before_the_table_changed_names_no_word(customer, branch, staff):
    d = file(customer, branch, "借记卡在境外被盗刷两笔。")
    TriageRule.objects.filter(cause="借记卡纠纷").update(active=False)
    page = opened(client_for(staff), d.get_absolute_url())
    assert 'value="借记卡纠纷"' in page  # what was suggested when it was filed
    assert "投诉中提到“盗刷”" not in page and "提出投诉时" in page


def test_the_hit_rate_counts_what_staff_kept(customer, branch, staff):
    kept = file(customer, branch, "信用卡分期手续费太高。")
    changed = file(customer, branch, "信用卡被盗刷。")
    unlabelled = file(customer, branch, "信用卡年费。")
    assert unlabelled.suggested_cause == "信用卡纠纷"
    services.dispute_triage(
        actor=staff, reference=kept.reference, cause_label="信用卡纠纷", urgency="normal"
    )
    services.dispute_triage(
        actor=staff, reference=changed.reference, cause_label="银行卡纠纷", urgency="normal"
    )
    overall = hit_rate()
    assert (overall.labelled, overall.kept) == (2, 1) and overall.rate == 0.5
    rule = with_hit_rates(TriageRule.objects.filter(cause="信用卡纠纷")).get()
    assert (rule.labelled, rule.kept) == (2, 1)  # type: ignore[attr-defined]
    assert with_hit_rates(TriageRule.objects.filter(cause="借记卡纠纷")).get().labelled == 0  # type: ignore[attr-defined]

    admin = UserFactory(role="admin", is_staff=True, is_superuser=True)
    page = client_for(admin).get(reverse("admin:mediation_triagerule_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "1/2 (50%)" in text
    # Urgencies: one suggested "urgent" and kept, one suggested and lowered.
    old = file(customer, branch, "信用卡年费，老人住院急用。")
    young = file(customer, branch, "信用卡年费，急用钱。")
    services.dispute_triage(
        actor=staff, reference=old.reference, cause_label="信用卡纠纷", urgency="urgent"
    )
    services.dispute_triage(
        actor=staff, reference=young.reference, cause_label="信用卡纠纷", urgency="normal"
    )
    urgency = urgency_hit_rate()
    assert (urgency.labelled, urgency.kept) == (2, 1)
    heading = client_for(admin).get(reverse("admin:mediation_triagerule_changelist"))
    assert "紧急程度 1/2 (50%)" in heading.content.decode()
