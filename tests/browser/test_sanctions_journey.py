"""Issue 17 in a real browser, in Chinese: the city lowers the star grade of a post it named and orders a
rectification, which the post page shows; the 号长 reports completion with a photo; the staff accept it."""

import re
from io import BytesIO

from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from apps.organizations.models import Node
from apps.rechecks.workflow import default_deadline
from tests.evaluation_factories import HonorFactory
from tests.factories import MembershipFactory

from .test_honour_journey import log_in, log_out


def photo(tmp_path):
    path = tmp_path / "整改后的服务窗口.png"
    buffer = BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_star_lowered_rectification_reported_and_accepted(page, committee_tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    honour = HonorFactory(star_grade=2)
    collective = honour.collective
    collective.name = "客户服务中心营业厅青年班组"
    collective.honor_level = "city"
    collective.save()
    city_admin = MembershipFactory(role="admin", node=Node.objects.get(region_id="340800", kind="league")).user
    deadline = default_deadline(timezone.localdate()).isoformat()

    log_in(page, city_admin)
    page.goto(f"/workbench/registrations/{collective.pk}/")
    page.get_by_role("link", name="调整星级…").click()
    page.locator("#id_to_grade").select_option(label="一星级")
    page.locator("#id_reason").fill("服务投诉查实，承诺未兑现。")
    page.locator("#id_reference").fill("团安委〔2026〕7号")
    page.get_by_role("button", name="调整星级").click()
    expect(page.get_by_text(re.compile("称号现为一星级"))).to_be_visible()
    expect(page.locator(".star-history")).to_contain_text("团安委〔2026〕7号")

    page.goto(f"/workbench/registrations/{collective.pk}/")
    page.get_by_role("link", name="责令限期整改…").click()
    expect(page.locator("#id_deadline")).to_have_value(deadline)  # one month by default
    page.locator("#id_origin").select_option(label="现场考核")
    page.locator("#id_reason").fill("现场考核发现服务承诺未公示。")
    page.locator("#id_required_changes").fill("在窗口醒目位置公示服务承诺和监督电话。")
    page.get_by_role("button", name="责令限期整改").click()
    expect(page.get_by_text(f"已责令限期整改，期限至{deadline}。")).to_be_visible()
    expect(page.locator("#rectification-state")).to_have_text("整改中：待集体报告整改情况")
    log_out(page)

    page.goto(f"/posts/{collective.pk}/")
    expect(page.locator("#under-rectification")).to_have_text(f"整改中，期限至{deadline}")
    expect(page.locator(".honor-list")).to_contain_text("一星级市级青年文明号")
    expect(page.locator(".honor-list")).to_contain_text("团安委〔2026〕7号")
    expect(page.get_by_text("现场考核发现服务承诺未公示。")).to_have_count(0)

    log_in(page, collective.leader_account)
    page.goto("/my/")
    page.get_by_role("link", name="报告整改完成").click()
    page.locator("#id_text").fill("已在窗口醒目位置公示服务承诺和监督电话。")
    page.locator("#id_evidence").set_input_files(photo(tmp_path))
    page.get_by_role("button", name="提交整改报告").click()
    expect(page.get_by_text("整改报告已提交组委会。")).to_be_visible()
    expect(page.get_by_text("已报告整改完成：待组委会验收")).to_be_visible()
    log_out(page)

    log_in(page, city_admin)
    page.goto("/workbench/")
    page.get_by_role("link", name=re.compile("待验收的整改报告")).click()
    page.get_by_role("link", name=collective.name).click()
    expect(page.get_by_role("link", name=re.compile("整改后的服务窗口.png"))).to_be_visible()
    page.locator("#id_comment").fill("经核查，整改到位。")
    page.get_by_role("button", name="通过验收").click()
    expect(page.get_by_text("整改已通过验收。")).to_be_visible()
    expect(page.locator("#rectification-state")).to_have_text("已通过验收")
    log_out(page)

    page.goto(f"/posts/{collective.pk}/")
    expect(page.locator("h1")).to_have_text(collective.name)
    expect(page.locator("#under-rectification")).to_have_count(0)
