"""Demo naming rounds of 共青团安庆市委 in every stage, so each screen of the honour workflow has something to show.

Called by `manage.py seed_demo` (civpost/management/commands/seed_demo.py) after apps/collectives/demo.py, inside
its transaction. Every state change goes through `workflow` (the audit trail and the notifications are those of
real use); what the views do outside it (creating a round or an application, saving the proposed list, filing an
objection) is done here the same way, with the same audit record.

The workflow accepts applications only while the window includes today, so a round that is past that point is
opened with a window around today, applied to, and then has its window moved into the past before it is closed.

Idempotent: a round whose title exists is left as it is.
"""

from datetime import date, timedelta

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.models import record
from apps.collectives.demo import committee, staff_account
from apps.collectives.models import Collective
from apps.organizations.enums import Action, Role
from apps.organizations.models import Membership

from . import workflow
from .enums import AppStatus, ObjectionStatus
from .forms import DEFAULT_RUBRIC
from .models import Application, Objection, ReviewAssignment, RubricItem, Round
from .resources import TitleResource, import_errors

CITY = "340800"

# username, real name, phone, committee, role. The county reviewers recommend at their own committee:
# recommendation goes node by node, and nobody above a county may act in its stead.
STAFF = [
    ("aq_admin", "安庆团市委管理员", "13900000009", CITY, Role.ADMIN),
    ("aq_expert", "市级评审专家", "13900000010", CITY, Role.EXPERT),
    ("yj_reviewer", "迎江团区委审核员", "13900000011", "340802", Role.REVIEWER),
    ("yx_reviewer", "宜秀团区委审核员", "13900000012", "340811", Role.REVIEWER),
    ("th_reviewer", "太湖团县委审核员", "13900000013", "340825", Role.REVIEWER),
    ("tc_reviewer", "桐城团市委审核员", "13900000014", "340881", Role.REVIEWER),
    ("qs_reviewer", "潜山团市委审核员", "13900000015", "340882", Role.REVIEWER),
]

DRAFT_ROUND = "2027年度安庆市青年文明号认定（筹备）"
OPEN_ROUND = "2026年度安庆市青年文明号认定"
REVIEW_ROUND = "2026年度安庆市民生服务领域青年文明号认定"
NOTICE_ROUND = "2026年度安庆市窗口服务行业青年文明号认定"
NAMED_ROUND = "2025年度安庆市青年文明号认定"

# Points taken off each rubric item's maximum, in the self-assessment and by the expert: a few profiles.
DEDUCTIONS = [[1, 2, 2, 1, 1], [2, 3, 2, 2, 3], [3, 4, 5, 3, 2], [4, 6, 5, 4, 4]]


def seed_rounds(stdout):
    for account in STAFF:
        staff_account(*account)
    seed = Seeder()
    builders = [
        (NAMED_ROUND, seed.named_round),
        (NOTICE_ROUND, seed.notice_round),
        (REVIEW_ROUND, seed.review_round),
        (OPEN_ROUND, seed.open_round),
        (DRAFT_ROUND, seed.draft_round),
    ]
    created = 0
    for title, build in builders:
        if not Round.objects.filter(node=seed.city, title=title).exists():
            build(title)
            created += 1
    stdout.write(f"Naming rounds: {created} created, {len(builders) - created} already there.")
    seed_historical_titles(seed.admin, stdout)


# A title 共青团大观区委 named in 2019, before the portal: imported the way committees import theirs (TitleResource),
# so /verify/DG-2019-003/ and the post page show a historical title beside the portal-named one.
HISTORICAL_TITLES = [
    {
        "所在单位": "国网安庆供电公司",
        "集体名称": "大观区营业厅青年班组",
        "称号级别": "县级",
        "年度": 2019,
        "证书编号": "DG-2019-003",
        "命名组委会": "340803",
        "命名文号": "团大委〔2019〕8号",
        "命名日期": "2019-05-04",
    }
]


def seed_historical_titles(admin, stdout):
    headers = list(HISTORICAL_TITLES[0])
    dataset = tablib.Dataset(*[[row[h] for h in headers] for row in HISTORICAL_TITLES], headers=headers)
    result = TitleResource(user=admin, node=committee(CITY)).import_data(dataset, use_transactions=True, rollback_on_validation_errors=True)
    if result.has_validation_errors():
        raise RuntimeError(import_errors(result))
    stdout.write(f"Historical titles: {result.totals['new']} imported, {result.totals['skip']} already there.")


class Seeder:
    def __init__(self):
        self.today = timezone.localdate()
        self.city = committee(CITY)
        self.admin = staff_account(*STAFF[0])
        self.expert = staff_account(*STAFF[1])

    # The rounds, oldest first ------------------------------------------------------------------------

    def named_round(self, title):
        """Named in June 2025: three honors with certificate numbers, one not selected."""
        round = self.open(title, 2025, quota=3)
        named = [self.applied(round, name, index) for index, name in enumerate(["大观区营业厅青年班组", "怀宁县客户服务中心营业厅", "桐城市人民路邮政支局"])]
        other = self.applied(round, "宜秀区第一税务分局办税服务厅", 3)
        for application in [*named, other]:
            self.recommend(application)
        self.close(round, date(2025, 3, 1), date(2025, 4, 30))
        for index, application in enumerate([*named, other]):
            self.score(application, index)
        self.select(round, named)
        notice = workflow.publish_notice(round.pk, self.admin, today=date(2025, 6, 3))
        workflow.name(round.pk, self.admin, today=notice.closes_on + timedelta(days=11), decision_reference="团安委联〔2025〕8号")

    def notice_round(self, title):
        """On public notice from today: one objection open, one dismissed."""
        round = self.open(title, 2026, quota=3)
        proposed = [self.applied(round, name, index) for index, name in enumerate(["迎江区110报警服务台", "怀宁县1路公交车队", "潜山市营业部"])]
        other = self.applied(round, "太湖县1路公交车队", 3)
        for application in [*proposed, other]:
            self.recommend(application)
        self.close(round, self.today - timedelta(days=110), self.today - timedelta(days=50))
        for index, application in enumerate([*proposed, other]):
            self.score(application, index)
        self.select(round, proposed)
        notice = workflow.publish_notice(round.pk, self.admin, today=self.today)
        dismissed = self.object(notice, proposed[0], "", "13955556666", "该服务台夜间报警电话曾多次无人接听，请核实。")
        workflow.resolve_objection(dismissed.pk, self.admin, False, "经调取接警记录核查，所反映时段均有接警记录，反映情况不属实。")
        self.object(notice, proposed[1], "李先生", "13955557777", "11月中旬该车队早班车多次未按时刻表发车。")

    def review_round(self, title):
        """Applications closed; the expert has scored two of four, one is not assigned yet."""
        round = self.open(title, 2026, quota=3)
        names = ["宜秀区客户服务中心营业厅", "太湖县人民路邮政支局", "潜山市客户服务热线班组", "桐城市营业部"]
        applications = [self.applied(round, name, index) for index, name in enumerate(names)]
        for application in applications:
            self.recommend(application)
        self.close(round, self.today - timedelta(days=75), self.today - timedelta(days=15))
        self.score(applications[0], 0)
        self.score(applications[1], 2)
        workflow.assign(applications[2].pk, self.admin, [self.expert])

    def open_round(self, title):
        """Accepting applications: one in every state before the review, two waiting on 共青团大观区委."""
        round = self.open(title, 2026, quota=5)
        self.applied(round, "大观区青年示范线路车队", 0)  # 王晓明's, waiting on 大观区
        self.applied(round, "大观区110报警服务台", 1)
        returned = self.applied(round, "大观区第一税务分局办税服务厅", 2)
        self.send_back(returned, "return", "事迹材料缺少近一年群众满意度测评数据，请补充后重新提交。")
        declined = self.applied(round, "迎江区急诊科护理组", 3)
        self.send_back(declined, "decline", "本年度我区推荐名额已满，建议明年继续申报。")
        self.recommend(self.applied(round, "宜秀区第一税务分局办税服务厅", 1))
        self.applied(round, "太湖县1路公交车队", 2, submit=False)

    def draft_round(self, title):
        self.create(title, 2027, quota=5, opens=date(2027, 3, 1), closes=date(2027, 4, 30))

    # Steps ------------------------------------------------------------------------------------------------

    def create(self, title, year, quota, opens, closes):
        """A round with the default rubric, as the round form creates it."""
        # The demo rounds are seeded before the demo activity reports exist, so they ask for none.
        round = Round.objects.create(
            node=self.city,
            title=title,
            year=year,
            quota=quota,
            application_opens=opens,
            application_closes=closes,
            min_recent_reports=0,
            created_by=self.admin,
        )
        for position, (name, points) in enumerate(DEFAULT_RUBRIC):
            RubricItem.objects.create(round=round, name=name, max_points=points, position=position)
        record(round, actor=self.admin, action="create", to_state=round.stage)
        return round

    def open(self, title, year, quota):
        round = self.create(title, year, quota, opens=self.today - timedelta(days=14), closes=self.today + timedelta(days=31))
        return workflow.open_round(round.pk, self.admin)

    def applied(self, round, collective_name, profile, submit=True):
        """The 号长 applies, fills in the deeds and the self-assessment, and (unless `submit` is false) submits."""
        collective = Collective.objects.get(name=collective_name, leader_account__username__startswith="leader")
        leader = collective.leader_account
        application = Application.objects.create(round=round, collective=collective)
        record(application, actor=leader, action="create", to_state=application.status)
        application.deeds = (
            f"{collective.name}坚持“{collective.promise_lines[0]}”的服务承诺，推行首问负责、限时办结，"
            "开展青年志愿服务和岗位技能比武，群众满意率持续保持在98%以上。"
        )
        application.self_assessment = self.points(round, profile)
        application.save()
        if submit:
            application = workflow.submit(application.pk, leader)
        return application

    def recommend(self, application):
        """Each committee on the way up recommends, until the application reaches the round's review."""
        while application.status == AppStatus.PENDING:
            node = application.current_node
            application = workflow.recommend(application.pk, self.staff_at(node), 1, f"{node.name}同意推荐。")
        return application

    def send_back(self, application, decision, comment):
        return workflow.send_back(application.pk, self.staff_at(application.current_node), decision, comment)

    def close(self, round, opens, closes):
        Round.objects.filter(pk=round.pk).update(application_opens=opens, application_closes=closes)
        workflow.close_applications(round.pk, self.admin)

    def score(self, application, profile):
        workflow.assign(application.pk, self.admin, [self.expert])
        assignment = ReviewAssignment.objects.get(application=application, expert=self.expert)
        scores = self.points(application.round, profile)
        workflow.submit_scores(assignment.pk, self.expert, scores, "服务规范，承诺履行到位。" if profile < 2 else "创新创效方面仍需加强。")

    def select(self, round, proposed):
        """Save the proposed list, as the round page's selection form does."""
        chosen = {application.pk for application in proposed}
        for application in round.applications.filter(status=AppStatus.REVIEW):
            application.proposed = application.pk in chosen
            application.save(update_fields=["proposed", "updated_at"])
        record(round, actor=self.admin, action="select", comment=_("%(count)s proposed") % {"count": len(chosen)})

    def object(self, notice, application, name, contact, text):
        """An objection from the public, as the notice page files it."""
        objection = Objection.objects.create(notice=notice, application=application, name=name, contact=contact, text=text)
        record(objection, actor=None, action="file", to_state=ObjectionStatus.OPEN)
        return objection

    def staff_at(self, node):
        staff = Membership.objects.staff_at(node, Action.RECOMMEND)
        if not staff:
            raise LookupError(f"No demo staff may recommend at {node.name}.")
        return staff[0]

    @staticmethod
    def points(round, profile):
        deductions = DEDUCTIONS[profile % len(DEDUCTIONS)]
        items = round.rubric_items.all()
        return {str(item.pk): item.max_points - deductions[index % len(deductions)] for index, item in enumerate(items)}
