"""The programme's rules in a real browser, in Chinese (issue 17), one journey:

1. a county admin specially recommends (特别推荐) a small team that stood out in a flood, with a reason and
   supporting material; it climbs to the city, marked as special; the city reviews it, puts it on notice and names
   it, two stars;
2. later the city lowers its star grade and orders a rectification shown on the post page; the 号长 reports
   completion with a photo and the staff accept it.

`programme` sets the people and the round up; each half is a function walking it in the browser.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from apps.evaluations.models import Application, Honor, Notice, Round
from apps.organizations.models import Node
from apps.rechecks.workflow import default_deadline
from tests.evaluation_factories import RoundFactory, eligible_collective, score
from tests.factories import MembershipFactory, UserFactory
from tests.pdfs import clean_pdf

from .test_honour_journey import log_in, log_out, propose_and_publish

REASON = "2026年汛期抗洪抢险中连续奋战72小时，保障全市供电不中断"
# Three members: below the size rule of six, which the round relaxes for special recommendations.
SMALL_TEAM = [date(1995, 5, 1), date(1998, 3, 2), date(1999, 7, 8)]


@dataclass
class Programme:
    """Who acts in the journey, and the round it runs in."""

    city: Node
    county: Node
    city_admin: object
    county_admin: object
    expert: object
    leader: object
    collective: object
    round: Round


@pytest.fixture
def programme(committee_tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    city, county = Node.objects.get(region_id="340800", kind="league"), Node.objects.get(region_id="340803", kind="league")
    leader = UserFactory(real_name="抢修班号长")
    return Programme(
        city=city,
        county=county,
        city_admin=MembershipFactory(role="admin", node=city, user=UserFactory(real_name="市级管理员")).user,
        county_admin=MembershipFactory(role="admin", node=county, user=UserFactory(real_name="区级管理员")).user,
        expert=MembershipFactory(role="expert", node=city, user=UserFactory(real_name="评审专家甲")).user,
        leader=leader,
        collective=eligible_collective(leader_account=leader, name="供电抢修青年突击队", members=SMALL_TEAM),
        round=RoundFactory(
            node=city,
            title="2026年度安庆市青年文明号认定",
            has_stars=True,
            special_quota=2,
            rule_settings={"special_relaxed": ["composition"]},
        ),
    )


def name_a_special_recommendation(page, programme):
    """The first half of the journey, in the browser; ends logged out, with the collective named. Returns its Honor."""
    collective, round = programme.collective, programme.round

    log_in(page, programme.county_admin)
    page.goto(round.get_absolute_url())
    page.get_by_role("link", name="特别推荐").click()
    expect(page.get_by_text("成员人数与青年占比")).to_be_visible()  # the rule this round relaxes for it
    page.locator("#id_collective").fill(collective.registration_number)
    page.locator("#id_reason").fill(REASON)
    page.locator("#id_material").set_input_files(
        files=[{"name": "抗洪抢险事迹.pdf", "mimeType": "application/pdf", "buffer": clean_pdf()}]
    )
    page.get_by_role("button", name="特别推荐").click()
    expect(page.get_by_text(f"已特别推荐：{collective.name}")).to_be_visible()
    log_out(page)

    # It has climbed to the city: in the city's review, marked as special, with the county's reason.
    log_in(page, programme.city_admin)
    page.goto("/workbench/applications/?tab=review")
    row = page.get_by_role("row", name=re.compile(collective.name))
    expect(row.locator(".badge.special")).to_have_text("特别推荐")
    row.get_by_role("link", name=collective.name).click()
    expect(page.get_by_text(REASON).first).to_be_visible()
    expect(page.get_by_role("link", name="抗洪抢险事迹.pdf")).to_be_visible()
    expect(page.get_by_text("已对特别推荐放宽")).to_be_visible()
    log_out(page)

    # The expert's review is not this journey's subject: scored through the workflow's own step.
    score(Application.objects.get(round=round, collective=collective), expert=programme.expert, points=4)

    log_in(page, programme.city_admin)
    page.goto(round.get_absolute_url())
    page.get_by_role("button", name="截止申报并开始评审").click()
    expect(page.locator("#scores .badge.special")).to_be_visible()
    propose_and_publish(page, stars=2)
    # Time passes: the notice period ends with no objection.
    Notice.objects.filter(round=round).update(closes_on=timezone.localdate() - timedelta(days=1))
    page.goto(round.get_absolute_url())
    page.get_by_role("button", name="命名…").click()
    page.get_by_role("button", name="确认：命名").click()
    expect(page.get_by_text("名单已命名，证书已生成。")).to_be_visible()
    log_out(page)
    return Honor.objects.get(collective=collective, round=round)


def photo(tmp_path):
    path = tmp_path / "整改后的服务窗口.png"
    buffer = BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def lower_star_and_rectify(page, programme, tmp_path):
    """The second half: the city lowers the star grade and orders a rectification, which the post page shows
    without its reason; the 号长 reports completion with a photo; the city accepts it."""
    collective, city_admin = programme.collective, programme.city_admin
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


def test_a_special_recommendation_named_then_sanctioned_and_rectified(page, programme, tmp_path):
    honor = name_a_special_recommendation(page, programme)

    assert honor.application.special_by == programme.county and honor.application.special_reason == REASON
    assert honor.star_grade == 2
    page.goto(f"/posts/{programme.collective.pk}/")
    page.get_by_role("link", name=re.compile("市级青年文明号")).click()
    expect(page.get_by_text("该证书真实有效。")).to_be_visible()
    expect(page.get_by_text(honor.certificate_number)).to_be_visible()

    lower_star_and_rectify(page, programme, tmp_path)
