from datetime import timedelta

import factory
from django.utils import timezone

from apps.complaints.models import Complaint

from .evaluation_factories import eligible_collective


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    collective = factory.LazyFunction(eligible_collective)
    node = factory.SelfAttribute("collective.registering_node")
    what_happened = "窗口工作人员态度生硬，推诿扯皮。"
    happened_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
    contact = "13911112222"
    name = "赵投诉"
