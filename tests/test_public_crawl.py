"""A crawler over the public site: nothing personal or staff-only on any public page, and no server error (issue 7).

It starts from the home page, the sitemap, robots.txt and the open data, follows every link and image of the site
as an anonymous visitor, and checks every answer against the secrets planted in the data: members' names and
birth dates, the 号长's phone and name, an objector's contact and text, a complainant's contact, the reason a
report was hidden, an internal report, an unresolved complaint.
"""

import re
from collections import deque
from datetime import date, timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.collectives.models import Member
from apps.evaluations.enums import HonorStatus
from apps.evaluations.models import Notice, Objection
from apps.evaluations.workflow import refresh_honor_level

from .activity_factories import ReportFactory
from .evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory, eligible_collective
from .factories import CollectiveFactory, UserFactory
from .supervision_factories import ComplaintFactory

pytestmark = pytest.mark.django_db

MAX_PAGES = 400
SKIP_PREFIXES = ("/static/", "/admin/", "/i18n/")
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")


@pytest.fixture
def site():
    """Public data of every kind, with secrets planted where staff-only and personal data live."""
    cache.clear()
    secrets = []
    today = timezone.localdate()

    named = eligible_collective(name="客户服务中心营业厅", workplace_unit="国网安庆供电公司")
    round = RoundFactory(stage="named", year=2025)
    honor = HonorFactory(application=ApplicationFactory(round=round, status="named", collective=named), year=2025)
    refresh_honor_level(named)
    aspiring = eligible_collective(name="办税服务厅", workplace_unit="国家税务总局安庆市税务局", region_id="340822")
    revoked = eligible_collective(name="被撤销的集体", delisted_on=today - timedelta(days=3))
    HonorFactory(
        application=ApplicationFactory(round=round, status="named", collective=revoked),
        year=2024,
        status=HonorStatus.REVOKED,
        revoked_on=today - timedelta(days=3),
        revocation_reason="不再符合认定条件",
    )
    draft = CollectiveFactory(name="草稿中的集体", status="draft")
    for index, collective in enumerate([named, aspiring, revoked, draft]):
        for number, member in enumerate(Member.objects.filter(collective=collective)):
            member.name = f"隐{'甲乙丙丁'[index]}{'子丑寅卯辰巳'[number]}员"
            member.birth_date = date(1990 + index, 1 + number, 10 + number)
            member.save()
            secrets += [member.name, member.birth_date.isoformat(), f"{member.birth_date:%Y年%-m月%-d日}"]
        leader = collective.leader_account
        secrets += [leader.phone, leader.real_name, leader.email]
    secrets.append("草稿中的集体")

    # Activity reports: a public one, an internal one, one hidden by staff with a reason.
    ReportFactory(collective=named, title="公开的开放日活动")
    ReportFactory(collective=named, title="内部的活动记录", is_public=False)
    ReportFactory(collective=named, title="被隐藏的活动", flagged=True, flag_reason="隐藏理由：照片含未成年人正脸")
    secrets += ["内部的活动记录", "被隐藏的活动", "隐藏理由：照片含未成年人正脸"]

    # A notice, open, with an objection.
    notice_round = RoundFactory(stage="notice")
    contested = ApplicationFactory(round=notice_round, status="notice", collective=aspiring)
    notice = Notice.objects.create(round=notice_round, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=5), published_by=UserFactory())
    Objection.objects.create(notice=notice, application=contested, name="异议人钱某", contact="13677778888", text="异议内容：服务承诺未兑现")
    secrets += ["异议人钱某", "13677778888", "异议内容：服务承诺未兑现"]

    # A complaint about the named post.
    complaint = ComplaintFactory(collective=named, contact="13566667777", name="投诉人孙某", what_happened="投诉内容：窗口推诿扯皮")
    secrets += [complaint.contact, complaint.name, complaint.what_happened]

    return {"secrets": secrets, "start": ["/", "/posts/", "/posts/?q=供电", "/posts/?q=税&province=340000", "/notices/",
            f"/verify/{honor.certificate_number}/", "/verify/NO-SUCH-NUMBER/", "/open-data/", "/open-data/posts.csv",
            "/open-data/posts.json", "/sitemap.xml", "/robots.txt", f"/posts/{revoked.pk}/", f"/rounds/{round.pk}/named.pdf"]}


def links(base, text):
    for match in re.finditer(r'(?:href|src)="([^"#]+)"|<loc>([^<]+)</loc>', text):
        url = urljoin(base, (match.group(1) or match.group(2)).replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc in ("", "testserver") and parts.scheme in ("", "http"):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def test_public_site_crawl(client, site):
    seen, queue, fetched = set(site["start"]), deque(site["start"]), []
    while queue and len(fetched) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        fetched.append((url, response.status_code))
        assert response.status_code < 500, url
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(TEXT_TYPES):
            continue
        text = body.decode("utf-8-sig", errors="replace")
        for secret in site["secrets"]:
            assert secret not in text, f"{secret!r} on {url}"
        for link in links(url, text):
            if link not in seen and not link.startswith(SKIP_PREFIXES):
                seen.add(link)
                queue.append(link)
    kinds = {re.sub(r"\d+", "N", url.split("?")[0]) for url, status in fetched if status == 200}
    for kind in ["/", "/posts/", "/posts/N/", "/posts/N/qr.png", "/posts/N/poster.pdf", "/posts/N/reports/N/", "/notices/",
                 "/notices/N/", "/verify/CN-N-N/", "/open-data/", "/open-data/posts.csv", "/open-data/posts.json",
                 "/sitemap.xml", "/sitemap-posts.xml", "/robots.txt"]:  # fmt: skip
        assert kind in kinds, kind
