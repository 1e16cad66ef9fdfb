"""The public pages are served from caches (post pages, statistics, home, directory): every change a visitor must see
at once reaches pages already cached, through HTTP as people act, and a cached page costs a constant, small number
of queries."""

import io
import re
from datetime import timedelta
from io import StringIO

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.activities.models import ReportPhoto
from apps.collectives.models import Collective
from apps.evaluations.models import Notice
from apps.evaluations.workflow import refresh_honor_level

from .activity_factories import ReportFactory
from .conftest import committee
from .documents import flat, pdftotext
from .evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory, eligible_collective
from .factories import MembershipFactory


@pytest.fixture
def honour(db):
    """A city title of 安庆, named three years ago, with a public report."""
    honor = HonorFactory(named_on=timezone.localdate() - timedelta(days=3 * 365), level="city")
    refresh_honor_level(honor.collective)  # as the naming does
    ReportFactory(collective=honor.collective, title="开放日活动")
    return honor


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        page(client, url, **params)
    return len(captured)


def city_titles(client):
    """The city titles the national statistics count (the first cell of the city column)."""
    return client.get(reverse("stats:public")).context["posts"]["totals"]["counts"][2]


def test_a_revocation_reaches_every_public_page_already_cached(client, login, honour):
    collective = honour.collective
    call_command("refresh_stats", stdout=StringIO())  # the scheduler's sweep
    assert collective.name in page(client, "/") and "市级青年文明号" in page(client, collective.get_absolute_url())
    assert city_titles(client) == 1
    assert queries(client, collective.get_absolute_url()) == 0  # cached

    admin = MembershipFactory(role="admin", node=committee("340800")).user
    login(admin).post(reverse("rechecks:revoke", args=[honour.pk]), {"reason": "群众投诉查实，情节严重", "reference": "团安委〔2026〕12号", "confirmed": "1"})
    client.logout()

    post_page = page(client, collective.get_absolute_url())
    assert "称号已于" in post_page and "市级青年文明号" not in post_page
    assert collective.name not in page(client, "/")
    assert "撤销" in page(client, reverse("evaluations:verify", args=[honour.certificate_number]))
    # The statistics show what the committees' snapshots hold: recomputed after the revocation (the recomputation
    # of the committees concerned, or the sweep), the page follows at once, its cached tables with it.
    call_command("refresh_stats", stdout=StringIO())
    assert city_titles(client) == 0


def test_a_post_page_already_cached_shows_new_reports_photos_hours_and_promises(client, honour):
    collective = honour.collective
    url = collective.get_absolute_url()
    assert "开放日活动" in page(client, url)
    report = ReportFactory(collective=collective, title="志愿服务进社区", kind="volunteer", volunteer_hours=6)
    assert "志愿服务进社区" in page(client, url) and "累计志愿服务 6" in page(client, url)
    photo = ReportPhoto.objects.create(report=report, image="reports/a.jpg", thumbnail="reports/a-thumb.jpg")
    assert reverse("activities:photo_thumb", args=[photo.pk]) in page(client, url)
    collective.service_promises = "首问负责，一次办好"
    collective.save()
    assert "首问负责，一次办好" in page(client, url)
    honour.star_grade = 3
    honour.save()
    assert "三星级" in page(client, url)
    honour.star_grade = 2
    honour.save()  # a star lowered
    lowered = page(client, url)
    assert "二星级" in lowered and "三星级" not in lowered
    assert queries(client, url) == 0


def test_a_post_that_leaves_the_public_lists_loses_its_cached_page(client, db):
    collective = eligible_collective()
    url = collective.get_absolute_url()
    page(client, url)
    collective.status = "draft"
    collective.save()
    assert client.get(url).status_code == 404
    other = eligible_collective()
    page(client, other.get_absolute_url())
    pk = other.pk
    other.delete()
    assert client.get(reverse("collectives:public_page", args=[pk])).status_code == 404


def test_cached_public_pages_cost_few_queries_whatever_the_data(client, honour):
    """At small size, as the benchmark measures at national size (make bench, bench/run.py): cold, then cached."""
    call_command("refresh_stats", stdout=StringIO())
    urls = ["/", reverse("directory:directory"), honour.collective.get_absolute_url(), reverse("stats:public"), reverse("evaluations:notice_list")]

    def counts():
        for url in urls:
            page(client, url)  # renders and caches what the page caches
        return [queries(client, url) for url in urls]

    few = counts()
    for index in range(5):
        named = HonorFactory(level="county", year=2020 + index).collective
        ReportFactory(collective=named)
    call_command("refresh_stats", stdout=StringIO())
    assert counts() == few
    # Every one from the cache, read without a query (the versions and the content are in the cache).
    assert few == [0, 0, 0, 0, 0]


def publish_notice():
    """A notice of a round of 安庆, open for another five days (as the workflow publishes it)."""
    round = RoundFactory(stage="notice")
    return Notice.objects.create(round=round, opens_on=timezone.localdate(), closes_on=timezone.localdate() + timedelta(days=5), published_by=round.created_by)


def test_cached_public_pages_cost_few_queries_when_nothing_is_cached(client, honour):
    """What a page costs when it is rendered (the cache emptied, the statistics' snapshot recent), then read again."""
    call_command("refresh_stats", stdout=StringIO())
    publish_notice()
    # Home: the notices, the newest posts and their titles (read only when one of them holds a title, as the one
    # here does), both figures from the counters; notices: the count, the page and its entries; statistics: the
    # national committee, its snapshot's time and its figures.
    for url, cold in (("/", 4), (reverse("evaluations:notice_list"), 3), (reverse("stats:public"), 3)):
        cache.clear()
        assert (queries(client, url), queries(client, url)) == (cold, 0), url


def test_a_notice_published_withdrawn_and_named_reaches_the_cached_lists_at_once(client, login, db):
    round = RoundFactory(stage="review")
    first, second = (ApplicationFactory(round=round, status="review", proposed=True, scored=True) for _ in range(2))
    notices = reverse("evaluations:notice_list")
    assert round.title not in page(client, "/") and round.title not in page(client, notices)
    assert queries(client, "/") == queries(client, notices) == 0  # both cached

    admin = MembershipFactory(role="admin", node=round.node).user
    login(admin).post(reverse("evaluations:round_transition", args=[round.pk, "publish"]))
    notice = round.notice
    client.logout()
    assert round.title in page(client, "/") and "公示中" in page(client, "/")
    assert round.title in page(client, notices) and "2 个集体" in page(client, notices)

    client.post(notice.get_absolute_url(), {"application": second.pk, "contact": "13912345678", "text": "服务态度差"})
    login(admin).post(reverse("evaluations:objection_resolve", args=[notice.objections.get().pk]), {"decision": "uphold", "reason": "经核实属实"})
    client.logout()
    assert "1 个集体" in page(client, notices)  # the entry withdrawn

    notice.closes_on = timezone.localdate() - timedelta(days=1)
    notice.save()
    assert "公示中" not in page(client, "/")  # the notice period is over
    login(admin).post(reverse("evaluations:round_transition", args=[round.pk, "name"]))
    client.logout()
    assert first.collective.name in page(client, "/")  # recently named
    assert "1 个集体" in page(client, notices)

    honor = first.collective.honors.get()
    login(admin).post(reverse("rechecks:revoke", args=[honor.pk]), {"reason": "群众投诉查实，情节严重", "reference": "团安委〔2026〕12号", "confirmed": "1"})
    client.logout()
    assert "0 个集体" in page(client, notices)  # a revoked title is no longer an entry of the list
    assert first.collective.name not in page(client, "/")


def test_a_renamed_committee_reaches_the_cached_statistics_and_notices_at_once(client, honour):
    call_command("refresh_stats", stdout=StringIO())
    publish_notice()
    anqing = committee("340800")
    stats, notices = f"{reverse('stats:public')}?node={anqing.pk}", reverse("evaluations:notice_list")
    assert anqing.name in page(client, stats) and anqing.name in page(client, notices)

    anqing.name = "共青团安庆市委（更名）"
    anqing.save()
    assert "共青团安庆市委（更名）" in page(client, stats) and "共青团安庆市委（更名）" in page(client, notices)


def home_figures(client):
    """The home page's figures: named posts, collectives taking part."""
    figures = page(client, "/").split('class="stats home-counts"')[1].split("</dl>")[0]
    return [int(number) for number in re.findall(r"<dd>(\d+)</dd>", figures)]


def counted():
    return [Collective.objects.named().count(), Collective.objects.public().count()]


def test_the_home_figures_follow_registrations_namings_revocations_and_dissolutions(client, login, staff_user, submitted):
    round = RoundFactory(stage="review")
    first, second = (ApplicationFactory(round=round, status="review", proposed=True, scored=True) for _ in range(2))
    eligible_collective(status="draft")  # not on the lists
    assert home_figures(client) == counted() == [0, 2]

    reviewer = login(staff_user("reviewer", "340803"))
    reviewer.post(reverse("collectives:staff_approve", args=[submitted.pk]), {"confirmed": "1"})
    assert home_figures(client) == counted() == [0, 3]

    admin = login(MembershipFactory(role="admin", node=round.node).user)
    admin.post(reverse("evaluations:round_transition", args=[round.pk, "publish"]))
    notice = round.notice
    notice.closes_on = timezone.localdate() - timedelta(days=1)
    notice.save()
    admin.post(reverse("evaluations:round_transition", args=[round.pk, "name"]))
    assert home_figures(client) == counted() == [2, 3]

    admin.post(reverse("rechecks:revoke", args=[first.collective.honors.get().pk]), {"reason": "群众投诉查实，情节严重", "reference": "团安委〔2026〕12号", "confirmed": "1"})
    assert home_figures(client) == counted() == [1, 2]  # delisted

    reviewer = login(staff_user("reviewer", "340803"))
    reviewer.post(reverse("collectives:staff_dissolve", args=[second.collective.pk]), {"comment": "班组已撤销", "confirmed": "1"})
    assert home_figures(client) == counted() == [0, 1]
    call_command("rebuild_status_counts", stdout=StringIO())  # the recount agrees with what the triggers kept
    assert home_figures(client) == counted() == [0, 1]


def download(client, url):
    """The file and the statements that served it."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content), [query["sql"] for query in captured.captured_queries]


def listed_statuses(xlsx):
    """{collective name: status} of a named list workbook (below its heading and column titles)."""
    rows = openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(min_row=3, values_only=True)
    return {row[2]: row[8] for row in rows}


def test_a_named_list_is_built_once_then_follows_a_revocation_and_a_rename_at_once(client, login, db):
    round = RoundFactory(stage="named")
    honors = [HonorFactory(application=ApplicationFactory(round=round, status="named", collective=eligible_collective())) for _ in range(3)]
    xlsx, pdf = (reverse(f"evaluations:named_list_{fmt}", args=[round.pk]) for fmt in ("xlsx", "pdf"))
    for url in (xlsx, pdf):
        first, _ = download(client, url)
        second, statements = download(client, url)
        assert second == first
        assert len(statements) == 1 and "evaluations_honor" not in statements[0]  # the round only: no title read
    assert set(listed_statuses(download(client, xlsx)[0]).values()) == {"有效"}

    revoked = honors[0]
    admin = MembershipFactory(role="admin", node=round.node).user
    login(admin).post(reverse("rechecks:revoke", args=[revoked.pk]), {"reason": "群众投诉查实，情节严重", "reference": "团安委〔2026〕12号", "confirmed": "1"})
    client.logout()
    assert listed_statuses(download(client, xlsx)[0])[revoked.collective.name] == "已撤销"

    renamed = honors[1].collective
    renamed.name = "营业厅青年班组（更名）"
    renamed.save()
    assert "营业厅青年班组（更名）" in listed_statuses(download(client, xlsx)[0])
    assert "营业厅青年班组（更名）" in flat(pdftotext(download(client, pdf)[0]))
