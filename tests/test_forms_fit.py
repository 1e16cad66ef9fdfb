"""Forms that fit (issue 14, item 4): every select starts with 请选择, labels end in the full-width colon with a visible
mark on required fields (one renderer for the whole portal, civpost/forms.py), the report form offers only its
campaign's kinds and shows the hours grid only for kinds that count hours, and the registration form suggests the
registering committee from the region and the industry."""

import re

import pytest
from django.urls import reverse

from apps.activities.models import ActivityReport
from apps.organizations.models import Industry, Node

from .activity_factories import CampaignFactory, ReportFactory
from .evaluation_factories import eligible_collective
from .forms_data import collective_post
from .test_activities import report_post

pytestmark = pytest.mark.django_db


def selects(page):
    """{name: [(value, text), …]} of every select of the page."""
    found = {}
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        found[name] = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', body)
    return found


def label(page, field):
    return re.search(rf'<label for="id_{field}"[^>]*>(.*?)</label>', page, re.S).group(1)


@pytest.fixture
def collective():
    return eligible_collective()


@pytest.fixture
def own(login, collective):
    return login(collective.leader_account)


def report_page(client, collective, **query):
    response = client.get(reverse("activities:report_create", args=[collective.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_every_select_of_the_registration_and_report_forms_starts_with_choose(own, collective):
    registration = own.post(reverse("collectives:create"), collective_post(action="refresh", registering_node="")).content.decode()
    report = report_page(own, collective)
    for page, names in [(registration, {"industry", "province", "city", "county", "registering_node"}), (report, {"kind", "campaign"})]:
        found = selects(page)
        assert names <= set(found)
        for name in names:
            assert found[name][0] == ("", "请选择"), name
        assert "---------" not in page and "Select an option" not in page


def test_labels_end_in_the_full_width_colon_and_required_ones_are_marked(own, collective):
    page = report_page(own, collective)
    assert label(page, "title") == '<span class="required-mark" aria-hidden="true">*</span>活动名称：'
    assert label(page, "video_url") == "视频链接（选填）："  # optional: no mark
    assert not re.search(r':</label>', page)
    registration = own.get(reverse("collectives:create")).content.decode()
    assert label(registration, "name").startswith('<span class="required-mark" aria-hidden="true">*</span>')
    assert label(registration, "name").endswith("：")


def test_the_report_form_offers_only_the_campaigns_kinds(own, collective):
    campaign = CampaignFactory(report_kinds=["study", "open_week"])
    page = report_page(own, collective, campaign=campaign.pk)
    assert [value for value, _text in selects(page)["kind"]] == ["", "study", "open_week"]

    response = own.post(
        reverse("activities:report_create", args=[collective.pk]), report_post(collective, campaign=str(campaign.pk), kind="volunteer")
    )
    assert response.status_code == 200
    assert "本次活动征集：学习教育、开放周。" in response.content.decode()
    assert not ActivityReport.objects.exists()


def test_without_a_campaign_every_kind_is_offered(own, collective):
    assert len(selects(report_page(own, collective))["kind"]) == 1 + 8


def test_the_hours_grid_shows_only_for_kinds_that_count_hours(own, collective):
    def grid(page):
        return re.search(r"<fieldset data-hours-grid( hidden)?>", page).group(0)

    assert grid(report_page(own, collective)) == "<fieldset data-hours-grid>"  # the kind is not chosen yet
    only_study = CampaignFactory(report_kinds=["study", "open_week"])
    assert grid(report_page(own, collective, campaign=only_study.pk)) == "<fieldset data-hours-grid hidden>"
    with_hours = CampaignFactory(report_kinds=["volunteer"])
    page = report_page(own, collective, campaign=with_hours.pk)
    assert grid(page) == "<fieldset data-hours-grid>"
    assert re.search(r'<option value="volunteer" selected>', page)  # the one kind it asks for

    study = ReportFactory(collective=collective, kind="study")
    edit = own.get(reverse("activities:report_edit", args=[collective.pk, study.pk])).content.decode()
    assert grid(edit) == "<fieldset data-hours-grid hidden>"
    refused = own.post(reverse("activities:report_create", args=[collective.pk]), report_post(collective, kind="open_week", title=""))
    assert grid(refused.content.decode()) == "<fieldset data-hours-grid hidden>"


def chosen_committee(page):
    body = re.search(r'<select name="registering_node"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.search(r'<option value="(\d+)"[^>]*selected>', body).group(1)


def test_the_registering_committee_is_suggested_from_the_region_and_the_industry(own):
    def refresh(**data):
        form = collective_post(action="refresh", registering_node="", **data)
        return own.post(reverse("collectives:create"), form).content.decode()

    power = Industry.objects.get(code="power")
    anqing_power = Node.objects.get(name="国网安庆供电公司")
    daguan = Node.objects.get(region_id="340803", kind="league")
    page = refresh(industry=power.pk)
    assert chosen_committee(page) == str(anqing_power.pk)
    assert "按所在地区和行业推荐" in page
    other = Industry.objects.exclude(pk=power.pk).exclude(nodes__kind="industry").first()
    assert chosen_committee(refresh(industry=other.pk)) == str(daguan.pk)
    # A committee the 号长 chose that still covers the region is kept.
    assert chosen_committee(own.post(reverse("collectives:create"), collective_post(action="refresh", registering_node=daguan.pk)).content.decode()) == str(daguan.pk)



def test_a_checkbox_label_follows_its_box_without_a_colon(own, collective):
    assert label(report_page(own, collective), "is_public") == "在公开页面展示"
