"""A city admin takes a round in review to a saved proposed list in a real browser: the step bar shows the round at
评审 with 发布公示 disabled and the reason, the top N by mean score are proposed in one step, and only then is the
publish button enabled; it opens the confirmation page with the comment box."""

import re

from playwright.sync_api import expect

from apps.evaluations.models import Application
from apps.organizations.models import Node
from tests.evaluation_factories import ApplicationFactory, RoundFactory, score
from tests.factories import PASSWORD, MembershipFactory, UserFactory


def test_a_city_admin_proposes_the_top_three_and_may_then_publish(page, committee_tree):
    city = Node.objects.get(region_id="340800", kind="league")
    admin = MembershipFactory(role="admin", node=city, user=UserFactory(real_name="市级管理员")).user
    expert = MembershipFactory(role="expert", node=city, user=UserFactory(real_name="评审专家甲")).user
    round = RoundFactory(node=city, stage="review", quota=5, title="2026年度安庆市青年文明号认定")
    applications = [ApplicationFactory(round=round, status="review") for _ in range(6)]
    for points, application in enumerate(applications):
        score(application, expert=expert, points=points)  # the first scores best

    page.goto("/accounts/login/")
    page.locator("#id_username").fill(admin.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.goto(round.get_absolute_url())

    bar = page.locator("#step-bar")
    expect(bar).to_be_visible()
    expect(bar.locator("li[aria-current=step]")).to_have_text("评审")
    publish = bar.get_by_role("button", name="发布公示…")
    expect(publish).to_be_disabled()
    expect(bar.get_by_text("发布公示前请先确定拟命名名单。")).to_be_visible()
    expect(page.get_by_text("评审专家甲").first).to_be_visible()  # the experts by name in the score table

    quota = page.locator("#quota-use")
    quota.get_by_label("名额数").fill("3")
    quota.get_by_role("button", name="按平均分在名额内拟命名").click()
    expect(page.get_by_text("拟命名名单已保存。")).to_be_visible()
    expect(page.locator("#quota-use").get_by_text(re.compile(r"拟命名：3 / 5"))).to_be_visible()
    assert set(Application.objects.filter(round=round, proposed=True).values_list("pk", flat=True)) == {a.pk for a in applications[:3]}

    publish = page.locator("#step-bar").get_by_role("button", name="发布公示…")
    expect(publish).to_be_enabled()
    expect(page.locator("#step-bar .blockers")).to_have_count(0)
    publish.click()
    expect(page.get_by_text("3个拟命名集体进入公示")).to_be_visible()
    expect(page.locator("#id_comment")).to_be_visible()
    expect(page.get_by_role("button", name="确认：发布公示")).to_be_enabled()
    page.get_by_role("link", name="取消").click()
    expect(page.locator("#step-bar li[aria-current=step]")).to_have_text("评审")
    round.refresh_from_db()
    assert round.stage == "review"
