"""Dispute pages as the right role and the wrong one, with constant query counts."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mediation import services
from mediation.models import Dispute
from tests.conftest import client_for
from tests.factories import CustomerFactory, make_dispute, refer

pytestmark = pytest.mark.django_db


def _intake(client, **overrides):
    page = client.get(reverse("mediation:file"))
    token = page.context["form"].initial["intake_token"]
    data = {
        "intake_token": token,
        "branch": overrides.pop("branch_id"),
        "category": "wealth",
        "amount": "30,000.00",
        "facts": "理财亏损",
        "request": "赔偿",
        "step": "submit",  # past the review step (tests/mediation/test_drafts.py)
    }
    data.update(overrides)
    return client.post(reverse("mediation:file"), data)


def test_customer_files_a_dispute(customer, branch):
    client = client_for(customer)
    response = _intake(client, branch_id=branch.pk, amount="４９，９９９．００")
    dispute = Dispute.objects.get()
    assert response.status_code == 302 and dispute.reference in response["Location"]
    assert dispute.amount == Decimal("49999.00") and dispute.customer == customer
    page = client.get(response["Location"])
    assert "已进入调解快车道" not in page.content.decode()
    assert "选择调解快车道" in page.content.decode()  # the opt-in is offered


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "金额必须大于零"),
        ("-5", "金额必须大于零"),
        ("abc", "请用数字填写金额"),
        ("100.005", "最多保留两位小数"),
    ],
)
def test_bad_amounts_get_a_clear_error_and_create_nothing(customer, branch, amount, message):
    response = _intake(client_for(customer), branch_id=branch.pk, amount=amount)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Dispute.objects.exists()


def test_double_submitted_form_creates_one_dispute(customer, branch):
    client = client_for(customer)
    page = client.get(reverse("mediation:file"))
    data = {
        "intake_token": page.context["form"].initial["intake_token"],
        "branch": branch.pk,
        "category": "wealth",
        "amount": "100",
        "facts": "f",
        "request": "r",
        "step": "submit",
    }
    first = client.post(reverse("mediation:file"), data)
    second = client.post(reverse("mediation:file"), data)
    assert first["Location"] == second["Location"]
    assert Dispute.objects.count() == 1


def test_above_threshold_customer_is_told_why_and_what_remains(customer, branch):
    d = make_dispute(customer, branch, "50000.01")
    html = client_for(customer).get(reverse("mediation:detail", args=[d.reference])).content
    text = html.decode()
    assert "本纠纷不能进入调解快车道" in text and "50,000.00" in text
    assert "仲裁" in text and "诉讼" in text and "申请调解" in text
    assert "选择调解快车道" not in text


def test_customer_opts_in_through_the_page(customer, branch, centre):
    d = make_dispute(customer, branch, "50000.00")
    client = client_for(customer)
    response = client.post(
        reverse("mediation:action", args=[d.reference, "opt_in"]),
        {
            "opt_in-organisation": centre.pk,
            "opt_in-agree_mediation": "on",
            "opt_in-agree_disclosure": "on",
        },
        HTTP_USER_AGENT="pytest-browser",
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == "fast_lane"
    assert d.consents.get(kind="personal_info").user_agent == "pytest-browser"


def test_opt_in_without_ticking_consent_shows_errors(customer, branch):
    d = make_dispute(customer, branch)
    client = client_for(customer)
    response = client.post(
        reverse("mediation:action", args=[d.reference, "opt_in"]), {}, follow=True
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)] or [response.content.decode()]
    assert any("我同意调解" in t for t in texts) or "我同意调解" in response.content.decode()
    d.refresh_from_db()
    assert d.status == "submitted"


def test_refused_action_is_a_message_not_a_500(customer, staff, branch):
    d = make_dispute(customer, branch)
    client = client_for(staff)
    response = client.post(
        reverse("mediation:action", args=[d.reference, "close"]),
        {"close-reason": "bank_decision_accepted"},
        follow=True,
    )
    assert response.status_code == 200
    assert "不能进行此操作" in response.content.decode()
    d.refresh_from_db()
    assert d.status == "submitted"


def test_customer_posting_a_staff_action_is_refused(customer, branch):
    d = make_dispute(customer, branch)
    response = client_for(customer).post(
        reverse("mediation:action", args=[d.reference, "triage"]),
        {"triage-cause_label": "x", "triage-urgency": "normal"},
        follow=True,
    )
    assert "无权" in response.content.decode()
    d.refresh_from_db()
    assert d.status == "submitted"


def test_unknown_action_is_404(customer, branch):
    d = make_dispute(customer, branch)
    response = client_for(customer).post(reverse("mediation:action", args=[d.reference, "nope"]))
    assert response.status_code == 404


def test_staff_triage_through_the_page(customer, staff, branch):
    d = make_dispute(customer, branch)
    response = client_for(staff).post(
        reverse("mediation:action", args=[d.reference, "triage"]),
        {"triage-cause_label": "金融委托理财合同纠纷", "triage-urgency": "urgent"},
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == "triaged" and d.cause_label == "金融委托理财合同纠纷"


def test_staff_records_a_phone_dispute_for_a_new_customer(staff, branch):
    client = client_for(staff)
    page = client.get(reverse("mediation:record"))
    response = client.post(
        reverse("mediation:record"),
        {
            "intake_token": page.context["form"].initial["intake_token"],
            "branch": branch.pk,
            "category": "credit_card",
            "amount": "880",
            "facts": "电话投诉年费",
            "request": "退费",
            "channel": "phone",
            "received_on": "2026-11-20",
            "customer_name": "周八",
            "customer_mobile": "13700000000",
            "customer_id_number": "",
        },
    )
    assert response.status_code == 302
    d = Dispute.objects.get()
    assert d.channel == "phone" and d.recorded_by == staff
    # The case waits on an account with no sign-in, under the number the caller gave.
    assert d.customer.mobile is None and d.customer.contact_mobile == "13700000000"
    assert not d.customer.has_usable_password()


def test_staff_cannot_record_for_another_branch(staff, other_branch):
    client = client_for(staff)
    page = client.get(reverse("mediation:record"))
    response = client.post(
        reverse("mediation:record"),
        {
            "intake_token": page.context["form"].initial["intake_token"],
            "branch": other_branch.pk,
            "category": "credit_card",
            "amount": "880",
            "facts": "f",
            "request": "r",
            "channel": "phone",
            "received_on": "2026-11-20",
            "customer_name": "周八",
            "customer_mobile": "13700000000",
        },
    )
    assert response.status_code == 200 and not Dispute.objects.exists()


# ---- who sees what ------------------------------------------------------------------------


def _status(user, dispute):
    return client_for(user).get(reverse("mediation:detail", args=[dispute.reference])).status_code


def test_visibility_of_an_open_dispute(
    customer, other_customer, staff, other_staff, hq_staff, auditor, mediator, branch
):
    d = make_dispute(customer, branch)
    assert _status(customer, d) == 200
    assert _status(other_customer, d) == 404
    assert _status(staff, d) == 200
    assert _status(other_staff, d) == 404
    assert _status(hq_staff, d) == 200
    assert _status(auditor, d) == 404  # auditors read closed cases only
    assert _status(mediator, d) == 404  # not referred to the mediator's centre


def test_visibility_after_referral_and_closure(
    customer, staff, mediator, other_mediator, auditor, branch, centre
):
    d = make_dispute(customer, branch)
    refer(d, customer, staff, centre)
    assert _status(mediator, d) == 200
    assert _status(other_mediator, d) == 404
    c = make_dispute(customer, branch)
    services.dispute_triage(actor=staff, reference=c.reference, cause_label="x", urgency="normal")
    services.dispute_start_bank_handling(actor=staff, reference=c.reference)
    services.dispute_close(actor=staff, reference=c.reference, reason="bank_decision_accepted")
    assert _status(auditor, c) == 200


def test_id_number_is_masked_on_the_staff_page(customer, staff, branch):
    d = make_dispute(customer, branch)
    html = client_for(staff).get(reverse("mediation:detail", args=[d.reference])).content.decode()
    assert customer.id_number not in html and customer.masked_id_number in html


def test_timeline_and_next_step_on_the_customer_page(customer, staff, branch):
    d = make_dispute(customer, branch)
    services.dispute_triage(actor=staff, reference=d.reference, cause_label="x", urgency="normal")
    html = client_for(customer).get(reverse("mediation:detail", args=[d.reference])).content
    text = html.decode()
    assert "纠纷已受理" in text and "已分诊" in text and "下一步" in text
    # The bank's statutory decision date is the customer's; its internal 1357 targets are not.
    assert "银行答复" in text
    assert "第1日：案由与紧急程度双标签" not in text
    staff_text = client_for(staff).get(reverse("mediation:detail", args=[d.reference]))
    assert "第1日：案由与紧急程度双标签" in staff_text.content.decode()


# ---- lists: constant query counts ----------------------------------------------------------


def _queries(client, url):
    """Queries of a request made after a first one: the session and the queue's filter
    fragment come from the cache from then on, for a few rows as for many."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_customer_list_query_count_is_constant(customer, branch):
    client = client_for(customer)
    make_dispute(customer, branch)
    few = _queries(client, reverse("mediation:my_disputes"))
    for _ in range(15):
        make_dispute(customer, branch)
    assert _queries(client, reverse("mediation:my_disputes")) == few


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?clock=overdue",
        "?fast_lane=on&category=wealth",
        "?status=submitted",
        "?q=%E7%94%A8%E6%88%B7&sort=newest",
    ],
)
def test_staff_queue_query_count_is_constant(staff, branch, query):
    client = client_for(staff)
    make_dispute(CustomerFactory(), branch)
    few = _queries(client, reverse("mediation:queue") + query)
    for _ in range(15):
        make_dispute(CustomerFactory(), branch)
    assert _queries(client, reverse("mediation:queue") + query) == few


def test_a_list_s_rows_render_from_the_columns_they_read(staff, customer, branch):
    """Every list of cases (the queue, a customer's, the closed cases, a centre's, the homes)
    reads its rows with `for_list()`, which loads only the columns the table shows: rendering
    the table asks nothing more, for the bank's side and for a customer."""
    from django.template.loader import render_to_string

    for n in range(3):
        make_dispute(customer, branch, request=f"请求赔偿第{n}笔损失。")
    for viewer in (staff, customer):
        rows = list(Dispute.objects.for_list())
        with CaptureQueriesContext(connection) as queries:
            html = render_to_string(
                "includes/dispute_table.html",
                {
                    "disputes": rows,
                    "user": viewer,
                    "today": timezone.localdate(),
                    "show_customer": True,
                    "show_subject": True,
                },
            )
        assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]
        assert "请求赔偿第2笔损失。" in html and customer.display_name in html
        assert branch.name in html and "30,000.00" in html


def test_the_queue_keeps_its_filters_and_bulk_actions_in_each_process(staff, customer, branch):
    """The parts of the queue that are the same for everyone of a branch are kept in the
    per-process cache ("fragments"), not in the shared one a round trip away; they are the
    same page for it."""
    from django.core.cache import cache, caches
    from django.core.cache.utils import make_template_fragment_key

    make_dispute(customer, branch)
    first = client_for(staff).get(reverse("mediation:queue")).content.decode()
    keys = (
        make_template_fragment_key("queue_filters", ["zh-hans", "branch", ""]),
        make_template_fragment_key("queue_bulk", ["zh-hans", "branch", branch.pk]),
    )
    for key in keys:
        assert caches["fragments"].get(key) is not None, key
        assert cache.get(key) is None, key
    again = client_for(staff).get(reverse("mediation:queue")).content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # masked afresh each time
    assert token.sub("", again) == token.sub("", first)


def test_staff_queue_shows_only_own_branch(staff, customer, branch, other_branch):
    mine = make_dispute(customer, branch)
    theirs = make_dispute(customer, other_branch)
    html = client_for(staff).get(reverse("mediation:queue")).content.decode()
    assert mine.reference in html and theirs.reference not in html


def test_queue_filters(staff, customer, branch):
    a = make_dispute(customer, branch, "100")
    b = make_dispute(customer, branch, "200", category="loans")
    html = client_for(staff).get(reverse("mediation:queue") + "?category=loans").content.decode()
    assert b.reference in html and a.reference not in html
    bad = client_for(staff).get(reverse("mediation:queue") + "?status=bogus")
    assert bad.status_code == 200  # an unknown filter is shown as an error, not a 500


def test_staff_find_a_case_by_what_a_caller_reads_out(staff, hq_staff, branch, other_branch):
    """Issue 19: no search by reference, name, mobile or ID tail; the Shanghai user's branch
    filter offered Beijing; the overdue case was tenth."""
    caller = CustomerFactory(
        real_name="欧阳明", mobile="13955501234", id_number="11010119900307301X"
    )
    wanted = make_dispute(caller, branch, "9000")
    others = [make_dispute(CustomerFactory(), branch) for _ in range(3)]
    client = client_for(staff)
    for query in (wanted.reference, "欧阳", "13955501234", "1234", "301x"):
        html = client.get(reverse("mediation:queue"), {"q": query}).content.decode()
        assert wanted.reference in html, query
        assert not any(o.reference in html for o in others), query
    assert 'name="branch"' not in client.get(reverse("mediation:queue")).content.decode()
    assert 'name="branch"' in client_for(hq_staff).get(reverse("mediation:queue")).content.decode()
    Dispute.objects.filter(pk=others[0].pk).update(
        next_deadline=timezone.localdate() - timedelta(days=3)
    )
    html = client.get(reverse("mediation:queue")).content.decode()  # what waits first
    first = html.index(others[0].reference)
    assert all(first < html.index(d.reference) for d in (wanted, *others[1:]))


def test_partner_and_auditor_lists(mediator, auditor, customer, staff, branch, centre):
    d = make_dispute(customer, branch)
    refer(d, customer, staff, centre)
    assert (
        d.reference in client_for(mediator).get(reverse("mediation:partner_cases")).content.decode()
    )
    assert (
        d.reference
        not in client_for(auditor).get(reverse("mediation:closed_cases")).content.decode()
    )


def test_queue_pages_keep_the_filters(staff, customer, branch):
    for _ in range(26):
        make_dispute(CustomerFactory(), branch, category="loans")
    make_dispute(customer, branch)
    client = client_for(staff)
    first = client.get(reverse("mediation:queue") + "?category=loans").content.decode()
    assert "?category=loans&amp;page=2" in first
    second = client.get(reverse("mediation:queue") + "?category=loans&page=2")
    assert len(second.context["page"].object_list) == 1
    assert second.context["query"] == "category=loans"
    # a page number past the end or junk gives the nearest page, not a 404 or 500
    assert client.get(reverse("mediation:queue") + "?page=99").context["page"].number == 2
    assert client.get(reverse("mediation:queue") + "?page=x").context["page"].number == 1
