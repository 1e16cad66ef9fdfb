"""Issue 17, item 5 on a 390 × 844 phone in Chromium: the 号长 of a named collective renames it (the change waits for
the committee, the public page keeps the approved name), is told on /my/ that its members left the rules, and marks
it dissolved after the confirmation page."""

from playwright.sync_api import expect

from apps.collectives.models import ChangeRequest, Collective
from apps.evaluations.workflow import refresh_honor_level
from tests.evaluation_factories import HonorFactory

from .test_forms_on_a_phone import fits_the_phone, phone_page
from .test_honour_journey import log_in


def test_leader_of_a_named_collective_on_a_phone(browser, live_server, committee_tree):
    honor = HonorFactory()
    refresh_honor_level(honor.collective)
    collective = Collective.objects.get(pk=honor.collective_id)
    Collective.objects.filter(pk=collective.pk).update(outside_rules=True)
    approved_name = collective.name
    context, page = phone_page(browser, live_server)
    try:
        log_in(page, collective.leader_account)
        page.goto("/my/")
        expect(page.get_by_text("成员已不符合创建活动的规定").first).to_be_visible()
        fits_the_phone(page)

        page.goto(f"/my/collectives/{collective.pk}/edit/")
        page.get_by_label("集体名称").fill("客户服务中心青年突击队")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.get_by_text("等待共青团大观区委审核")).to_be_visible()
        fits_the_phone(page)
        assert ChangeRequest.objects.get(collective=collective).name == "客户服务中心青年突击队"
        page.goto(f"/posts/{collective.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(approved_name)

        page.goto(f"/my/collectives/{collective.pk}/")
        page.get_by_role("link", name="标记为已注销…").click()
        fits_the_phone(page)
        page.get_by_label("注销原因").fill("营业厅撤并")
        page.get_by_role("button", name="标记为已注销").click()
        expect(page.get_by_text("已标记为注销")).to_be_visible()
        collective.refresh_from_db()
        assert collective.status == "dissolved"
    finally:
        context.close()
