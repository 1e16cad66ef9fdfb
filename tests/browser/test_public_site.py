"""Issue 7 in a real browser on a phone-sized screen: search "供电", filter by city, open a post, check that its
QR code decodes to the page's address, and download the open data as CSV."""

import re

import cv2
import numpy
from playwright.sync_api import expect

from apps.organizations.models import Node, Region
from tests.evaluation_factories import eligible_collective

PHONE = {"width": 390, "height": 844}


def test_visitor_on_a_phone_finds_a_post_and_its_data(browser, live_server, committee_tree, tmp_path):
    hefei = Region.objects.get(code="340102")
    eligible_collective(name="客户服务中心营业厅青年班组", workplace_unit="国网安庆供电公司")
    eligible_collective(name="合肥营业厅班组", workplace_unit="国网合肥供电公司", region=hefei, registering_node=Node.objects.get(region=hefei, kind="league"))
    eligible_collective(name="办税服务厅", workplace_unit="国家税务总局安庆市税务局")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto("/posts/")
    page.locator("input[name=q]").fill("供电")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("link", name="客户服务中心营业厅青年班组")).to_be_visible()
    expect(page.get_by_role("link", name="合肥营业厅班组")).to_be_visible()
    expect(page.get_by_role("link", name="办税服务厅")).to_have_count(0)

    page.locator("select[name=province]").select_option("340000")  # the page reloads with Anhui's cities
    page.locator("select[name=city]").select_option("340800")
    expect(page).to_have_url(re.compile("city=340800"))
    expect(page.get_by_role("link", name="合肥营业厅班组")).to_have_count(0)
    page.get_by_role("link", name="客户服务中心营业厅青年班组").click()
    expect(page.get_by_role("heading", name="客户服务中心营业厅青年班组")).to_be_visible()

    post_url = page.url
    qr = page.locator("img[src$='qr.png']")
    expect(qr).to_be_visible()
    png = page.request.get(qr.get_attribute("src")).body()
    decoded, _points, _raw = cv2.QRCodeDetector().detectAndDecode(cv2.imdecode(numpy.frombuffer(png, numpy.uint8), cv2.IMREAD_COLOR))
    assert decoded == post_url

    page.goto("/posts/?q=供电")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    csv_path = tmp_path / "posts.csv"
    download_info.value.save_as(csv_path)
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "客户服务中心营业厅青年班组" in text and "合肥营业厅班组" in text and "办税服务厅" not in text
    context.close()
