"""Issue 7 in a real browser, on a phone-sized screen: a visitor searches "供电", narrows to a city, opens a post,
scans its QR code (decoded here) and downloads the open data."""

import io
import re
from pathlib import Path

import cv2
import numpy
from PIL import Image
from playwright.sync_api import expect

from apps.organizations.models import Industry, Region
from tests.evaluation_factories import eligible_collective

PHONE = {"width": 390, "height": 844}


def post(name, unit, region):
    return eligible_collective(
        name=name, workplace_unit=unit, region=Region.objects.get(code=region), industry=Industry.objects.get(code="power")
    )


def decode_qr(png):
    image = numpy.array(Image.open(io.BytesIO(png)).convert("L"))
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def test_visitor_finds_a_post_scans_it_and_downloads_the_open_data(browser, live_server, committee_tree, settings):
    settings.SITE_URL = live_server.url  # the QR code leads to the portal's public address: here, the test server
    anqing = post("客户服务中心营业厅", "国网安庆供电公司", "340803")
    post("供电服务班", "国网怀宁县供电公司", "340822")
    post("合肥供电营业厅", "国网合肥供电公司", "340102")
    post("办税服务厅", "国家税务总局安庆市税务局", "340803")

    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/")
        page.locator("#home-q").fill("供电")
        page.locator("#home-q").press("Enter")
        results = page.locator("main .grid article")
        expect(results).to_have_count(3)

        # On the phone the filters fold into one button; choosing a province reloads the form with its cities
        # (static/js/region-cascade.js), which stays open; then the city narrows it.
        page.get_by_text("按级别、地区、行业、年度筛选").click()
        with page.expect_navigation():  # the reload can take longer than an assertion waits when the machine is busy
            page.locator("#id_province").select_option("340000")
        expect(page.locator("#id_city")).to_be_visible()
        with page.expect_navigation():
            page.locator("#id_city").select_option("340800")
        expect(page).to_have_url(re.compile(r"q=%E4%BE%9B%E7%94%B5.*city=340800|city=340800.*q=%E4%BE%9B%E7%94%B5"))
        expect(results).to_have_count(2)
        expect(page.get_by_role("link", name="合肥供电营业厅")).to_have_count(0)

        # The open data of exactly this list.
        with page.expect_download() as download:
            page.get_by_role("link", name="CSV").click()
        data = Path(download.value.path()).read_bytes()
        assert data.startswith("\ufeff".encode())
        text = data.decode("utf-8-sig")
        assert "客户服务中心营业厅" in text and "供电服务班" in text and "合肥供电营业厅" not in text and "办税服务厅" not in text

        page.get_by_role("link", name="客户服务中心营业厅").click()
        expect(page).to_have_url(f"{live_server.url}/posts/{anqing.pk}/")
        qr = page.locator("img[src$='qr.png']")
        expect(qr).to_be_visible()
        png = page.request.get(qr.get_attribute("src")).body()
        assert decode_qr(png) == page.url  # SITE_URL + the post's path
        expect(page.locator(f"a[href='/posts/{anqing.pk}/poster.pdf']")).to_be_visible()
    finally:
        context.close()
