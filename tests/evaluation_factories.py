"""Factories for rounds, applications and honors (apps/evaluations)."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from apps.evaluations.models import Application, Honor, RubricItem, Round
from apps.organizations.models import Node

from .factories import CollectiveFactory, UserFactory

RUBRIC = [("组织建设", 20), ("岗位建功", 25), ("服务承诺履行", 25), ("创新创效", 15), ("社会影响", 15)]


class RoundFactory(factory.django.DjangoModelFactory):
    """An open city-level round of 安庆 (340800), its window around today, with the default rubric."""

    class Meta:
        model = Round
        skip_postgeneration_save = True

    node = factory.LazyFunction(lambda: Node.objects.get(region_id="340800", kind="league"))
    title = factory.Sequence(lambda n: f"2026年度安庆市青年文明号认定{n}")
    year = 2026
    stage = "open"
    application_opens = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    application_closes = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=20))
    quota = 10
    aspiring_months = 12
    min_recent_reports = 0  # Tests of the activity-report rule set it themselves.
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def rubric(round, create, extracted, **kwargs):
        if create:
            for position, (name, points) in enumerate(extracted or RUBRIC):
                RubricItem.objects.create(round=round, name=name, max_points=points, position=position)


def eligible_collective(**kwargs):
    """A collective registered two years ago in 大观区: eligible for a city round of 安庆."""
    kwargs.setdefault("status", "registered")
    kwargs.setdefault("registered_on", date(timezone.localdate().year - 2, 1, 15))
    kwargs.setdefault("registration_number", factory.Sequence(lambda n: f"340803-2024-{n:05d}"))
    return CollectiveFactory(**kwargs)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True  # `scored` goes through the workflow, which saves what it changes

    round = factory.SubFactory(RoundFactory)
    collective = factory.LazyFunction(eligible_collective)
    status = "draft"
    deeds = "服务群众，创先争优。"
    self_assessment = factory.LazyAttribute(lambda a: {str(item.pk): item.max_points - 2 for item in a.round.rubric_items.all()})

    @factory.post_generation
    def scored(application, create, extracted, **kwargs):
        """`scored=True`: an expert's review submitted through the workflow (a round publishes scored applications only)."""
        if create and extracted:
            score(application)


def score(application, expert=None, points=2):
    """An expert scores the application through the workflow's step: each rubric item its maximum less `points`."""
    from apps.evaluations import workflow
    from apps.evaluations.models import ReviewAssignment

    expert = expert or UserFactory()
    assignment = ReviewAssignment.objects.create(application=application, expert=expert, assigned_by=expert)
    scores = {str(item.pk): item.max_points - points for item in application.round.rubric_items.all()}
    workflow.submit_scores(assignment.pk, expert, scores, "")
    application.refresh_from_db()
    return assignment


class HonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Honor

    application = factory.SubFactory(ApplicationFactory, status="named")
    collective = factory.SelfAttribute("application.collective")
    round = factory.SelfAttribute("application.round")
    level = factory.SelfAttribute("round.node.level")
    year = 2026
    certificate_number = factory.Sequence(lambda n: f"C340800-2026-{n + 1:05d}")
    named_on = factory.LazyFunction(timezone.localdate)
    named_by = factory.SelfAttribute("round.node")
