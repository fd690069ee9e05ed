"""Action panels: a case page lists the actions as closed panels and builds none of their forms;
an opened panel asks the action's URL for its form (htmx), and without scripts the same URL
answers with a page of its own (portal.actions.action_view)."""

from __future__ import annotations

import json
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_dispute, refer

HX = {"HX-Request": "true"}


def test_the_case_page_holds_links_to_the_forms_not_the_forms(customer, staff, branch):
    d = make_dispute(customer, branch)
    page = client_for(staff).get(d.get_absolute_url()).content.decode()
    triage = reverse("mediation:action", args=[d.reference, "triage"])
    assert f'hx-get="{triage}" hx-trigger="toggle once"' in page
    assert f'<a href="{triage}">' in page  # without scripts: the form's own page
    assert 'name="triage-cause_label"' not in page  # not built until asked for
    # A plain button needs no form: it is there at once.
    client_for(staff).post(triage, {"triage-cause_label": "理财纠纷", "triage-urgency": "normal"})
    page = client_for(staff).get(d.get_absolute_url()).content.decode()
    start = reverse("mediation:action", args=[d.reference, "start_bank_handling"])
    assert f'<form method="post" action="{start}"' in page


def test_an_opened_panel_gets_the_form_alone(customer, staff, branch):
    d = make_dispute(customer, branch)
    url = reverse("mediation:action", args=[d.reference, "triage"])
    answer = client_for(staff).get(url, headers=HX)
    body = answer.content.decode()
    assert answer.status_code == 200 and "HX-Request" in answer["Vary"]
    assert "<html" not in body and f'<form method="post" action="{url}"' in body
    assert 'name="triage-cause_label"' in body and "csrfmiddlewaretoken" in body


def test_without_scripts_the_form_has_a_page_of_its_own_that_does_the_action(
    customer, staff, branch
):
    d = make_dispute(customer, branch)
    client = client_for(staff)
    url = reverse("mediation:action", args=[d.reference, "triage"])
    page = client.get(url).content.decode()
    assert "<html" in page and f"返回纠纷 {d.reference}" in page
    assert 'name="triage-cause_label"' in page
    done = client.post(
        url, {"triage-cause_label": "理财纠纷", "triage-urgency": "normal"}, follow=True
    )
    assert done.redirect_chain[-1][0] == d.get_absolute_url()
    assert "已分诊：理财纠纷 / 一般" in done.content.decode()


def test_the_customers_consents_are_read_above_their_form(customer, branch):
    d = make_dispute(customer, branch)
    client = client_for(customer)
    page = client.get(d.get_absolute_url()).content.decode()
    # Opting in is what the page is for: its panel is open and its form is there.
    assert re.search(r'<details class="action" open>\s*<summary>', page)
    assert 'name="opt_in-agree_mediation"' in page
    body = client.get(
        reverse("mediation:action", args=[d.reference, "opt_in"]), headers=HX
    ).content.decode()
    assert "同意调解" in body and 'name="opt_in-agree_disclosure"' in body


def test_an_action_not_offered_is_not_found(customer, staff, branch, other_customer):
    d = make_dispute(customer, branch)
    triage = reverse("mediation:action", args=[d.reference, "triage"])
    assert client_for(customer).get(triage, headers=HX).status_code == 404  # staff's action
    assert client_for(other_customer).get(triage).status_code == 404  # another's case
    nothing = reverse("mediation:action", args=[d.reference, "no_such_action"])
    assert client_for(staff).get(nothing).status_code == 404
    # The amendment starts from the claim as it stands, for its own customer only.
    amend = reverse("mediation:action", args=[d.reference, "amend"])
    assert client_for(staff).get(amend).status_code == 404
    body = client_for(customer).get(amend, headers=HX).content.decode()
    assert d.facts in body


def test_a_partners_action_comes_to_its_centre_only(
    customer, staff, branch, centre, mediator, other_mediator
):
    d = make_dispute(customer, branch)
    referral = refer(d, customer, staff, centre)
    url = reverse("referrals:action", args=[referral.pk, "accept"])
    body = client_for(mediator).get(url, headers=HX).content.decode()
    assert 'name="r-accept-mediator"' in body
    assert client_for(other_mediator).get(url, headers=HX).status_code == 404
    assert client_for(customer).get(url, headers=HX).status_code == 404


def test_the_staff_case_page_builds_no_action_form(customer, staff, branch):
    """Building the forms (their choices read from the database) was half of a staff case
    page's cost: the triage form's suggestions and the handlers to choose from are read when
    their panel is opened, not with the page."""
    d = make_dispute(customer, branch)
    client = client_for(staff)
    client.get(d.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        client.get(d.get_absolute_url())
    assert not [q for q in queries.captured_queries if "mediation_triagerule" in q["sql"]]
    assert len(queries) <= 20


def test_a_case_page_reads_only_the_lists_that_hold_anything(customer, staff, branch):
    """One query asks which of the case's lists hold rows (mediation.selectors.case_holds),
    the panels' lists with the page's own; a fresh case's claim versions (the claim as filed
    alone), agents, review requests, repeats, consents, return visit, replies, public opinion,
    class and outside bodies are not read."""
    d = make_dispute(customer, branch)
    for viewer in (staff, customer):
        with CaptureQueriesContext(connection) as queries:
            page = client_for(viewer).get(d.get_absolute_url())
        assert page.status_code == 200
        reads = [  # the one question, "SELECT EXISTS(...) AS has_..., ...", aside
            q["sql"].split(" WHERE ")[0]
            for q in queries.captured_queries
            if q["sql"].startswith("SELECT ") and not q["sql"].startswith("SELECT EXISTS(")
        ]
        # (The customer's opt-in form asks which consents they gave already.)
        consents = ("mediation_consent",) if viewer == staff else ()
        for table in (
            *consents,
            "mediation_claimversion",  # only the claim as filed: nothing to list
            "mediation_representative",
            "mediation_reviewrequest",
            "mediation_returnvisit",
            "replykit_reply",
            "insight_publicopinionitem",
            "problems_classmember",
            "referrals_referral",
            "referrals_arbitrationcase",
            "referrals_bundle",
        ):
            assert not [r for r in reads if f'FROM "{table}"' in r], table
        asked = [q for q in queries.captured_queries if q["sql"].startswith("SELECT EXISTS(")]
        assert len(asked) == 1
        repeats = [
            q
            for q in queries.captured_queries
            if '"repeat_of_id" = ' in q["sql"] and not q["sql"].startswith("SELECT EXISTS(")
        ]
        assert not repeats


def test_a_referral_s_lists_are_read_only_when_they_hold_anything(
    customer, staff, branch, centre, mediator
):
    """A case in mediation: its referral's sessions, extensions, proposals and drafted
    agreements are read only if some referral holds any (the page's one EXISTS question asks);
    once a session is arranged, it is read and shown, to the centre as to the bank."""
    from datetime import timedelta

    from django.utils import timezone

    from referrals.centres.services import referral_accept
    from referrals.models import MediationSession

    d = make_dispute(customer, branch)
    referral = refer(d, customer, staff, centre)
    referral_accept(actor=mediator, referral_id=referral.pk, mediator_id=mediator.pk)
    tables = (
        "referrals_mediationsession",
        "referrals_mediationextension",
        "referrals_mediatorproposal",
        "referrals_agreementdraft",
    )

    def reads(viewer) -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            page = client_for(viewer).get(d.get_absolute_url())
        assert page.status_code == 200
        # A list read selects its rows' columns (the centre's action checks ask EXISTS).
        sql = [q["sql"] for q in queries.captured_queries]
        return page.content.decode(), [
            t for t in tables if any(f'SELECT "{t}"."id"' in q for q in sql)
        ]

    for viewer in (staff, customer, mediator):
        assert reads(viewer)[1] == []
    MediationSession.objects.create(
        referral=referral,
        starts_at=timezone.now() + timedelta(days=3),
        mode="in_person",
        place="调解中心第三会议室",
        created_by=mediator,
    )
    for viewer in (staff, customer, mediator):
        page, read = reads(viewer)
        assert read == ["referrals_mediationsession"]
        assert "调解中心第三会议室" in page


def test_the_upload_and_bundle_forms_come_with_their_panels(
    customer, staff, other_customer, branch
):
    d = make_dispute(customer, branch)
    upload = reverse("mediation:evidence_upload", args=[d.reference])
    bundle = reverse("bundles:request", args=[d.reference])
    staff_page = client_for(staff).get(d.get_absolute_url()).content.decode()
    for url in (upload, bundle):
        assert f'hx-get="{url}" hx-trigger="toggle once"' in staff_page
    assert 'name="evidence-category"' not in staff_page
    assert 'name="bundle-purpose"' not in staff_page
    body = client_for(staff).get(bundle, headers=HX).content.decode()
    assert f'action="{bundle}"' in body and "<html" not in body
    page = client_for(staff).get(upload).content.decode()  # without scripts: its own page
    assert "<html" in page and f"返回纠纷 {d.reference}" in page
    assert 'name="evidence-file"' in page
    # Who may not upload or bundle is not shown the form.
    assert client_for(other_customer).get(upload, headers=HX).status_code == 404
    assert client_for(customer).get(bundle, headers=HX).status_code == 404


def test_a_form_that_does_not_pass_comes_back_as_typed(customer, staff, branch, other_customer):
    d = make_dispute(customer, branch)
    url = reverse("mediation:action", args=[d.reference, "withdraw"])
    typed = {"withdraw-reason": ""}  # a reason is needed
    answer = client_for(staff).post(url, typed)
    page = answer.content.decode()
    assert answer.status_code == 200 and "<html" in page and "该字段是必填项" in page
    assert f'<form method="post" action="{url}"' in page
    d.refresh_from_db()
    assert d.is_open
    # Posted by someone it is not offered to: no form back (it may list choices), a message.
    assign = reverse("mediation:action", args=[d.reference, "assign"])
    refused = client_for(customer).post(assign, {"assign-handler": "x"})
    assert refused.status_code == 302 and refused["Location"] == d.get_absolute_url()


def _location(answer) -> dict:
    assert answer.status_code == 200 and "Location" not in answer
    return json.loads(answer["HX-Location"])


def test_a_form_sent_by_htmx_is_done_without_a_reload(customer, staff, branch):
    """Done: the answer names the page to go back to and the part of it to put in place of the
    current one (htmx fetches it; the address bar follows); the message waits there."""
    d = make_dispute(customer, branch)
    client = client_for(staff)
    url = reverse("mediation:action", args=[d.reference, "triage"])
    form = client.get(url, headers=HX).content.decode()
    assert f'hx-post="{url}" hx-target="this" hx-swap="outerHTML"' in form
    assert 'data-failed="' in form  # what the form says if the portal cannot answer
    answer = client.post(
        url, {"triage-cause_label": "理财纠纷", "triage-urgency": "normal"}, headers=HX
    )
    assert _location(answer) == {
        "path": d.get_absolute_url(),
        "target": "#main",
        "select": "#main",
        "swap": "outerHTML show:window:top",
    }
    page = client.get(d.get_absolute_url()).content.decode()
    assert 'id="main"' in page and "已分诊：理财纠纷 / 一般" in page
    d.refresh_from_db()
    assert d.cause_label == "理财纠纷"


def test_a_form_sent_by_htmx_that_does_not_pass_comes_back_into_its_panel(customer, staff, branch):
    d = make_dispute(customer, branch)
    url = reverse("mediation:action", args=[d.reference, "withdraw"])
    answer = client_for(staff).post(url, {"withdraw-reason": ""}, headers=HX)
    body = answer.content.decode()
    assert answer.status_code == 200 and "HX-Location" not in answer
    assert "<html" not in body and body.lstrip().startswith("<form")  # the form, swapped for itself
    assert "该字段是必填项" in body and "is-invalid" in body
    d.refresh_from_db()
    assert d.is_open


def test_a_service_refusal_of_a_form_sent_by_htmx_is_said_on_the_page(customer, staff, branch):
    """The service refuses (the step is not open from this state): no half-done change, and the
    page the person goes back to says why, as without scripts."""
    d = make_dispute(customer, branch)
    client = client_for(staff)
    client.post(
        reverse("mediation:action", args=[d.reference, "triage"]),
        {"triage-cause_label": "理财纠纷", "triage-urgency": "normal"},
    )
    close = reverse("mediation:action", args=[d.reference, "start_bank_handling"])
    assert client.post(close, headers=HX).status_code == 200
    again = client.post(close, headers=HX)  # a second click, from a page not yet refreshed
    assert _location(again)["path"] == d.get_absolute_url()
    page = client.get(d.get_absolute_url()).content.decode()
    assert 'class="alert alert-danger message danger"' in page


def test_a_redirect_answering_htmx_takes_the_whole_page(customer, staff, branch):
    """A session that ended: the form sent from a panel leads the page to the sign-in page
    (then to the action's own page), not the sign-in page inside the panel; a panel asking for
    its form reloads the page (which leads to the sign-in page and back to the case, never to
    the form alone); without scripts, the redirect."""
    from django.test import Client

    d = make_dispute(customer, branch)
    url = reverse("mediation:action", args=[d.reference, "triage"])
    signed_out = Client()
    sent = signed_out.post(url, {"triage-cause_label": "x"}, headers=HX)
    assert sent.status_code == 200 and "Location" not in sent and sent.content == b""
    assert sent["HX-Redirect"] == f"{reverse('login')}?next={url}"
    asked = signed_out.get(url, headers=HX)
    assert asked.status_code == 200 and "Location" not in asked and asked.content == b""
    assert asked["HX-Refresh"] == "true" and "HX-Redirect" not in asked
    plain = signed_out.get(url)
    assert plain.status_code == 302 and "HX-Redirect" not in plain
    d.refresh_from_db()
    assert not d.cause_label
