"""The key pages `make bench` measures, found in the seeded database (seed_scale's fixed accounts), and the number
of queries each makes per request, counted in process with Django's test client."""

import random
from dataclasses import dataclass
from urllib.parse import quote

from apps.benchmarks.accounts import COUNTY_REVIEWER as COUNTY
from apps.benchmarks.accounts import NATIONAL_ADMIN as NATIONAL
from apps.benchmarks.accounts import PROVINCIAL_ADMIN as PROVINCE

POST_PAGES = 500  # posts visited again and again (cached after their first view)
FIRST_VIEWS = 10000  # posts and directory pages opened once each (more than 12 s take): every one rendered, as when a crawler walks them


@dataclass
class Page:
    label: str
    urls: list
    user: str | None = None  # None: anonymous, compared with the public floor
    once: bool = False  # each URL once (not yet cached) rather than round and round


def key_pages():
    from apps.collectives.models import Collective
    from apps.directory.queries import PAGE_SIZE

    rng = random.Random(1)
    public = Collective.objects.public()
    sample = list(public.order_by("?").values_list("pk", flat=True)[: POST_PAGES + FIRST_VIEWS])
    rng.shuffle(sample)
    last_page = max(2, -(-public.count() // PAGE_SIZE))
    deep = [f"/posts/?page={n}" for n in range(2, last_page + 1)]
    rng.shuffle(deep)
    pages = [
        Page("home /", ["/"]),
        Page("directory /posts/", ["/posts/"]),
        Page("directory, region filter", ["/posts/?province=340000", "/posts/?province=340000&city=340800", "/posts/?province=440000"]),
        Page("directory ?q=供电", ["/posts/?q=" + quote("供电")]),
        Page("directory, deep pages not yet cached", deep[:FIRST_VIEWS], once=True),
        Page("post page /posts/<id>/", [f"/posts/{pk}/" for pk in sample[:POST_PAGES]]),
        Page("post page, not yet cached (stored page)", [f"/posts/{pk}/" for pk in sample[POST_PAGES:]], once=True),
        Page("notices /notices/", ["/notices/"]),
        Page("statistics /stats/", ["/stats/"]),
    ]
    for user, who in ((COUNTY, "county"), (PROVINCE, "province"), (NATIONAL, "national")):
        pages += [
            Page(f"registrations queue, {who}", ["/workbench/registrations/"], user),
            Page(f"applications queue, {who}", ["/workbench/applications/"], user),
        ]
    pages += [page for page in (score_table(), campaign_progress()) if page]
    pages += [
        Page("workbench statistics, province", ["/workbench/stats/"], PROVINCE),
        Page("activities roll-up, province", ["/workbench/activities/"], PROVINCE),
        Page("staff list, national", ["/workbench/staff/"], NATIONAL),
    ]
    return pages


def _admin_node(username):
    from apps.organizations.models import Membership

    membership = Membership.objects.filter(user__username=username, role="admin").select_related("node").first()
    return membership.node if membership else None


def score_table():
    """The score table of the round with the most applications in review or later, seen by its admin."""
    from django.db.models import Count

    from apps.evaluations.enums import RoundStage
    from apps.evaluations.models import Round

    for username in (NATIONAL, PROVINCE):
        node = _admin_node(username)
        round = (
            Round.objects.filter(node=node, stage__in=[RoundStage.REVIEW, RoundStage.NOTICE, RoundStage.NAMED])
            .annotate(size=Count("applications")).order_by("-size").first()
        )  # fmt: skip
        if round:
            return Page(f"round score table ({round.size:,} applications)", [f"/workbench/rounds/{round.pk}/"], username)
    return None


def campaign_progress():
    """The progress page of the campaign of the province's or the national committee with the most reports."""
    from django.db.models import Count

    from apps.activities.models import Campaign

    for username in (PROVINCE, NATIONAL):
        campaign = Campaign.objects.filter(node=_admin_node(username)).annotate(size=Count("reports")).order_by("-size").first()
        if campaign:
            return Page(f"campaign progress ({campaign.size:,} reports)", [f"/workbench/campaigns/{campaign.pk}/"], username)
    return None


def count_queries(page):
    """Queries of one request to the page's first URL: with the cache empty, then filled."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if page.user:
        client.force_login(get_user_model().objects.get(username=page.user))
    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            status = client.get(page.urls[0]).status_code
        if status != 200:
            raise RuntimeError(f"{page.label}: HTTP {status} for {page.urls[0]} as {page.user or 'anonymous'}")
        counts.append(len(captured))
    return tuple(counts)
