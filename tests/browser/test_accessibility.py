"""WCAG 2.1 AA basics checked in Chromium by axe-core (static/vendor/axe-core/axe.min.js, injected by the test as a
script of the site, which the CSP allows): no serious or critical violation on the public and 号长 pages, at the
phone's width, in the normal look and in 长辈模式."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.evaluations.models import Notice
from tests.activity_factories import CampaignFactory
from tests.evaluation_factories import HonorFactory, RoundFactory, eligible_collective
from tests.factories import UserFactory

from .test_citizen_phone import PHONE
from .test_honour_journey import PASSWORD

AXE = "/static/vendor/axe-core/axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
STRUCTURE = ["heading-order", "page-has-heading-one", "landmark-one-main", "label-title-only", "focus-order-semantics"]
BLOCKING = {"serious", "critical"}


def axe(page):
    """The violations axe-core finds on the page as it is, for the WCAG 2.0/2.1 A and AA rules."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    # Heading order and one h1 are axe's best practices rather than WCAG rules; the issue asks for them too.
    structure = page.evaluate("async (rules) => await axe.run(document, {runOnly: {type: 'rule', values: rules}})", STRUCTURE)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5], "help": v["help"]}
        for v in result["violations"] + structure["violations"]
    ]


@pytest.fixture
def site(committee_tree):
    today = timezone.localdate()
    honor = HonorFactory(named_on=today - timedelta(days=30))
    post = honor.collective
    post.refresh_from_db()
    post.name, post.honor_level = "客户服务中心营业厅青年班组", honor.level
    post.save()
    leader = UserFactory()
    own = eligible_collective(leader_account=leader, name="市第一人民医院急诊科青年班组")
    CampaignFactory()
    notice = Notice.objects.create(round=RoundFactory(stage="notice"), opens_on=today, closes_on=today + timedelta(days=5), published_by=UserFactory())
    return {
        "public": {
            "home": "/",
            "directory": "/posts/",
            "post": post.get_absolute_url(),
            "notice": notice.get_absolute_url(),
            "verify": "/verify/",
            "verify (not found)": "/verify/C340800-2026-99999/",
            "complaints": "/complaints/",
            "complaint form": f"/posts/{post.pk}/complain/",
            "stats": "/stats/",
        },
        "leader": {
            "my": "/my/",
            "registration form": "/my/collectives/new/",
            "report form": f"/my/collectives/{own.pk}/reports/new/",
        },
        "leader_user": leader,
    }


def _log_in(page, user):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_axe_runs_and_finds_what_it_should(page, site):
    """The check itself: an input without a label added to the home page is reported."""
    page.goto("/")
    assert axe(page) == []
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    assert "label" in {v["id"] for v in axe(page)}


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_no_serious_or_critical_violation(browser, live_server, site, elder):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE)
    if elder:
        context.add_cookies([{"name": "elder", "value": "1", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = {}
    try:
        for name, url in site["public"].items():
            page.goto(url)
            found[name] = axe(page)
        _log_in(page, site["leader_user"])
        for name, url in site["leader"].items():
            page.goto(url)
            if elder:
                assert page.evaluate("document.body.classList.contains('elder')")
            found[name] = axe(page)
    finally:
        context.close()
    # The whole result, per page and impact, for the record (pytest -s shows it).
    summary = {name: {impact: sorted(v["id"] for v in violations if v["impact"] == impact) for impact in ("critical", "serious", "moderate", "minor")} for name, violations in found.items()}
    print(f"\naxe-core ({'长辈模式' if elder else 'normal'}):", json.dumps(summary, ensure_ascii=False, indent=1))
    blocking = {name: [v for v in violations if v["impact"] in BLOCKING] for name, violations in found.items()}
    assert not any(blocking.values()), json.dumps({k: v for k, v in blocking.items() if v}, ensure_ascii=False, indent=1)
