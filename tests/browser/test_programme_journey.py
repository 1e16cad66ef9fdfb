"""The programme's rules in a real browser (issue 17), one journey in halves:

1. (here) a county admin specially recommends (特别推荐) a small team that stood out in a flood, with a reason and
   supporting material; it climbs to the city, marked as special; the city reviews it, puts it on notice and names it.
2. (to continue from `name_a_special_recommendation`) the city lowers its star grade and orders a rectification
   shown on the post page; the 号长 reports completion and the staff accept it.

`programme` sets the people and the round up; `name_a_special_recommendation(page, programme)` walks the first half
in the browser and returns the named title, so the second half starts from a named post.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.evaluations.models import Application, Honor, Notice, Round
from apps.organizations.models import Node
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
    propose_and_publish(page)
    # Time passes: the notice period ends with no objection.
    Notice.objects.filter(round=round).update(closes_on=timezone.localdate() - timedelta(days=1))
    page.goto(round.get_absolute_url())
    page.get_by_role("button", name="命名…").click()
    page.get_by_role("button", name="确认：命名").click()
    expect(page.get_by_text("名单已命名，证书已生成。")).to_be_visible()
    log_out(page)
    return Honor.objects.get(collective=collective, round=round)


def test_a_county_specially_recommends_a_team_and_the_city_names_it(page, programme):
    honor = name_a_special_recommendation(page, programme)

    assert honor.application.special_by == programme.county and honor.application.special_reason == REASON
    page.goto(f"/posts/{programme.collective.pk}/")
    page.get_by_role("link", name=re.compile("市级青年文明号")).click()
    expect(page.get_by_text("该证书真实有效。")).to_be_visible()
    expect(page.get_by_text(honor.certificate_number)).to_be_visible()
