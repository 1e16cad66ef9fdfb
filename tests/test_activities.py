"""Campaigns, activity reports with photos and volunteer hours, roll-ups and the public side, over HTTP."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from apps.activities.models import ActivityReport, Campaign
from apps.notifications.models import Notification
from apps.organizations.models import Node

from .activity_factories import CampaignFactory, ReportFactory
from .conftest import committee
from .evaluation_factories import eligible_collective
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def jpeg_with_gps(size=(64, 48)):
    image = Image.new("RGB", size, "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (30.0, 31.0, 0.0)  # A latitude: where the photo was taken.
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def report_post(collective, **overrides):
    data = {
        "kind": "volunteer",
        "campaign": "",
        "title": "社区义诊志愿服务",
        "held_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "place": "人民路社区",
        "participants": "8",
        "beneficiaries": "120",
        "narrative": "为社区居民提供咨询服务。",
        "video_url": "",
        "is_public": "on",
    }
    members = list(collective.members.all())
    data[f"hours_{members[0].pk}"] = "3"
    data[f"hours_{members[1].pk}"] = "2.5"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def collective():
    return eligible_collective()


@pytest.fixture
def own(login, collective):
    return login(collective.leader_account)


def test_leader_files_a_volunteer_report_with_a_photo_for_a_campaign(own, collective, client):
    campaign = CampaignFactory()
    photo = SimpleUploadedFile("活动.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = own.post(
        reverse("activities:report_create", args=[collective.pk]),
        {**report_post(collective, campaign=str(campaign.pk)), "new_photos": [photo]},
        follow=True,
    )
    report = ActivityReport.objects.get()
    assert report.campaign == campaign and report.volunteer_hours == Decimal("5.5")
    assert report.node_path == collective.registering_node.path
    stored = Image.open(report.photos.get().image.path)
    assert not stored.getexif()  # no GPS, no camera
    assert report.photos.get().thumbnail.name != report.photos.get().image.name
    page = response.content.decode()
    assert "5.5" in page and re.search(r"<td[^>]*>75", page) and re.search(r"<td[^>]*>62.5", page)  # 3 h and 2.5 h at 25 points an hour
    public = client.get(collective.get_absolute_url()).content.decode()
    thumb = reverse("activities:photo_thumb", args=[report.photos.get().pk])
    assert "社区义诊志愿服务" in public and thumb in public
    assert client.get(thumb)["Content-Type"] == "image/jpeg"
    assert client.get(report.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"participants": "-3"}, "确保该值大于或等于0"),
        ({"held_on": "tomorrow"}, "活动日期不能晚于今天"),  # computed when the test runs, not when it is collected
        ({"title": ""}, "这个字段是必填项"),
    ],
)
def test_bad_report_input_is_refused_with_a_clear_message(own, collective, overrides, message):
    if overrides.get("held_on") == "tomorrow":
        overrides = {"held_on": (timezone.localdate() + timedelta(days=1)).isoformat()}
    response = own.post(reverse("activities:report_create", args=[collective.pk]), report_post(collective, **overrides))
    assert message in response.content.decode()
    assert not ActivityReport.objects.exists()


def test_hours_over_24_per_person_are_refused(own, collective):
    member = collective.members.first()
    response = own.post(reverse("activities:report_create", args=[collective.pk]), report_post(collective, **{f"hours_{member.pk}": "25"}))
    assert "每人每次最多24小时" in response.content.decode()
    assert not ActivityReport.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", b"this is not an image", "不是照片"),
        ("big.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 10), "超过10 MB"),
    ],
)
def test_bad_photos_are_refused(own, collective, name, content, message):
    data = {**report_post(collective), "new_photos": [SimpleUploadedFile(name, content)]}
    response = own.post(reverse("activities:report_create", args=[collective.pk]), data)
    assert message in response.content.decode()
    assert not ActivityReport.objects.exists()


def test_a_huge_image_is_refused(own, collective):
    buffer = io.BytesIO()
    Image.new("L", (8000, 6000)).save(buffer, "PNG")
    data = {**report_post(collective), "new_photos": [SimpleUploadedFile("huge.png", buffer.getvalue())]}
    response = own.post(reverse("activities:report_create", args=[collective.pk]), data)
    assert "图片过大" in response.content.decode()
    assert not ActivityReport.objects.exists()


def test_a_collective_cannot_file_edit_or_see_another_collectives_internal_reports(login, collective):
    other = eligible_collective()
    internal = ReportFactory(collective=other, is_public=False)
    client = login(collective.leader_account)
    assert client.get(reverse("activities:report_create", args=[other.pk])).status_code == 404
    assert client.get(reverse("activities:report_edit", args=[other.pk, internal.pk])).status_code == 404
    assert client.get(reverse("activities:my_reports", args=[other.pk])).status_code == 404
    assert client.get(internal.get_absolute_url()).status_code == 404


def test_reports_can_be_edited_for_30_days(own, collective):
    report = ReportFactory(collective=collective)
    ActivityReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=31))
    response = own.get(reverse("activities:report_edit", args=[collective.pk, report.pk]), follow=True)
    assert "提交后30天内可以修改" in response.content.decode()


def test_authorised_member_files_for_the_collective(login, collective):
    member_account = UserFactory()
    login(collective.leader_account).post(reverse("activities:authorise", args=[collective.pk]), {"phone": member_account.phone})
    client = login(member_account)
    assert reverse("activities:report_create", args=[collective.pk]) in client.get(reverse("collectives:my")).content.decode()
    client.post(reverse("activities:report_create", args=[collective.pk]), report_post(collective))
    assert ActivityReport.objects.get().created_by == member_account


def test_staff_flag_hides_a_report_and_the_collective_sees_why(login, staff_user, collective, client):
    report = ReportFactory(collective=collective)
    staff = login(staff_user("reviewer", "340803"))
    staff.post(reverse("activities:staff_flag", args=[report.pk]), {"reason": "照片含有群众个人信息"})
    report.refresh_from_db()
    assert report.flagged
    client.logout()
    assert client.get(report.get_absolute_url()).status_code == 404
    own_page = login(collective.leader_account).get(reverse("activities:my_reports", args=[collective.pk])).content.decode()
    assert "照片含有群众个人信息" in own_page
    other_county = login(staff_user("reviewer", "340822"))
    assert other_county.post(reverse("activities:staff_flag", args=[report.pk]), {"reason": "x"}).status_code == 404
    viewer = login(staff_user("viewer", "340800"))
    assert viewer.post(reverse("activities:staff_flag", args=[report.pk]), {"reason": "x"}).status_code == 404


def test_campaign_progress_counts_reports_and_reminds_the_missing(login, staff_user):
    campaign = CampaignFactory()
    reported = eligible_collective()
    missing = eligible_collective(region_id="340822", registering_node=committee("340822"))
    ReportFactory(collective=reported, campaign=campaign, kind="volunteer", volunteer_hours=Decimal("6"))
    city = login(staff_user("admin", "340800"))
    page = city.get(campaign.get_absolute_url()).content.decode()
    assert "共青团大观区委" in page and "共青团怀宁县委" in page
    city.post(reverse("activities:campaign_remind", args=[campaign.pk]), {"action": "remind", "all": "1", "query": "show=missing", "confirmed": "1"})
    assert Notification.objects.filter(recipient=missing.leader_account).exists()
    assert not Notification.objects.filter(recipient=reported.leader_account).exists()
    export = city.get(reverse("activities:campaign_export", args=[campaign.pk]))
    assert b"".join(export.streaming_content).startswith(b"PK")


def test_county_staff_see_only_their_part_of_a_city_campaign(login, staff_user):
    campaign = CampaignFactory()
    ReportFactory(campaign=campaign)
    ReportFactory(campaign=campaign, collective=eligible_collective(region_id="340822", registering_node=committee("340822")))
    county = login(staff_user("reviewer", "340803"))
    response = county.get(campaign.get_absolute_url())
    assert response.context["totals"]["activities"] == 1
    hefei = login(staff_user("reviewer", "340100"))
    assert hefei.get(campaign.get_absolute_url()).status_code == 404


def test_rollup_and_ranking_for_a_period(login, staff_user):
    ReportFactory(kind="volunteer", volunteer_hours=Decimal("10"))
    ReportFactory(kind="volunteer", volunteer_hours=Decimal("4"), held_on=timezone.localdate() - timedelta(days=400))
    response = login(staff_user("viewer", "340800")).get(reverse("activities:rollup"))
    assert response.context["totals"]["volunteer_hours"] == Decimal("10")
    assert response.context["totals"]["volunteer_services"] == 1


def test_campaign_progress_query_count_does_not_grow(login, staff_user):
    campaign = CampaignFactory()
    client = login(staff_user("admin", "340800"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(campaign.get_absolute_url())
            client.get(campaign.get_absolute_url() + "?show=missing")
            client.get(reverse("activities:rollup"))
            client.get(reverse("activities:staff_reports"))
        return len(queries)

    ReportFactory(campaign=campaign)
    eligible_collective()  # one that has not reported, so that both lists have rows from the start
    before = count()
    for _ in range(5):
        ReportFactory(campaign=campaign)
        eligible_collective()
    assert count() == before


def test_only_admins_launch_campaigns(login, staff_user, collective):
    assert login(staff_user("reviewer", "340800")).get(reverse("activities:campaign_create")).status_code == 403
    assert login(collective.leader_account).get(reverse("activities:campaign_list")).status_code == 403
    admin = login(staff_user("admin", "340800"))
    today = timezone.localdate()
    admin.post(
        reverse("activities:campaign_create"),
        {"title": "2026年开放周", "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=7)).isoformat(), "report_kinds": ["open_week"], "includes_aspiring": "on"},
    )
    campaign = Campaign.objects.get()
    assert campaign.node == committee("340800")
    assert campaign.title in login(collective.leader_account).get(reverse("collectives:my")).content.decode()


def test_annual_summary_for_named_collectives(login, staff_user, collective):
    collective.honor_level = "city"
    collective.save()
    year = timezone.localdate().year
    login(collective.leader_account).post(reverse("activities:annual_summary", args=[collective.pk, year]), {"narrative": "全年开展活动12次。"})
    staff = login(staff_user("viewer", "340800"))
    assert collective.name in staff.get(reverse("activities:summaries")).content.decode()
    assert collective.name not in staff.get(reverse("activities:summaries") + "?show=missing").content.decode()
    assert "全年开展活动12次" in staff.get(reverse("activities:summaries")).content.decode()


def test_photos_of_internal_or_hidden_reports_are_not_public(client, login, collective):
    from apps.activities.models import ReportPhoto
    from django.core.files.base import ContentFile

    report = ReportFactory(collective=collective, is_public=False)
    photo = ReportPhoto(report=report)
    photo.image.save("a.jpg", ContentFile(jpeg_with_gps()), save=False)
    photo.thumbnail.save("b.jpg", ContentFile(jpeg_with_gps()), save=False)
    photo.save()
    url = reverse("activities:photo_full", args=[photo.pk])
    assert client.get(url).status_code == 404
    assert login(UserFactory()).get(url).status_code == 404
    assert login(collective.leader_account).get(url).status_code == 200


def test_bad_year_parameter_falls_back_to_this_year(login, staff_user):
    response = login(staff_user("viewer", "340800")).get(reverse("activities:summaries") + "?year=abc")
    assert response.status_code == 200 and response.context["year"] == timezone.localdate().year


def test_staff_read_the_reports_of_their_subtree_newest_first_counted_to_a_limit(login, staff_user, monkeypatch):
    """The list scopes by the reports' own copy of their committee's path and stops counting at COUNT_LIMIT."""
    hefei = eligible_collective(registering_node=Node.objects.get(region_id="340100", kind="league"))
    ReportFactory(collective=hefei, title="合肥的开放日")
    for days in (3, 1, 2):
        ReportFactory(title=f"{days}天前的开放日", held_on=timezone.localdate() - timedelta(days=days))
    client = login(staff_user("viewer", "340800"))
    page = client.get(reverse("activities:staff_reports")).content.decode()
    assert "合肥的开放日" not in page
    assert page.index("1天前的开放日") < page.index("2天前的开放日") < page.index("3天前的开放日")
    assert "超过 1,000 条" not in page

    monkeypatch.setattr("civpost.lists.COUNT_LIMIT", 2)
    response = client.get(reverse("activities:staff_reports"))
    assert response.context["page"].paginator.is_capped and len(response.context["page"].object_list) == 2
