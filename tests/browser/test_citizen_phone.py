"""Issue 14 in Chromium on a 390 × 844 phone: a citizen files an anonymous complaint from a post page and follows
it by typing the tracking code into the home page's box; a citizen checks a certificate number in 证书查验 with
the keyboard alone; 长辈模式 is remembered; public and 号长 pages fit the phone's width."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.complaints.models import Complaint
from apps.evaluations.models import Notice
from tests.activity_factories import CampaignFactory
from tests.evaluation_factories import HonorFactory, RoundFactory, eligible_collective
from tests.factories import UserFactory

from .test_honour_journey import log_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def named_post(name):
    honor = HonorFactory(named_on=timezone.localdate() - timedelta(days=30))
    collective = honor.collective
    collective.refresh_from_db()  # with the naming date the honour's signal wrote
    collective.name, collective.honor_level = name, honor.level
    collective.save()
    return honor


def fits_the_width(page):
    """Nothing sticks out to the right: the page never scrolls sideways on the phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_anonymous_complaint_followed_from_the_home_page(phone, committee_tree):
    honor = named_post("客户服务中心营业厅青年班组")
    page = phone
    page.goto("/")
    fits_the_width(page)
    page.get_by_role("link", name=honor.collective.name).click()
    page.get_by_role("link", name="我要投诉").click()
    fits_the_width(page)
    expect(page.get_by_text(re.compile("不填写则组委会无法回访您"))).to_be_visible()
    page.locator("#id_what_happened").fill("窗口工作时间无人值守，监督电话无人接听。")
    page.locator("#id_happened_on").fill((timezone.localdate() - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="提交投诉").click()  # no contact, no name: anonymous
    expect(page.get_by_text(re.compile("已收到您的投诉。请保存查询码"))).to_be_visible()
    complaint = Complaint.objects.get()
    assert complaint.contact == "" and complaint.name == ""

    page.goto("/")
    box = page.locator("section.home-box", has=page.get_by_role("heading", name="投诉进度查询"))
    box.get_by_label("查询码").fill(complaint.tracking_code.lower())
    box.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name=f"投诉 {complaint.tracking_code}")).to_be_visible()
    expect(page.locator("dd strong")).to_have_text(complaint.get_status_display())
    fits_the_width(page)


def test_certificate_checked_from_the_home_page_by_keyboard(phone, committee_tree):
    honor = named_post("市公安局110报警服务台青年班组")
    page = phone
    page.goto("/")
    number = page.locator("#home-number")
    for _ in range(40):  # Tab through the header and the hero to the box: every stop in between is reachable
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "home-number":
            break
    expect(number).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.type(f" {honor.certificate_number} ")
    page.keyboard.press("Enter")
    expect(page.get_by_text("该证书真实有效。")).to_be_visible()
    expect(page.get_by_text(honor.collective.name).first).to_be_visible()
    fits_the_width(page)

    page.get_by_label("证书编号").fill("C340800-2026-99999")
    page.get_by_role("button", name="查验").click()
    expect(page.get_by_text("输入是否有误")).to_be_visible()
    expect(page.get_by_text(re.compile("可能系伪造"))).to_be_visible()
    fits_the_width(page)


def test_large_text_mode_is_remembered_and_readable(phone, committee_tree):
    page = phone
    page.goto("/posts/")
    page.get_by_role("button", name="长辈模式").click()
    expect(page.locator("body.elder")).to_be_attached()
    assert page.url.endswith("/posts/")
    page.goto("/verify/")
    size, line = page.evaluate("[parseFloat(getComputedStyle(document.body).fontSize), parseFloat(getComputedStyle(document.body).lineHeight)]")
    assert size >= 18 and line / size >= 1.5
    fits_the_width(page)
    page.get_by_role("button", name="标准模式").click()
    expect(page.locator("body.elder")).to_have_count(0)


def test_the_directory_filter_is_one_button_on_a_phone(phone, committee_tree):
    named_post("国网安庆供电公司客户服务中心")
    page = phone
    page.goto("/posts/")
    expect(page.locator("#id_level")).to_be_hidden()
    page.get_by_text("按级别、地区、行业、年度筛选").click()
    expect(page.locator("#id_level")).to_be_visible()
    page.locator("#id_level").select_option("city")
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(page.get_by_role("link", name="国网安庆供电公司客户服务中心")).to_be_visible()
    expect(page.locator("#id_level")).to_be_visible()  # a filtered list keeps its filters open
    fits_the_width(page)


def test_public_and_leader_pages_fit_the_phone(phone, committee_tree):
    today = timezone.localdate()
    honor = named_post("客户服务中心营业厅青年班组")
    leader = UserFactory()
    collective = eligible_collective(leader_account=leader, name="市第一人民医院急诊科青年班组")
    CampaignFactory()
    round = RoundFactory(stage="notice")
    notice = Notice.objects.create(round=round, opens_on=today, closes_on=today + timedelta(days=5), published_by=UserFactory())
    page = phone
    for url in ["/", "/posts/", honor.collective.get_absolute_url(), "/notices/", notice.get_absolute_url(), "/verify/", "/complaints/", "/stats/", "/open-data/"]:
        page.goto(url)
        fits_the_width(page)
    log_in(page, leader)
    for url in ["/my/", f"/my/collectives/{collective.pk}/", f"/my/collectives/{collective.pk}/reports/", f"/my/collectives/{collective.pk}/reports/new/", "/my/collectives/new/"]:
        page.goto(url)
        fits_the_width(page)


def test_the_directory_has_no_blank_bands_on_a_phone(phone, committee_tree):
    for n in range(16):
        named_post(f"营业厅青年班组{n:02d}")
    page = phone
    page.goto("/posts/")
    cards = page.locator("main .grid > article.card")
    expect(cards).to_have_count(16)
    bands = page.evaluate(
        """() => Array.from(document.querySelectorAll("main .grid > article.card")).map(card => {
            const box = card.getBoundingClientRect(), first = card.firstElementChild.getBoundingClientRect(),
                  last = card.lastElementChild.getBoundingClientRect();
            return [first.top - box.top, box.bottom - last.bottom];
        })"""
    )
    assert all(top <= 14 and bottom <= 14 for top, bottom in bands), bands  # the card's padding, nothing more
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 16 * 200 + 900, height  # 16 cards and the page around them (it was 4,800 px)
    fits_the_width(page)
