from datetime import date

import factory
from django.utils import timezone

from apps.accounts.models import User
from apps.collectives.models import Collective, Member
from apps.organizations.models import Industry, Membership, Node, Region

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"用户{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    node = factory.LazyFunction(lambda: Node.objects.get(region_id="340803", kind="league"))
    role = "reviewer"


class CollectiveFactory(factory.django.DjangoModelFactory):
    """A complete collective in 大观区, 安庆 (340803) with six members, four of them young."""

    class Meta:
        model = Collective
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"营业厅青年班组{n}")
    workplace_unit = "国网安庆供电公司"
    industry = factory.LazyFunction(lambda: Industry.objects.get(code="power"))
    region = factory.LazyFunction(lambda: Region.objects.get(code="340803"))
    address = "安庆市大观区德宽路1号"
    registering_node = factory.LazyAttribute(lambda c: Node.objects.get(region=c.region, kind="league"))
    leader_account = factory.SubFactory(UserFactory)
    service_promises = "微笑服务，文明用语\n首问负责，一次告知"
    supervision_phone = "0556-5551234"
    pledge_accepted_at = factory.LazyFunction(timezone.now)
    status = "draft"

    @factory.post_generation
    def members(collective, create, extracted, **kwargs):
        if not create:
            return
        births = extracted or [date(1995, 5, 1), date(1998, 3, 2), date(1999, 7, 8), date(2000, 1, 1), date(1980, 2, 3), date(1975, 6, 6)]
        for index, birth_date in enumerate(births):
            MemberFactory(collective=collective, birth_date=birth_date, is_leader=index == 0)
        collective.member_count = len(births)
        collective.save(update_fields=["member_count"])


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    collective = factory.SubFactory(CollectiveFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    birth_date = date(1996, 4, 5)
    position = "客户经理"
    is_leader = False
