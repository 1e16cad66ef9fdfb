"""Issue 6 in a real browser: a visitor complains from a post page, the county upholds it, the city committee
revokes the title, and the post disappears from the public directory."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from apps.organizations.models import Node
from tests.evaluation_factories import HonorFactory
from tests.factories import MembershipFactory

from .test_honour_journey import log_in, log_out


def test_complaint_upheld_and_title_revoked(page, committee_tree):
    honor = HonorFactory(named_on=timezone.localdate() - timedelta(days=400))
    collective = honor.collective
    collective.name = "客户服务中心营业厅青年班组"
    collective.honor_level = "city"
    collective.save()
    county = MembershipFactory(role="reviewer", node=Node.objects.get(region_id="340803", kind="league")).user
    city_admin = MembershipFactory(role="admin", node=Node.objects.get(region_id="340800", kind="league")).user

    page.goto(f"/posts/?q={collective.name}")
    expect(page.get_by_role("link", name=collective.name)).to_be_visible()
    page.get_by_role("link", name=collective.name).click()
    page.get_by_role("link", name="我要投诉").click()
    page.locator("#id_what_happened").fill("窗口工作时间无人值守，监督电话无人接听。")
    expect(page.locator("#id_what_happened + small")).to_have_text("20 / 5000")  # the length counter
    page.locator("#id_happened_on").fill((timezone.localdate() - timedelta(days=2)).isoformat())
    page.locator("#id_contact").fill("13911112222")
    page.get_by_role("button", name="提交投诉").click()
    expect(page.get_by_text(re.compile("已收到您的投诉。请保存查询码"))).to_be_visible()
    tracking_url = page.url

    log_in(page, county)
    page.goto("/workbench/complaints/")
    page.locator("table a").first.click()
    expect(page.get_by_text("13911112222")).to_be_visible()
    page.get_by_role("button", name="受理调查").click()
    page.locator("#id_decision").select_option("upheld")
    page.locator("#id_outcome").fill("经现场核查属实。")
    page.get_by_role("button", name="办结").click()
    expect(page.get_by_text("投诉已办结。")).to_be_visible()
    log_out(page)

    page.goto(tracking_url)
    expect(page.get_by_text("已办结：查实")).to_be_visible()

    log_in(page, city_admin)
    page.goto(f"/workbench/honors/{honor.pk}/revoke/")
    page.locator("#id_reason").fill("投诉查实，情节严重。")
    page.locator("#id_reference").fill("团安委〔2026〕12号")
    page.get_by_role("button", name="撤销称号").click()
    expect(page.get_by_role("heading", name="确认：撤销称号")).to_be_visible()
    page.get_by_role("button", name="撤销称号").click()
    expect(page.get_by_text(re.compile("已撤销.*称号"))).to_be_visible()
    log_out(page)

    page.goto(f"/posts/?q={collective.name}")
    expect(page.get_by_role("link", name=collective.name)).to_have_count(0)
    page.goto(f"/verify/{honor.certificate_number}/")
    expect(page.get_by_text(re.compile("该称号已于.*被撤销"))).to_be_visible()
