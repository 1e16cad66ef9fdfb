"""Demo complaints, a warning and a re-check, so the supervision screens have something to show.

Called by `manage.py seed_demo` after the rounds and the activities; every state change goes through the
complaints and re-checks workflows. Idempotent: complaints are matched by collective and text, the re-check by
its title.
"""

from datetime import date, timedelta

from django.utils import timezone

from apps.accounts.models import User
from apps.collectives.models import Collective
from apps.complaints import workflow as complaints
from apps.complaints.models import Complaint, Warning

from . import workflow
from .models import Recheck

RECHECK_TITLE = "2026年度市级青年文明号复核（试点）"

# collective, what happened, complainant contact, steps: (staff username, step, argument)
COMPLAINTS = [
    ("大观区110报警服务台", "报警后等待了二十分钟才有人回电，接警员语气不耐烦。", "13512345601", []),
    (
        "大观区第一税务分局办税服务厅",
        "办理发票时被要求重复提交材料，跑了三趟才办完，与“一次告知”的承诺不符。",
        "zhang.demo@example.com",
        [("dg_reviewer", "accept", None), ("dg_reviewer", "ask", "请说明当天的办理经过和整改措施。")],
    ),
    (
        "怀宁县客户服务中心营业厅",
        "营业厅工作时间无人值守，监督电话也无人接听。",
        "13512345603",
        [("hn_reviewer", "accept", None), ("hn_reviewer", "close_upheld", "经现场核查，投诉情况属实，已责令整改。")],
    ),
    (
        "大观区营业厅青年班组",
        "排队时间较长，希望增加窗口。",
        "13512345604",
        [("power_reviewer", "close_not_upheld", "经调阅记录，当日排队时间在承诺范围内，投诉不属实。")],
    ),
]


def seed_supervision(stdout):
    created = sum(_complaint(*entry) for entry in COMPLAINTS)
    _warning()
    _recheck()
    stdout.write(f"Supervision: {created} complaints created, re-check “{RECHECK_TITLE}”.")


def _complaint(collective_name, text, contact, steps):
    collective = Collective.objects.get(name=collective_name)
    if Complaint.objects.filter(collective=collective, what_happened=text).exists():
        return 0
    complaint = complaints.file(
        Complaint(collective=collective, what_happened=text, happened_on=timezone.localdate() - timedelta(days=6), contact=contact)
    )
    for username, step, argument in steps:
        staff = User.objects.get(username=username)
        if step == "accept":
            complaints.accept(complaint.pk, staff)
        elif step == "ask":
            complaints.ask_statement(complaint.pk, staff, argument)
        else:
            complaints.close(complaint.pk, staff, upheld=step == "close_upheld", outcome=argument, serious=step == "close_upheld")
    return 1


def _warning():
    collective = Collective.objects.get(name="迎江区急诊科护理组")
    if not Warning.objects.filter(collective=collective).exists():
        complaints.issue_warning(collective, User.objects.get(username="aq_reviewer"), "服务承诺和监督电话未在科室显著位置公示。")


def _recheck():
    if Recheck.objects.filter(title=RECHECK_TITLE).exists():
        return
    admin = User.objects.get(username="aq_admin")
    today = timezone.localdate()
    recheck = workflow.open_recheck(
        Recheck(
            node=admin.memberships.current().get(role="admin").node,
            title=RECHECK_TITLE,
            named_from=date(2025, 1, 1),
            named_until=date(2025, 12, 31),
            report_due=today + timedelta(days=20),
        ),
        admin,
    )
    items = {item.honor.collective.name: item for item in recheck.items.select_related("honor__collective")}
    leader_item = items.get("大观区营业厅青年班组")
    if leader_item:
        workflow.file_report(leader_item.pk, leader_item.honor.collective.leader_account, "一年来坚持首问负责和限时办结，开展志愿服务12次。")
    passed = items.get("桐城市人民路邮政支局")
    if passed:
        workflow.decide(passed.pk, admin, "pass", "服务承诺履行良好，群众满意度高。")
    rectify = items.get("怀宁县客户服务中心营业厅")
    if rectify:
        item = workflow.decide(
            rectify.pk, admin, "rectify", "投诉查实，值守制度落实不到位。", deadline=today + timedelta(days=1), required_changes="落实工作时间值守和监督电话专人接听。"
        )
        # The deadline has passed without confirmation: the item shows in the queue for revocation.
        Warning.objects.filter(pk=item.rectification_id).update(deadline=today - timedelta(days=3))
