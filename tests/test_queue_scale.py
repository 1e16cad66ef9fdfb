"""The two staff queues at national size: exact tab counts from counters, scope, sorting, search, page size, the
last page, and a constant number of queries whatever the number of rows or memberships."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.collectives import workflow
from apps.collectives.models import Collective, NodeStatusCount
from apps.evaluations.models import Application
from apps.organizations.models import Region

from .conftest import committee
from .evaluation_factories import ApplicationFactory, RoundFactory
from .factories import CollectiveFactory, MembershipFactory

QUEUE = reverse("collectives:staff_queue")
APPLICATIONS = reverse("evaluations:application_queue")


def assert_counters_exact():
    truth = {
        (row["registering_node"], row["status"]): row["n"]
        for row in Collective.objects.values("registering_node", "status").annotate(n=Count("pk"))
    }
    kept = {(c.node_id, c.status): c.count for c in NodeStatusCount.objects.exclude(count=0)}
    assert kept == truth


def tab_counts(html):
    return [int(n) for n in re.findall(r'<li><a href="[^"]*"(?: aria-current="page")?>[^<(]+\((\d+)\)</a></li>', html)]


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_every_workflow_step_keeps_the_counters_exact(staff_user):
    reviewer = staff_user("reviewer", "340803")
    draft = CollectiveFactory()
    assert_counters_exact()
    submitted = CollectiveFactory()
    workflow.perform("submit", submitted.pk, submitted.leader_account)
    workflow.perform("submit", draft.pk, draft.leader_account)
    assert_counters_exact()
    workflow.perform("approve", submitted.pk, reviewer)
    workflow.perform("return", draft.pk, reviewer, "服务承诺请写得更具体")
    assert_counters_exact()
    workflow.perform("submit", draft.pk, draft.leader_account)
    assert_counters_exact()
    doomed = CollectiveFactory()
    doomed.delete()  # a draft thrown away
    assert_counters_exact()
    # An import or a bulk fix writes many rows in one statement: counted alike.
    CollectiveFactory.create_batch(3)
    Collective.objects.filter(status="draft").update(status="submitted")
    Collective.objects.filter(registering_node=committee("340803")).update(registering_node=committee("340802"))
    assert_counters_exact()


def test_rebuild_command_recounts_drifted_counters(db):
    CollectiveFactory.create_batch(2, status="submitted")
    NodeStatusCount.objects.all().update(count=99)
    call_command("rebuild_status_counts", verbosity=0)
    assert_counters_exact()


def test_tab_counts_follow_the_workflow_and_stay_in_scope(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    CollectiveFactory.create_batch(2, status="submitted")
    CollectiveFactory(status="registered")
    CollectiveFactory(status="submitted", region=Region.objects.get(code="340802"))  # 迎江区: another county
    assert tab_counts(reviewer.get(QUEUE).content.decode()) == [2, 0, 1, 0]  # submitted, returned, registered, dissolved
    waiting = Collective.objects.filter(status="submitted", registering_node=committee("340803")).first()
    reviewer.post(reverse("collectives:staff_return", args=[waiting.pk]), {"comment": "请补充材料"})
    assert tab_counts(reviewer.get(QUEUE).content.decode()) == [1, 1, 1, 0]


def test_city_counts_its_counties(login, staff_user):
    CollectiveFactory(status="submitted")
    CollectiveFactory(status="submitted", region=Region.objects.get(code="340802"))
    CollectiveFactory(status="submitted", region=Region.objects.get(code="340102"))  # 合肥: another city
    city = login(staff_user("reviewer", "340800"))
    assert tab_counts(city.get(QUEUE).content.decode())[0] == 2


@pytest.mark.parametrize("tab", ["submitted", "registered", ""])
def test_registration_queue_queries_do_not_grow_with_rows_or_memberships(login, staff_user, tab):
    reviewer = staff_user("reviewer", "340803")
    client = login(reviewer)
    CollectiveFactory.create_batch(2, status=tab or "submitted")
    few = queries(client, QUEUE, status=tab), queries(client, QUEUE, status=tab, page=1000)
    CollectiveFactory.create_batch(30, status=tab or "submitted")
    MembershipFactory(user=reviewer, role="reviewer", node=committee("340802"))
    MembershipFactory(user=reviewer, role="reviewer", node=committee("340102"))
    assert (queries(client, QUEUE, status=tab), queries(client, QUEUE, status=tab, page=1000)) == few


def test_registration_queue_sorts_searches_and_pages(login, staff_user):
    client = login(staff_user("reviewer", "340803"))
    for name in ["丙班组", "甲班组", "乙班组"] + [f"其他班组{n:02d}" for n in range(30)]:
        CollectiveFactory(status="submitted", name=name)
    names = re.findall(r'/">([^<]*班组[^<]*)</a>', client.get(QUEUE, {"sort": "name", "size": 25}).content.decode())
    assert names == sorted(n.name for n in Collective.objects.filter(status="submitted"))[:25]
    last = re.findall(r'/">([^<]*班组[^<]*)</a>', client.get(QUEUE, {"sort": "name", "size": 25, "page": 99}).content.decode())
    assert last == sorted(n.name for n in Collective.objects.filter(status="submitted"))[25:]
    reverse_last = re.findall(r'/">([^<]*班组[^<]*)</a>', client.get(QUEUE, {"sort": "-name", "size": 25, "page": 2}).content.decode())
    assert reverse_last == sorted((n.name for n in Collective.objects.filter(status="submitted")), reverse=True)[25:]
    found = client.get(QUEUE, {"q": "乙", "sort": "name"}).content.decode()
    assert "乙班组" in found and "甲班组" not in found
    assert 'href="?q=%E4%B9%99&amp;sort=name&amp;status=registered&amp;page=1"' in found  # the tab keeps the search
    assert len(re.findall(r'/">([^<]*班组[^<]*)</a>', client.get(QUEUE, {"size": 50}).content.decode())) == 33
    assert len(re.findall(r'/">([^<]*班组[^<]*)</a>', client.get(QUEUE, {"size": 7}).content.decode())) == 25


def _pending_at(node, count):
    round = RoundFactory(node=node) if node.region_id != "340803" else RoundFactory()
    for _ in range(count):
        ApplicationFactory(round=round, status="pending", current_node=node)
    return round


def test_application_tabs_count_only_the_users_rows(login, staff_user):
    county = committee("340803")
    _pending_at(county, 2)
    ApplicationFactory(status="pending", current_node=committee("340802"))
    page = login(staff_user("reviewer", "340803")).get(APPLICATIONS).content.decode()
    assert tab_counts(page) == [2, 0]
    assert len(re.findall(r'href="/workbench/applications/\d+/"', page)) == 2


def test_application_queue_queries_do_not_grow_with_rows_or_memberships(login, staff_user):
    reviewer = staff_user("reviewer", "340803")
    client = login(reviewer)
    county = committee("340803")
    _pending_at(county, 1)
    few = [queries(client, APPLICATIONS, tab=tab) for tab in ("waiting", "review", "all")]
    last = [queries(client, APPLICATIONS, tab=tab, page=99) for tab in ("waiting", "all")]
    _pending_at(county, 12)
    MembershipFactory(user=reviewer, role="reviewer", node=committee("340802"))
    MembershipFactory(user=reviewer, role="reviewer", node=committee("340102"))
    assert [queries(client, APPLICATIONS, tab=tab) for tab in ("waiting", "review", "all")] == few
    assert [queries(client, APPLICATIONS, tab=tab, page=99) for tab in ("waiting", "all")] == last


def test_application_queue_sorts_pages_and_keeps_the_query_string(login, staff_user):
    client = login(staff_user("reviewer", "340803"))
    county = committee("340803")
    first = _pending_at(county, 20)
    second = _pending_at(county, 10)
    page = client.get(APPLICATIONS, {"sort": "round", "size": 25}).content.decode()
    ids = [int(i) for i in re.findall(r'href="/workbench/applications/(\d+)/"', page)]
    expected = list(Application.objects.order_by("round_id", "id").values_list("pk", flat=True))
    assert ids == expected[:25]
    last = client.get(APPLICATIONS, {"sort": "round", "size": 25, "page": 2}).content.decode()
    assert [int(i) for i in re.findall(r'href="/workbench/applications/(\d+)/"', last)] == expected[25:]
    assert "sort=round" in last and "size=25" in last
    only_second = client.get(APPLICATIONS, {"round": second.pk}).content.decode()
    assert len(re.findall(r'href="/workbench/applications/\d+/"', only_second)) == 10
    assert f'<option value="{first.pk}"' in only_second
