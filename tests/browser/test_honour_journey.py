"""The honour workflow in a real browser: a city opens a round, a collective applies, its county recommends,
an expert scores, the list is noticed, named, and the certificate verifies."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from apps.evaluations.models import Honor, Notice
from apps.organizations.models import Node
from tests.evaluation_factories import eligible_collective
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.pdfs import clean_pdf


def log_in(page, user):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="退出").click()


def propose_and_publish(page, stars=None):
    """On a round page in review with one application: propose it (with its star grade in a round graded by stars)
    and publish the notice, confirmed."""
    if stars:
        page.get_by_label("星级").select_option(str(stars))
    page.get_by_role("button", name="拟命名", exact=True).click()
    expect(page.get_by_role("button", name="取消拟命名" if stars else "✓ 拟命名")).to_be_visible()
    page.get_by_role("button", name="发布公示…").click()
    page.locator("#id_comment").fill("经市级评审委员会研究")
    page.get_by_role("button", name="确认：发布公示").click()
    expect(page.get_by_text("公示已发布。")).to_be_visible()


def test_from_opening_a_round_to_a_verified_certificate(page, committee_tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    city, county = Node.objects.get(region_id="340800", kind="league"), Node.objects.get(region_id="340803", kind="league")
    admin = MembershipFactory(role="admin", node=city, user=UserFactory(real_name="市级管理员")).user
    reviewer = MembershipFactory(role="reviewer", node=county).user
    expert = MembershipFactory(role="expert", node=city, user=UserFactory(real_name="评审专家甲")).user
    leader = UserFactory()
    collective = eligible_collective(leader_account=leader, name="客户服务中心营业厅青年班组")
    today = timezone.localdate()

    log_in(page, admin)
    page.goto("/workbench/rounds/new/")
    page.locator("#id_title").fill("2026年度安庆市青年文明号认定")
    page.locator("#id_year").fill("2026")
    page.locator("#id_application_opens").fill((today - timedelta(days=1)).isoformat())
    page.locator("#id_application_closes").fill((today + timedelta(days=30)).isoformat())
    page.locator("#id_quota").fill("5")
    page.locator("#id_min_recent_reports").fill("0")  # this new collective has filed no activity report yet
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("认定批次已保存。")).to_be_visible()
    page.get_by_role("button", name="开始申报").click()
    expect(page.get_by_text("已开始申报。")).to_be_visible()
    log_out(page)

    log_in(page, leader)
    page.goto("/my/")
    expect(page.get_by_text("35周岁以下成员占比")).to_be_visible()
    page.get_by_role("button", name="申报", exact=True).click()
    page.locator("#id_deeds").fill("坚持首问负责，群众满意率99%。")
    for field in page.locator("input[name^=item_]").all():
        field.fill(field.get_attribute("max"))
    page.locator("#id_file").set_input_files(
        files=[{"name": "事迹材料.pdf", "mimeType": "application/pdf", "buffer": clean_pdf()}]
    )
    page.get_by_role("button", name="保存并提交").click()
    expect(page.get_by_text("已提交。您可以在这里跟踪每一步进展。")).to_be_visible()
    expect(page.get_by_role("link", name="事迹材料.pdf")).to_be_visible()
    expect(page.get_by_text("待办单位 共青团大观区委")).to_be_visible()
    log_out(page)

    log_in(page, reviewer)
    page.goto("/workbench/applications/")
    page.get_by_role("link", name=collective.name).click()
    page.locator("#id_rank").fill("1")
    page.get_by_role("button", name="推荐…", exact=True).click()
    expect(page.get_by_role("heading", name="确认：推荐")).to_be_visible()
    expect(page.locator("#id_rank")).to_have_value("1")
    page.get_by_role("button", name="推荐", exact=True).click()
    expect(page.get_by_text(f"已推荐：{collective.name}")).to_be_visible()
    log_out(page)

    log_in(page, admin)
    page.goto("/workbench/applications/?tab=review")
    page.get_by_role("link", name=collective.name).click()
    page.get_by_role("group", name="评审专家：").get_by_label("评审专家甲").check()
    page.get_by_role("button", name="分配").click()
    expect(page.get_by_text(f"已分配评审专家：{collective.name}")).to_be_visible()
    log_out(page)

    log_in(page, expert)
    page.goto("/workbench/reviews/")
    page.get_by_role("link", name=collective.name).click()
    for field in page.locator("input[name^=item_]").all():
        field.fill(str(int(field.get_attribute("max")) - 4))  # 5 items: 100 - 20 = 80 points
    page.locator("#id_comment").fill("事迹突出")
    page.get_by_role("button", name="提交评分").click()
    expect(page.get_by_text("评分已提交。")).to_be_visible()
    log_out(page)

    log_in(page, admin)
    page.goto("/workbench/rounds/")
    page.get_by_role("link", name="2026年度安庆市青年文明号认定").click()
    page.get_by_role("button", name="截止申报并开始评审").click()
    expect(page.get_by_role("cell", name=re.compile(r"^80(\.0+)?$")).first).to_be_visible()
    propose_and_publish(page)
    log_out(page)

    notice = Notice.objects.get()
    page.goto(notice.get_absolute_url())
    expect(page.get_by_role("link", name=collective.name, exact=True)).to_be_visible()
    # Time passes: the notice period ends with no objection.
    Notice.objects.filter(pk=notice.pk).update(closes_on=today - timedelta(days=1))

    log_in(page, admin)
    page.goto(notice.round.get_absolute_url())
    page.get_by_role("button", name="命名…").click()
    page.get_by_role("button", name="确认：命名").click()
    expect(page.get_by_text("名单已命名，证书已生成。")).to_be_visible()
    log_out(page)

    honor = Honor.objects.get()
    page.goto(f"/posts/{collective.pk}/")
    page.get_by_role("link", name=re.compile("市级青年文明号")).click()
    expect(page.get_by_text("该证书真实有效。")).to_be_visible()
    expect(page.get_by_text(honor.certificate_number)).to_be_visible()
