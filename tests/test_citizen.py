"""Issue 14 through HTTP: the citizen's home page and lookups, anonymous complaints, the 号长's to-dos on /my/,
长辈模式, and the phone layout's markup (cards' data-label, the directory's folding filter)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.complaints.models import Complaint, ComplaintStatus, WarningKind
from apps.evaluations.models import Notice
from tests.activity_factories import CampaignFactory
from tests.conftest import committee
from tests.evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory, eligible_collective
from tests.factories import CollectiveFactory, UserFactory
from tests.supervision_factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def named_post(**kwargs):
    honor = HonorFactory(**kwargs)
    honor.collective.refresh_from_db()  # with the naming date the honour's signal wrote
    honor.collective.honor_level = honor.level
    honor.collective.save()
    return honor


def notice(opens, closes, **round_kwargs):
    round = RoundFactory(stage="notice", **round_kwargs)
    return Notice.objects.create(round=round, opens_on=opens, closes_on=closes, published_by=UserFactory())


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# 1. Home and navigation ------------------------------------------------------------------------------


def test_navigation_offers_notices_verification_and_complaint_tracking(client):
    page = client.get(reverse("directory:directory")).content.decode()
    for url, text in [
        (reverse("evaluations:notice_list"), "公示公告"),
        (reverse("evaluations:verify_lookup"), "证书查验"),
        (reverse("complaints:track_lookup"), "投诉进度查询"),
    ]:
        assert f'<a href="{url}">{text}</a>' in page


def test_home_shows_the_lookup_boxes_named_posts_current_notices_and_counts(client):
    today = timezone.localdate()
    honor = named_post()
    aspiring = eligible_collective(name="只是争创的集体")
    past = notice(today - timedelta(days=40), today - timedelta(days=30), title="2025年度旧公示")
    current = notice(today - timedelta(days=1), today + timedelta(days=4), title="2026年度正在公示")
    page = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("evaluations:verify_lookup")}"' in page and 'name="number"' in page
    assert f'action="{reverse("complaints:track_lookup")}"' in page and 'name="code"' in page
    assert honor.collective.name in page and honor.title in page
    assert aspiring.name not in page  # the named posts, not the newest registrations
    assert page.index(current.round.title) < page.index(past.round.title)  # current notices first
    assert "公示中" in page
    assert "<dt>已命名青年文明号</dt><dd>1</dd>" in page.replace("\n", "") or ">1<" in page
    assert "<dd>2</dd>" in page  # two public collectives


def test_home_counts_change_the_moment_a_post_is_named(client):
    eligible_collective()
    client.get(reverse("home"))
    honor = named_post()
    page = client.get(reverse("home")).content.decode()
    assert honor.collective.name in page


def test_home_named_posts_are_cached_per_language(client):
    named_post()
    assert "市级青年文明号" in client.get(reverse("home")).content.decode()
    english = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True).content.decode()
    assert 'lang="en"' in english and "市级青年文明号" not in english


def test_home_queries_do_not_grow_with_posts_or_notices(client):
    today = timezone.localdate()
    named_post()
    notice(today, today + timedelta(days=5))
    few = _queries(client, reverse("home"))
    for _ in range(5):
        named_post()
        notice(today, today + timedelta(days=5))
    assert _queries(client, reverse("home")) <= few
    assert _queries(client, reverse("home")) <= 3  # cached: the session-free page reads only the notices


def test_notice_list_shows_current_notices_first(client):
    today = timezone.localdate()
    old = notice(today - timedelta(days=60), today - timedelta(days=50))
    newer_past = notice(today - timedelta(days=20), today - timedelta(days=10))
    current = notice(today - timedelta(days=30), today + timedelta(days=2))
    page = client.get(reverse("evaluations:notice_list")).content.decode()
    assert page.index(current.round.title) < page.index(newer_past.round.title) < page.index(old.round.title)


def test_verify_without_a_number_shows_the_form_and_the_form_leads_to_the_number(client):
    honor = HonorFactory()
    page = client.get(reverse("evaluations:verify_lookup"))
    assert page.status_code == 200 and 'name="number"' in page.content.decode()
    response = client.get(reverse("evaluations:verify_lookup"), {"number": f"  {honor.certificate_number.lower()} "})
    assert response.status_code == 302 and response.url == reverse("evaluations:verify", args=[honor.certificate_number.lower()])
    assert "该证书真实有效" in client.get(response.url).content.decode()  # typed in small letters: still found


def test_verify_tidies_full_width_characters(client):
    honor = HonorFactory()
    full_width = honor.certificate_number.replace("-", "－").replace("C", "Ｃ")
    response = client.get(reverse("evaluations:verify_lookup"), {"number": full_width})
    assert response.url == reverse("evaluations:verify", args=[honor.certificate_number])


@pytest.mark.parametrize("typed", ["", "   ", "C340800/2026", "x" * 80])
def test_verify_refuses_what_cannot_be_a_number_with_a_message(client, typed):
    response = client.get(reverse("evaluations:verify_lookup"), {"number": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errorlist' in page and ("请输入编号" in page or "不是有效的编号" in page or "不超过" in page)


def test_verification_failure_says_what_to_check_before_reporting_with_the_committee_contact(client):
    anqing = committee("340800")
    anqing.contact_phone = "0556-5550000"
    anqing.save()
    page = client.get(reverse("evaluations:verify", args=["C340800-2026-77777"]))
    assert page.status_code == 404
    text = page.content.decode()
    assert text.index("输入是否有误") < text.index("编号格式是否正确") < text.index("可能系伪造")
    assert anqing.name in text and "0556-5550000" in text
    assert "不符合这一格式" not in text
    badly_formed = client.get(reverse("evaluations:verify", args=["ANQ-2026-1"])).content.decode()
    assert "不符合这一格式" in badly_formed and "可能系伪造" in badly_formed


def test_complaints_without_a_code_show_the_form_and_lead_to_the_code(client):
    complaint = ComplaintFactory()
    assert 'name="code"' in client.get(reverse("complaints:track_lookup")).content.decode()
    response = client.get(reverse("complaints:track_lookup"), {"code": complaint.tracking_code.lower()})
    assert response.url == reverse("complaints:track", args=[complaint.tracking_code])
    missing = client.get(reverse("complaints:track", args=["ZZZZZZZZZZ"]))
    assert missing.status_code == 404 and "未找到查询码" in missing.content.decode() and 'name="code"' in missing.content.decode()


# 2. Anonymous complaints -----------------------------------------------------------------------------


def test_a_complaint_may_be_anonymous_and_is_followed_by_its_code(client):
    collective = eligible_collective()
    form = client.get(reverse("complaints:complain", args=[collective.pk])).content.decode()
    assert "不填写则组委会无法回访您" in form
    response = client.post(
        reverse("complaints:complain", args=[collective.pk]),
        {"what_happened": "窗口无人值守。", "happened_on": (timezone.localdate() - timedelta(days=1)).isoformat(), "contact": "", "name": ""},
    )
    complaint = Complaint.objects.get(collective=collective)
    assert response.status_code == 302 and complaint.contact == ""
    page = client.get(reverse("complaints:track_lookup"), {"code": complaint.tracking_code}, follow=True).content.decode()
    assert complaint.tracking_code in page and "已受理" in page or complaint.get_status_display() in page


def test_a_contact_when_given_is_still_checked(client):
    collective = eligible_collective()
    response = client.post(
        reverse("complaints:complain", args=[collective.pk]),
        {"what_happened": "窗口无人值守。", "happened_on": (timezone.localdate() - timedelta(days=1)).isoformat(), "contact": "nobody"},
    )
    assert response.status_code == 200 and not Complaint.objects.exists()


# 3. The 号长's to-dos ---------------------------------------------------------------------------------


@pytest.fixture
def busy_leader():
    """A 号长 with a returned registration, a named collective owing a statement, a rectification, last year's
    summary and a campaign report, and an aspiring collective eligible for an open round."""
    from apps.complaints.models import Warning

    leader = UserFactory()
    CollectiveFactory(leader_account=leader, status="returned", name="被退回的集体")
    honor = named_post(
        application=ApplicationFactory(status="named", collective=eligible_collective(leader_account=leader, name="已命名的集体")),
        named_on=timezone.localdate() - timedelta(days=500),
        star_grade=None,
    )
    named = honor.collective
    ComplaintFactory(collective=named, status=ComplaintStatus.AWAITING_STATEMENT)
    Warning.objects.create(
        collective=named, kind=WarningKind.RECTIFICATION, reason="服务不规范", required_changes="规范窗口服务用语",
        deadline=timezone.localdate() + timedelta(days=20), issued_by=UserFactory(),
    )
    CampaignFactory(title="2026年开放周（测试）", includes_aspiring=True)
    eligible_collective(leader_account=leader, name="符合条件的争创集体")
    RoundFactory(title="2026年度安庆市青年文明号认定（测试）")
    return leader


def test_my_starts_with_the_leaders_todos(login, busy_leader):
    page = login(busy_leader).get(reverse("collectives:my")).content.decode()
    todos = page[page.index('id="todo-heading"') : page.index("我的集体</h2>")]
    for text in ["被退回的集体", "作出说明", "规范窗口服务用语", f"{timezone.localdate().year - 1}年度总结", "2026年开放周（测试）", "2026年度安庆市青年文明号认定（测试）"]:
        assert text in todos, text


def test_my_shows_the_real_title_instead_of_the_aspiring_badge(login, busy_leader):
    page = login(busy_leader).get(reverse("collectives:my")).content.decode()
    card = page[page.index("已命名的集体</a></h3>") :].split("</article>")[0]
    assert "市级青年文明号" in card and "争创集体" not in card


def test_my_todos_cost_the_same_whatever_the_number_of_collectives(login, busy_leader):
    client = login(busy_leader)
    few = _queries(client, reverse("collectives:my"))
    for n in range(3):
        eligible_collective(leader_account=busy_leader, name=f"又一个争创集体{n}")
        CollectiveFactory(leader_account=busy_leader, status="returned")
    assert _queries(client, reverse("collectives:my")) == few


def test_a_leader_sees_only_the_todos_of_their_own_collectives(login, busy_leader):
    other = UserFactory()
    CollectiveFactory(leader_account=other, status="submitted")
    page = login(other).get(reverse("collectives:my")).content.decode()
    for text in ["被退回的集体", "已命名的集体", "规范窗口服务用语", "2026年开放周（测试）"]:
        assert text not in page, text


def test_the_todos_lead_to_pages_the_leader_may_open(login, busy_leader):
    from apps.workbench.workspace import todos

    client = login(busy_leader)
    request = client.get(reverse("collectives:my")).wsgi_request
    from apps.collectives.models import Collective

    for todo in todos(request, Collective.objects.filter(leader_account=busy_leader).prefetch_related("honors"), timezone.localdate()):
        assert client.get(todo.url.split("#")[0]).status_code == 200, todo.url


def test_a_leader_with_nothing_to_do_is_told_so(login):
    leader = UserFactory()
    CollectiveFactory(leader_account=leader, status="submitted")
    assert "目前没有待办事项" in login(leader).get(reverse("collectives:my")).content.decode()


# 5. Phone first ------------------------------------------------------------------------------------


def test_tables_carry_the_labels_their_cards_show_on_a_phone(client):
    today = timezone.localdate()
    notice_ = notice(today, today + timedelta(days=5))
    ApplicationFactory(round=notice_.round, status="notice")
    page = client.get(notice_.get_absolute_url()).content.decode()
    assert '<table class="stack">' in page and 'data-label="所在单位"' in page


def test_the_directory_filter_folds_into_one_button_without_script(client):
    eligible_collective()
    page = client.get(reverse("directory:directory")).content.decode()
    assert '<details class="filter-fold">' in page and "<summary" in page
    filtered = client.get(reverse("directory:directory"), {"province": "340000"}).content.decode()
    assert '<details class="filter-fold" open>' in filtered


# 8. 长辈模式 ---------------------------------------------------------------------------------------------


def test_large_text_mode_is_remembered_for_the_visitor(client):
    page = client.get(reverse("home")).content.decode()
    assert 'name="elder" value="1"' in page and 'class="elder"' not in page
    response = client.post(reverse("display_mode"), {"elder": "1", "next": reverse("directory:directory")})
    assert response.status_code == 302 and response.url == reverse("directory:directory")
    assert response.cookies["elder"].value == "1"
    page = client.get(reverse("home")).content.decode()
    assert '<body class="elder">' in page and 'name="elder" value="0"' in page
    client.post(reverse("display_mode"), {"elder": "0", "next": "/"})
    assert '<body class="elder">' not in client.get(reverse("home")).content.decode()


def test_large_text_mode_never_redirects_elsewhere(client):
    response = client.post(reverse("display_mode"), {"elder": "1", "next": "https://evil.example/"})
    assert response.url == "/"
    assert client.get(reverse("display_mode")).status_code == 405


def test_the_stylesheet_makes_large_text_readable_and_still(client):
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/site.css"), encoding="utf-8").read()
    elder = css[css.index("body.elder {") :]
    assert "font-size: 20px" in elder and "line-height: 1.75" in elder and "animation: none" in elder


def test_the_header_and_pages_have_no_inline_script_or_style(client):
    page = client.get(reverse("home")).content.decode()
    assert "<script>" not in page and " style=" not in page and "<style" not in page
