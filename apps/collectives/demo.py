"""Demo data for trying the portal: the committee tree, one account per role, and collectives in every state.

Called by `manage.py seed_demo` (civpost/management/commands/seed_demo.py), inside its transaction.
Idempotent: accounts and collectives are matched by username and by (unit, name); running it twice
leaves the same data. The accounts are listed in README.md.
"""

import random
from datetime import date, timedelta

from apps.accounts.models import User
from apps.collectives import workflow
from apps.collectives.models import Collective, Member, Status
from apps.organizations.enums import NodeKind, Role
from apps.organizations.models import Industry, Membership, Node, NumberSequence, Region
from apps.organizations.tree import load_tree

DEMO_PASSWORD = "civpost-demo"

# username, real name, phone, committee (region code, or industry unit name), role
STAFF = [
    ("national_admin", "全国组委会管理员", "13900000001", "100000", Role.ADMIN),
    ("ah_admin", "安徽团省委管理员", "13900000002", "340000", Role.ADMIN),
    ("ah_expert", "省级评审专家", "13900000003", "340000", Role.EXPERT),
    ("aq_reviewer", "安庆团市委审核员", "13900000004", "340800", Role.REVIEWER),
    ("aq_viewer", "安庆团市委查看员", "13900000005", "340800", Role.VIEWER),
    ("dg_reviewer", "大观团区委审核员", "13900000006", "340803", Role.REVIEWER),
    ("hn_reviewer", "怀宁团县委审核员", "13900000007", "340822", Role.REVIEWER),
    ("power_reviewer", "国网安庆供电公司团委审核员", "13900000008", "国网安庆供电公司", Role.REVIEWER),
]
LEADER = ("leader", "王晓明", "13800000001")

UNITS = [
    ("安庆市立医院", "health", "急诊科护理组"),
    ("安庆市公安局", "public-security", "110报警服务台"),
    ("国家税务总局安庆市税务局", "taxation", "第一税务分局办税服务厅"),
    ("国网安庆供电公司", "power", "客户服务中心营业厅"),
    ("安庆市公共交通有限公司", "transport", "1路公交车队"),
    ("中国邮政集团安庆市分公司", "postal", "人民路邮政支局"),
    ("安庆农商银行", "finance", "营业部"),
    ("安庆市自来水公司", "water", "客户服务热线班组"),
]
COUNTIES = ["340802", "340803", "340811", "340822", "340825", "340881", "340882"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "晓明丽华伟芳娜敏静强磊军洋勇艳杰涛超秀英浩宇欣怡子涵梓萱"
PROMISES = "微笑服务，文明用语\n首问负责，一次告知\n限时办结，不让群众跑第二趟"
# How many collectives of each state per county, before the leader's own.
STATE_MIX = [Status.REGISTERED, Status.REGISTERED, Status.SUBMITTED, Status.RETURNED, Status.DRAFT]
# Registered demo collectives are dated back to 2024, so they have served the 12 months as aspiring
# collectives that the demo naming rounds (apps/evaluations/demo.py) ask for.
REGISTRATION_YEAR = 2024


def seed_collectives(stdout):
    """The committee tree, the staff accounts, the 号长 accounts and their collectives."""
    load_tree()
    rng = random.Random(2026)
    user("admin", "系统管理员", "13900000000", is_staff=True, is_superuser=True)
    for account in STAFF:
        staff_account(*account)
    reviewers = {"340803": User.objects.get(username="dg_reviewer"), "340822": User.objects.get(username="hn_reviewer")}
    city_reviewer = User.objects.get(username="aq_reviewer")
    leader = user(*LEADER)
    created = 0
    created += _collective(
        rng, leader, "国网安庆供电公司", "power", "大观区营业厅青年班组", "340803", Status.REGISTERED, city_reviewer, date(2024, 1, 15)
    )
    created += _collective(rng, leader, "安庆市立医院", "health", "儿科门诊护理组", "340803", Status.RETURNED, city_reviewer)
    for county_index, county in enumerate(COUNTIES):
        owner = user(f"leader_{county}", f"号长{county}", f"1370000{county[-4:]}")
        for state_index, state in enumerate(STATE_MIX):
            unit, industry, team = UNITS[(county_index + state_index) % len(UNITS)]
            region = Region.objects.get(code=county)
            name = f"{region.name}{team}"
            reviewer = reviewers.get(county, city_reviewer)
            registered_on = date(REGISTRATION_YEAR, 1 + (county_index + state_index) % 4, 5 + 3 * county_index)
            created += _collective(
                rng, owner, f"{unit}{region.name}分支", industry, name, county, state, reviewer, registered_on
            )
    # Created after the others so that their random members stay what they were before it existed.
    created += _collective(
        rng, leader, "安庆市公共交通有限公司", "transport", "大观区青年示范线路车队", "340803", Status.REGISTERED,
        reviewers["340803"], date(2024, 3, 12),
    )
    stdout.write(f"Collectives: {created} created, {Collective.objects.count()} in all.")


def user(username, real_name, phone, **flags):
    account, created = User.objects.get_or_create(
        username=username, defaults={"real_name": real_name, "phone": phone, "email": f"{username}@example.com", **flags}
    )
    if created:
        account.set_password(DEMO_PASSWORD)
        account.save()
    return account


def staff_account(username, real_name, phone, committee_key, role):
    """A demo account with one membership of `role` at the committee (region code or industry unit name)."""
    account = user(username, real_name, phone)
    Membership.objects.current().get_or_create(user=account, node=committee(committee_key), role=role)
    return account


def committee(key):
    if key.isdigit():
        return Node.objects.get(region_id=key, kind=NodeKind.LEAGUE_COMMITTEE)
    return Node.objects.get(name=key, kind=NodeKind.INDUSTRY_UNIT)


def _collective(rng, owner, unit, industry, name, county, state, reviewer, registered_on=None):
    """Create the collective in `state` through the registration workflow; 1 if created, 0 if it existed."""
    existing = Collective.objects.filter(workplace_unit=unit, name=name).first()
    if existing:
        # Data seeded before registrations were dated back: date it back once, like a fresh seed would.
        if registered_on and existing.status == Status.REGISTERED and existing.registered_on and existing.registered_on > registered_on:
            _date_registration(existing, registered_on)
        return 0
    node = committee(unit) if Node.objects.filter(name=unit).exists() else committee(county)
    collective = Collective.objects.create(
        name=name,
        workplace_unit=unit,
        industry=Industry.objects.get(code=industry),
        region_id=county,
        address=f"安徽省安庆市{Region.objects.get(code=county).name}人民路{rng.randint(1, 300)}号",
        registering_node=node,
        leader_account=owner,
        has_league_branch=rng.random() < 0.8,
        service_promises=PROMISES,
        supervision_phone=f"0556-55{rng.randint(10000, 99999)}",
    )
    _members(rng, collective, owner)
    if state == Status.DRAFT:
        return 1
    collective.pledge_accepted_at = collective.created_at
    collective.save(update_fields=["pledge_accepted_at"])
    workflow.perform("submit", collective.pk, owner)
    if state == Status.RETURNED:
        workflow.perform("return", collective.pk, reviewer, "请补充服务承诺的具体时限，并核对成员出生日期。")
    elif state == Status.REGISTERED:
        collective = workflow.perform("approve", collective.pk, reviewer, "材料齐全，同意备案。")
        if registered_on:
            _date_registration(collective, registered_on)
    return 1


def _date_registration(collective, registered_on):
    """Move a demo registration back to `registered_on`, numbered in that year's sequence."""
    year = registered_on.year
    serial = NumberSequence.next_value(key=f"registration:{collective.region_id}", year=year)
    collective.registration_number = f"{collective.region_id}-{year}-{serial:05d}"
    collective.registered_on = registered_on
    collective.save(update_fields=["registration_number", "registered_on"])


def _members(rng, collective, owner):
    today = date.today()
    count = rng.randint(6, 18)
    for index in range(count):
        # Mostly young members with a few older colleagues, so youth shares vary around the 50% line.
        age = rng.randint(22, 34) if rng.random() < 0.7 else rng.randint(36, 55)
        if index == 0:
            age = rng.randint(28, 38)
        Member.objects.create(
            collective=collective,
            name=owner.real_name if index == 0 else rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
            birth_date=today - timedelta(days=age * 365 + rng.randint(0, 364)),
            position="号长" if index == 0 else rng.choice(["窗口服务员", "技术员", "护士", "辅警", "客户经理", "调度员"]),
            is_leader=index == 0,
        )
    collective.member_count = count
    collective.save(update_fields=["member_count"])
