"""The roll-ups' totals (MonthlyTotal, CampaignTotal, VolunteerYear) stay equal to a recount of the reports whatever
changes them — filing, editing, the hours check, deleting, a collective that moved — and the roll-up pages show
the same figures as a count over the reports, in a constant number of queries."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.activities import rollups, workflow
from apps.activities.models import ActivityReport, CampaignReporter, CampaignTotal, MonthlyTotal, ReportKind, VolunteerYear
from apps.organizations.models import Node

from .activity_factories import CampaignFactory, ReportFactory
from .conftest import committee
from .factories import MembershipFactory
from .evaluation_factories import eligible_collective
from .test_activities import report_post

pytestmark = pytest.mark.django_db

FIGURES = ("activities", "participants", "beneficiaries", "volunteer_services", "volunteer_hours", "volunteer_points")


def recounted():
    """The four tables as a recount of the reports gives them: {(key): figures}, rows at zero left out."""
    monthly, campaigns, volunteer = defaultdict(lambda: [0] * 6), defaultdict(lambda: [0] * 6), defaultdict(lambda: [0] * 3)
    for report in ActivityReport.objects.all():
        service = report.kind in ReportKind.with_hours()
        figures = (1, report.participants, report.beneficiaries, int(service), report.volunteer_hours, report.volunteer_points)
        for end in range(Node.steplen, len(report.node_path) + 1, Node.steplen):
            path = report.node_path[:end]
            keys = [(monthly, (path, report.industry_id, report.held_on.replace(day=1)))]
            if report.campaign_id:
                keys.append((campaigns, (report.campaign_id, path, report.industry_id)))
            for table, key in keys:
                table[key] = [total + value for total, value in zip(table[key], figures)]
        if service:
            key = (report.collective_id, report.node_path, report.held_on.year)
            volunteer[key] = [total + value for total, value in zip(volunteer[key], (1, report.volunteer_hours, report.volunteer_points))]
    reporters = defaultdict(int)
    for campaign_id, collective_id, path in ActivityReport.objects.filter(campaign__isnull=False).values_list("campaign_id", "collective_id", "node_path"):
        reporters[(campaign_id, collective_id, path)] += 1
    return {"monthly": dict(monthly), "campaigns": dict(campaigns), "volunteer": dict(volunteer), "reporters": dict(reporters)}


def kept():
    def rows(model, keys, figures):
        return {tuple(row[:len(keys)]): list(row[len(keys):]) for row in model.objects.filter(**{f"{figures[0]}__gt": 0}).values_list(*keys, *figures)}

    return {
        "monthly": rows(MonthlyTotal, ("path", "industry_id", "month"), FIGURES),
        "campaigns": rows(CampaignTotal, ("campaign_id", "path", "industry_id"), FIGURES),
        "volunteer": rows(VolunteerYear, ("collective_id", "path", "year"), ("services", "hours", "points")),
        "reporters": dict(((c, k, p), n) for c, k, p, n in CampaignReporter.objects.values_list("campaign_id", "collective_id", "path", "reports")),
    }


def assert_exact():
    assert kept() == recounted()


@pytest.fixture
def collective():
    return eligible_collective()


def test_totals_follow_filing_editing_the_hours_check_and_deleting(login, staff_user, collective):
    campaign = CampaignFactory()
    leader = login(collective.leader_account)
    leader.post(reverse("activities:report_create", args=[collective.pk]), report_post(collective, campaign=str(campaign.pk)))
    ReportFactory(collective=collective, held_on=timezone.localdate() - timedelta(days=70), participants=30)
    report = ActivityReport.objects.get(campaign=campaign)
    assert report.volunteer_hours == Decimal("5.5")
    assert_exact()
    assert CampaignTotal.objects.get(campaign=campaign, path=Node.objects.get(depth=1).path).volunteer_hours == Decimal("5.5")

    # Another month, another kind, no campaign, other hours: out of every total it was in, into the new ones.
    members = list(collective.members.all())
    edited = report_post(collective, kind="study", held_on=(timezone.localdate() - timedelta(days=40)).isoformat(), participants="12")
    edited |= {f"hours_{members[0].pk}": "", f"hours_{members[1].pk}": "4"}
    leader.post(reverse("activities:report_edit", args=[collective.pk, report.pk]), edited)
    assert_exact()
    leader.post(reverse("activities:report_edit", args=[collective.pk, report.pk]), report_post(collective, campaign=str(campaign.pk)))
    assert_exact()

    # Staff do not recognise the hours: they leave the totals.
    report.refresh_from_db()
    report.hours_check = "flagged"
    report.save(update_fields=["hours_check"])
    workflow.take_step(report.pk, staff_user("admin", "340800"), "reject_hours", "没有签到表")
    assert ActivityReport.objects.get(pk=report.pk).volunteer_hours == 0
    assert_exact()

    report.delete()
    assert_exact()
    collective.delete()  # its reports with it
    assert_exact()
    assert not MonthlyTotal.objects.filter(activities__gt=0).exists()


def test_a_collective_that_moves_takes_its_reports_and_their_totals_along(login, staff_user, collective):
    campaign = CampaignFactory()
    leader = login(collective.leader_account)
    leader.post(reverse("activities:report_create", args=[collective.pk]), report_post(collective, campaign=str(campaign.pk)))
    ReportFactory(collective=collective, kind="study")
    collective.registering_node = committee("340822")  # as an administrator moves it
    collective.region_id = "340822"
    collective.save(update_fields=["registering_node", "region"])
    assert set(ActivityReport.objects.values_list("node_path", "region_id")) == {(committee("340822").path, "340822")}
    assert_exact()
    assert not MonthlyTotal.objects.filter(path=committee("340803").path, activities__gt=0).exists()
    page = login(staff_user("admin", "340800")).get(campaign.get_absolute_url())
    assert page.context["by_child"][[row["label"] for row in page.context["by_child"]].index("共青团怀宁县委")]["activities"] == 1
    assert page.context["reported_count"] == 1


def test_repricing_a_day_moves_the_points_totals(collective):
    report = ReportFactory(collective=collective, kind="volunteer", held_on=timezone.localdate())
    workflow.record_hours(report, {collective.members.first(): Decimal(4)}, collective.leader_account)
    workflow.set_points_rate(collective.leader_account, 30, timezone.localdate())
    assert VolunteerYear.objects.get().points == Decimal(120)
    assert_exact()


def test_rebuild_command_recounts_from_scratch(collective):
    ReportFactory(collective=collective, campaign=CampaignFactory(), kind="volunteer", volunteer_hours=Decimal("3"))
    ReportFactory(collective=collective, held_on=date(timezone.localdate().year - 1, 6, 3))
    expected = recounted()
    MonthlyTotal.objects.update(activities=99)
    CampaignTotal.objects.all().delete()
    VolunteerYear.objects.update(hours=0)
    CampaignReporter.objects.update(reports=7)
    call_command("rebuild_report_totals", stdout=open("/dev/null", "w"))
    assert kept() == expected


def raw_summary(node, reports):
    """The roll-up's figures counted over the reports themselves: what the totals must give."""
    return rollups._fold(node, list(Node.objects.get_children(node)), rollups._report_cells(node, reports))


@pytest.mark.parametrize("where", ["national", "340000", "340800", "340803"])
@pytest.mark.parametrize(
    "period",
    [
        None,  # this year to date
        (date(2024, 3, 15), date(2025, 2, 10)),  # partial first and last months
        (date(2025, 5, 1), date(2025, 5, 31)),  # one whole month
        (date(2025, 5, 3), date(2025, 5, 20)),  # within a month
    ],
)
def test_rollup_page_equals_a_recount_over_the_reports(login, staff_user, where, period):
    today = timezone.localdate()
    days = [date(2024, 3, 14), date(2024, 3, 15), date(2024, 7, 1), date(2025, 2, 10), date(2025, 2, 11), date(2025, 5, 3), date(2025, 5, 31)]
    days += [today, today - timedelta(days=1), date(today.year, 1, 1)]
    places = [("340803", "340803"), ("340822", "340822"), ("340102", "340102")]
    for index, day in enumerate(days):
        region, node = places[index % len(places)]
        collective = eligible_collective(region_id=region, registering_node=committee(node))
        ReportFactory(collective=collective, held_on=day, kind="volunteer" if index % 2 else "study", participants=index + 1, volunteer_hours=Decimal(index))
    starts_on, ends_on = period or (date(today.year, 1, 1), today)
    viewer = MembershipFactory(role="viewer", node=Node.objects.get(depth=1)).user if where == "national" else staff_user("viewer", where)
    response = login(viewer).get(reverse("activities:rollup"), {"starts_on": starts_on, "ends_on": ends_on})
    node = response.context["node"]
    totals, by_child, by_industry = raw_summary(node, rollups.reports_for(node, starts_on=starts_on, ends_on=ends_on))
    assert totals["activities"] > 0 or period == (date(2025, 5, 3), date(2025, 5, 20))
    assert (response.context["totals"], response.context["by_child"], response.context["by_industry"]) == (totals, by_child, by_industry)
    ranking = [(row["collective__name"], row["hours"], row["services"]) for row in response.context["ranking"]]
    slow, _count = rollups.volunteer_ranking(node, starts_on, ends_on, today=date(1, 1, 1))  # never a calendar year to date
    assert ranking == [(row["collective__name"], row["hours"], row["services"]) for row in slow[:30]]


def test_campaign_page_equals_a_recount_over_the_reports(login, staff_user):
    campaign = CampaignFactory()
    for region in ("340803", "340803", "340822"):
        ReportFactory(collective=eligible_collective(region_id=region, registering_node=committee(region)), campaign=campaign, participants=7)
    ReportFactory()  # not on the campaign
    response = login(staff_user("admin", "340800")).get(campaign.get_absolute_url())
    node = response.context["node"]
    expected = raw_summary(node, rollups.reports_for(node, campaign=campaign))
    assert (response.context["totals"], response.context["by_child"], response.context["by_industry"]) == expected
    assert response.context["totals"]["activities"] == 3


def test_rollup_and_campaign_pages_read_a_constant_number_of_queries(login, staff_user):
    campaign = CampaignFactory()
    client = login(staff_user("admin", "340800"))
    pages = [
        reverse("activities:rollup"),
        reverse("activities:rollup") + "?starts_on=2024-03-15&ends_on=2025-02-10",
        campaign.get_absolute_url(),
        campaign.get_absolute_url() + "?show=missing",
    ]

    def counts():
        counted = []
        for url in pages:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counted.append(len(captured))
        return counted

    # Rows in every list from the start: a ranking in both periods, a collective that has not reported.
    ReportFactory(campaign=campaign, kind="volunteer", volunteer_hours=Decimal(2))
    ReportFactory(held_on=date(2024, 6, 1), kind="volunteer", volunteer_hours=Decimal(1))
    before = counts()
    for day in (date(2024, 3, 20), date(2024, 9, 1), date(2025, 2, 5), timezone.localdate()):
        collective = eligible_collective(region_id="340822", registering_node=committee("340822"))
        ReportFactory(collective=collective, campaign=campaign if day == timezone.localdate() else None, held_on=day, kind="volunteer", volunteer_hours=Decimal(3))
    assert counts() == before


@pytest.mark.parametrize("includes_aspiring", [True, False])
def test_campaign_participation_counts_equal_a_count_over_the_collectives(login, staff_user, includes_aspiring):
    campaign = CampaignFactory(includes_aspiring=includes_aspiring)
    reporters = [eligible_collective(honor_level="city" if index % 2 else "") for index in range(4)]
    for collective in reporters:
        ReportFactory(collective=collective, campaign=campaign)
    ReportFactory(collective=reporters[0], campaign=campaign)  # a second report counts the collective once
    for index in range(3):
        eligible_collective(honor_level="county" if index else "", region_id="340822", registering_node=committee("340822"))
    eligible_collective(delisted_on=timezone.localdate())  # off the public lists
    dissolved = eligible_collective(honor_level="city")
    ReportFactory(collective=dissolved, campaign=campaign)
    dissolved.status = "dissolved"
    dissolved.save(update_fields=["status"])
    response = login(staff_user("admin", "340800")).get(campaign.get_absolute_url())
    scope = rollups.collectives_in(response.context["node"], campaign)
    reported = scope.filter(reports__campaign=campaign).distinct().count()
    assert (response.context["reported_count"], response.context["missing_count"]) == (reported, scope.count() - reported)
    assert reported == (4 if includes_aspiring else 2)
