"""Issue 21, item 1: public-opinion items (a post or short video, its platform, first seen,
views) linked to disputes, giving the spread of negative publicity on the figures. Staff
record them about their own cases; auditors read; customers and partners never see them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mediation.insight.figures import dashboard, parse_period
from mediation.insight.models import PublicOpinionItem
from mediation.insight.opinion import opinion_count_views, opinion_record, parse_references
from portal.exceptions import ApplicationError
from portal.models import AuditEvent
from tests.conftest import client_for
from tests.factories import CustomerFactory, StaffFactory, make_dispute

pytestmark = pytest.mark.django_db


def _post(client, refs: str, **changes):
    data = {
        "platform": "douyin",
        "url": "https://www.douyin.com/video/7300000000000000001",
        "title": "理财亏损维权视频",
        "first_seen": f"{timezone.localdate():%Y-%m-%d}",
        "views": "12000",
        "references": refs,
        **changes,
    }
    return client.post(reverse("insight:opinion"), data)


def _item(actor, title: str, refs: list[str], first_seen: date | None = None, views: int = 5):
    return opinion_record(
        actor=actor,
        platform="weibo",
        url="https://weibo.com/1",
        title=title,
        first_seen=first_seen or timezone.localdate(),
        views=views,
        references=refs,
    )


def test_staff_record_an_item_about_their_cases(staff, customer, other_branch):
    mine = make_dispute(customer, staff.branch)
    theirs = make_dispute(customer, other_branch)
    client = client_for(staff)
    # Another branch's case is not theirs to link: the form comes back as typed, nothing kept.
    refused = _post(client, f"{mine.reference}, {theirs.reference}")
    assert refused.status_code == 200 and theirs.reference in refused.content.decode()
    assert "理财亏损维权视频" in refused.content.decode()
    assert not PublicOpinionItem.objects.exists()
    done = _post(client, f" {mine.reference.lower()} ")
    assert done.status_code == 302
    item = PublicOpinionItem.objects.get()
    assert list(item.disputes.all()) == [mine] and item.views == 12000
    assert AuditEvent.objects.filter(action="opinion.recorded").exists()
    page = client.get(mine.get_absolute_url()).content.decode()
    assert 'id="opinion-panel"' in page and "理财亏损维权视频" in page


def test_bad_input_is_said_and_nothing_is_kept(staff, customer):
    ref = make_dispute(customer, staff.branch).reference
    client = client_for(staff)
    tomorrow = f"{timezone.localdate() + timedelta(days=1):%Y-%m-%d}"
    for changes in (
        {"first_seen": tomorrow},
        {"references": " , "},
        {"url": "javascript:alert(1)"},
        {"views": "-1"},
        {"title": "x" * 201},
    ):
        response = _post(client, ref, **changes)
        assert response.status_code == 200, changes
        assert 'role="alert"' in response.content.decode(), changes
    assert not PublicOpinionItem.objects.exists()


def test_who_sees_items(staff, customer, other_branch, auditor, mediator, hq_staff):
    mine = make_dispute(customer, staff.branch)
    theirs = make_dispute(customer, other_branch)
    other_staff = StaffFactory.create(branch=other_branch)
    a = _item(staff, "甲", [mine.reference])
    b = _item(other_staff, "乙", [theirs.reference])
    listed = client_for(staff).get(reverse("insight:opinion")).content.decode()
    assert "甲" in listed and "乙" not in listed
    office = client_for(hq_staff).get(reverse("insight:opinion")).content.decode()
    assert "甲" in office and "乙" in office
    audit = client_for(auditor)
    assert audit.get(reverse("insight:opinion")).status_code == 200
    assert 'name="references"' not in audit.get(reverse("insight:opinion")).content.decode()
    assert (
        audit.post(reverse("insight:opinion_views", args=[a.pk]), {"views": 9}).status_code == 404
    )
    for outsider in (customer, mediator):
        client = client_for(outsider)
        assert client.get(reverse("insight:opinion")).status_code in (403, 404)
    # The customer's own case page says nothing of it.
    assert "甲" not in client_for(customer).get(mine.get_absolute_url()).content.decode()
    # Another branch's item cannot be counted again by this branch.
    refused = client_for(staff).post(reverse("insight:opinion_views", args=[b.pk]), {"views": 9})
    assert refused.status_code == 404
    assert PublicOpinionItem.objects.get(pk=b.pk).views == 5


def test_the_service_refuses_what_the_form_would(staff, customer):
    ref = make_dispute(customer, staff.branch).reference
    for bad in (
        {"platform": "myspace"},
        {"url": "javascript:alert(1)"},
        {"url": "data:text/html,x"},
        {"title": "  "},
        {"views": -1},
    ):
        arguments: dict[str, str | int] = {
            "platform": "weibo",
            "url": "https://weibo.com/3",
            "title": "标题",
            "views": 1,
            **bad,
        }
        with pytest.raises(ApplicationError):
            opinion_record(
                actor=staff,
                first_seen=timezone.localdate(),
                references=[ref],
                platform=str(arguments["platform"]),
                url=str(arguments["url"]),
                title=str(arguments["title"]),
                views=int(arguments["views"]),
            )
    assert not PublicOpinionItem.objects.exists()


def test_views_only_grow(staff, customer):
    ref = make_dispute(customer, staff.branch).reference
    item = opinion_record(
        actor=staff,
        platform="wechat",
        url="https://mp.weixin.qq.com/s/abc",
        title="公众号文章",
        first_seen=timezone.localdate(),
        views=100,
        references=[ref],
    )
    with pytest.raises(ApplicationError):
        opinion_count_views(actor=staff, item_id=item.pk, views=99)
    assert opinion_count_views(actor=staff, item_id=item.pk, views=250).views == 250
    response = client_for(staff).post(
        reverse("insight:opinion_views", args=[item.pk]), {"views": "lots"}, follow=True
    )
    assert response.status_code == 200 and PublicOpinionItem.objects.get().views == 250


def test_the_spread_equals_the_items(staff, customer, other_branch, hq_staff):
    today = timezone.localdate()
    first = today.replace(day=1)
    mine = [make_dispute(customer, staff.branch) for _ in range(3)]
    theirs = make_dispute(CustomerFactory.create(), other_branch)
    other_staff = StaffFactory.create(branch=other_branch)
    _item(staff, "本月一", [mine[0].reference, mine[1].reference], first, 1000)
    _item(staff, "本月二", [mine[1].reference], first, 500)
    _item(other_staff, "他行", [theirs.reference], first, 7)
    _item(staff, "上月", [mine[2].reference], first - timedelta(days=1), 9999)
    period = parse_period(f"{first:%Y-%m}", today)
    every = dashboard(Q(), "all", period, today).spread
    assert (every.items, every.views, every.cases) == (3, 1507, 3)
    branch = dashboard(Q(branch_id=staff.branch_id), "b", period, today, staff.branch_id).spread
    assert (branch.items, branch.views, branch.cases) == (2, 1500, 2)
    page = client_for(hq_staff).get(reverse("insight:dashboard")).content.decode()
    assert "1,507" in page or "1507" in page


def test_the_list_reads_the_same_few_queries(staff, customer):
    refs = [make_dispute(customer, staff.branch).reference for _ in range(6)]
    _item(staff, "一", refs[:2], date(2026, 1, 5))
    client = client_for(staff)
    client.get(reverse("insight:opinion"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("insight:opinion"))
    for n in range(4):
        _item(staff, f"多{n}", refs[n:], date(2026, 1, 5))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("insight:opinion"))
    assert len(many) == len(few)


def test_references_are_read_as_staff_paste_them():
    assert parse_references("md-2026-1, MD-2026-2，MD-2026-3\nMD-2026-1") == [
        "MD-2026-1",
        "MD-2026-2",
        "MD-2026-3",
    ]
