from datetime import timedelta

import factory
from django.utils import timezone

from apps.activities.models import ActivityReport, Campaign
from apps.organizations.models import Node

from .evaluation_factories import eligible_collective
from .factories import UserFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    """This year's open week of 共青团安庆市委, running around today."""

    class Meta:
        model = Campaign

    node = factory.LazyFunction(lambda: Node.objects.get(region_id="340800", kind="league"))
    title = factory.Sequence(lambda n: f"2026年青年文明号开放周{n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))
    report_kinds = ["open_week", "volunteer", "public_service"]
    created_by = factory.SubFactory(UserFactory)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityReport

    collective = factory.LazyFunction(eligible_collective)
    kind = "open_week"
    title = factory.Sequence(lambda n: f"开放日活动{n}")
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    place = "营业厅"
    participants = 10
    beneficiaries = 50
    narrative = "向群众开放营业厅，讲解办事流程。"
    created_by = factory.SelfAttribute("collective.leader_account")
    node_path = factory.SelfAttribute("collective.registering_node.path")
    region = factory.SelfAttribute("collective.region")
    industry = factory.SelfAttribute("collective.industry")
