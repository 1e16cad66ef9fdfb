"""Issue 5 in a real browser: the 号长 files a volunteer-service report with a photo for a campaign, and the
county staff sees it counted in the campaign's progress."""

import io

from PIL import Image
from playwright.sync_api import expect

from apps.organizations.models import Node
from tests.activity_factories import CampaignFactory
from tests.evaluation_factories import eligible_collective
from tests.factories import MembershipFactory, UserFactory

from .test_honour_journey import log_in, log_out


def photo_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_volunteer_report_with_photo_is_counted_for_the_county(page, committee_tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    campaign = CampaignFactory(title="2026年青年文明号开放周")
    county = Node.objects.get(region_id="340803", kind="league")
    reviewer = MembershipFactory(role="reviewer", node=county).user
    collective = eligible_collective(leader_account=UserFactory(), name="客户服务中心营业厅青年班组")
    first_member = collective.members.first()

    log_in(page, collective.leader_account)
    page.goto("/my/")
    expect(page.get_by_text("2026年青年文明号开放周", exact=True)).to_be_visible()
    page.get_by_role("link", name="为本次活动报送").first.click()
    page.locator("#id_kind").select_option("volunteer")
    expect(page.locator("#id_campaign")).to_have_value(str(campaign.pk))
    page.locator("#id_title").fill("社区义诊志愿服务")
    page.locator("#id_place").fill("人民路社区")
    page.locator("#id_participants").fill("8")
    page.locator("#id_beneficiaries").fill("120")
    page.locator("#id_narrative").fill("为社区居民提供用电咨询和上门服务。")
    page.locator(f"#id_hours_{first_member.pk}").fill("3.5")
    page.locator("#id_new_photos").set_input_files(files=[{"name": "义诊.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}])
    page.get_by_role("button", name="保存报告").click()
    expect(page.get_by_text("活动报告已保存。")).to_be_visible()
    expect(page.get_by_role("cell", name="3.5").first).to_be_visible()
    log_out(page)

    log_in(page, reviewer)
    page.goto(campaign.get_absolute_url())
    figures = page.locator("dl.stats")
    expect(figures.locator(".figure", has_text="活动场次")).to_contain_text("1")
    expect(figures.locator(".figure", has_text="志愿服务场次")).to_contain_text("1")
    expect(figures.locator(".figure", has_text="志愿服务时长")).to_contain_text("3.5")
    expect(page.get_by_text(collective.name)).to_be_visible()

    page.goto(f"/posts/{collective.pk}/")
    expect(page.get_by_role("link", name="社区义诊志愿服务")).to_be_visible()
    expect(page.locator(".thumbs img")).to_have_count(1)
