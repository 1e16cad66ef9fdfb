"""The workbench lists that had no query-count check: each costs the same number of queries with a few rows or many
and with one membership or several (issue 13); and the rows the complaint queue's last page and a province's
"all in my area" tab show, now that they are read differently at national size (bench/workbench.py)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.complaints.models import Complaint, ComplaintStatus
from apps.evaluations.models import Application
from apps.organizations.models import Node
from apps.rechecks.models import Recheck

from .activity_factories import CampaignFactory
from .conftest import committee
from .evaluation_factories import ApplicationFactory, RoundFactory, eligible_collective
from .factories import CollectiveFactory, MembershipFactory
from .supervision_factories import ComplaintFactory

COMPLAINTS = reverse("complaints:queue")
APPLICATIONS = reverse("evaluations:application_queue")


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def complaints(count, status="received"):
    return [ComplaintFactory(status=status) for _ in range(count)]


@pytest.mark.parametrize("status", ["received", "investigating", "upheld"])
def test_the_complaint_queue_costs_the_same_queries_for_few_or_many_complaints(login, staff_user, status):
    admin = staff_user("admin", "340800")
    client = login(admin)
    complaints(1, status)
    few = queries(client, COMPLAINTS, status=status), queries(client, COMPLAINTS, status=status, page=99)
    complaints(40, status)
    MembershipFactory(user=admin, role="admin", node=committee("340100"))
    assert (queries(client, COMPLAINTS, status=status), queries(client, COMPLAINTS, status=status, page=99)) == few


def shown(html):
    return [int(pk) for pk in re.findall(r'href="/workbench/complaints/(\d+)/"', html)]


def test_the_complaint_queue_pages_newest_first_to_the_last_page(login, staff_user):
    client = login(staff_user("admin", "340800"))
    filed = complaints(35)
    Complaint.objects.filter(pk=filed[0].pk).update(created_at=timezone.now() - timedelta(days=30))
    newest_first = list(Complaint.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    first = client.get(COMPLAINTS).content.decode()
    assert shown(first) == newest_first[:30]
    assert shown(client.get(COMPLAINTS, {"page": 99}).content.decode()) == newest_first[30:]  # the oldest last
    assert "(35)" in first  # the tab's count, which the paginator reuses
    complaints(2, ComplaintStatus.UPHELD)
    assert "(35)" in client.get(COMPLAINTS).content.decode()


def test_a_province_sees_its_collectives_and_rounds_applications_in_constant_queries(login, staff_user):
    admin = staff_user("admin", "340000")
    client = login(admin)
    anhui_round = RoundFactory(node=committee("340000"))
    ours = ApplicationFactory(round=anhui_round, status="review")  # a collective of 大观区 in a round of 安徽
    outside = CollectiveFactory(status="registered", registering_node=committee("110000"), region_id="110000")
    theirs = ApplicationFactory(round=RoundFactory(node=committee("110000")), collective=outside, status="review")
    tabs = [{"tab": tab, "page": page} for tab in ("all", "review") for page in (1, 99)]
    few = [queries(client, APPLICATIONS, **params) for params in tabs]
    for tab in ("all", "review"):
        page = client.get(APPLICATIONS, {"tab": tab}).content.decode()
        assert f"/workbench/applications/{ours.pk}/" in page and f"/workbench/applications/{theirs.pk}/" not in page
    for _ in range(6):
        ApplicationFactory(round=anhui_round, status="review")
    MembershipFactory(user=admin, role="admin", node=committee("340800"))
    assert [queries(client, APPLICATIONS, **params) for params in tabs] == few
    for tab in ("all", "review"):
        assert len(application_links(client.get(APPLICATIONS, {"tab": tab}).content.decode())) == 7


def application_links(html):
    return [int(pk) for pk in re.findall(r'href="/workbench/applications/(\d+)/"', html)]


def test_an_application_is_in_the_area_of_its_collectives_committee_wherever_the_collective_goes(client, staff_user):
    national_round = RoundFactory(node=Node.objects.get(depth=1))  # run above both provinces: no round scope
    collective = eligible_collective()  # 大观区, 安徽
    client.force_login(collective.leader_account)
    client.post(reverse("evaluations:apply", args=[national_round.pk, collective.pk]))
    application = Application.objects.get(collective=collective)
    assert application.registering_node == committee("340803")
    Application.objects.filter(pk=application.pk).update(status="review")
    anhui, beijing = Client(), Client()
    anhui.force_login(staff_user("admin", "340000"))
    beijing.force_login(staff_user("admin", "110000"))
    all_tab = {"tab": "all"}
    assert application_links(anhui.get(APPLICATIONS, all_tab).content.decode()) == [application.pk]
    assert application_links(beijing.get(APPLICATIONS, all_tab).content.decode()) == []

    collective.registering_node = committee("110105")  # moved (the admin site; the portal's forms fix it once registered)
    collective.region_id = "110105"
    collective.save()
    assert application_links(anhui.get(APPLICATIONS, all_tab).content.decode()) == []
    assert application_links(beijing.get(APPLICATIONS, all_tab).content.decode()) == [application.pk]
    assert anhui.get(reverse("evaluations:application_detail", args=[application.pk])).status_code == 404


def rechecks(count, admin):
    today = timezone.localdate()
    for n in range(count):
        Recheck.objects.create(
            node=committee("340800"), title=f"复核{n}", named_from=today - timedelta(days=400), named_until=today,
            report_due=today + timedelta(days=7), created_by=admin,
        )  # fmt: skip


@pytest.mark.parametrize(
    "url, add",
    [
        (reverse("activities:campaign_list"), lambda count, admin: CampaignFactory.create_batch(count)),
        (reverse("rechecks:list"), rechecks),
        (reverse("activities:summaries"), lambda count, admin: CollectiveFactory.create_batch(count, status="registered", honor_level="city")),
        (reverse("imports:list"), lambda count, admin: None),
    ],
    ids=["campaigns", "rechecks", "summaries", "imports"],
)
def test_the_other_workbench_lists_cost_the_same_queries_for_few_or_many_rows(login, staff_user, url, add):
    admin = staff_user("admin", "340800")
    client = login(admin)
    add(1, admin)
    few = queries(client, url), queries(client, url, page=99)
    add(25, admin)
    MembershipFactory(user=admin, role="admin", node=committee("340100"))
    assert (queries(client, url), queries(client, url, page=99)) == few
