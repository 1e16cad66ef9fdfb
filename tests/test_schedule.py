"""The scheduled jobs (civpost/jobs.py, enqueued by `manage.py run_scheduler`, run by the real task worker): each
does its work the first time and nothing the second."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from apps.accounts.models import PhoneCode
from apps.complaints.models import Warning
from apps.evaluations.models import Notice
from apps.notifications.models import Message, Notification
from apps.organizations.enums import Role
from apps.rechecks.models import Recheck, RecheckItem
from apps.stats.models import Snapshot
from civpost import jobs, schedule

from .conftest import committee
from .evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory
from .factories import CollectiveFactory

pytestmark = pytest.mark.django_db


def subjects(user):
    return sorted(user.notifications.values_list("subject", flat=True))


@pytest.fixture
def deadlines(staff_user):
    """One of each deadline and lapse the jobs look for, and the staff who hear of them."""
    today = timezone.localdate()
    county = staff_user(Role.REVIEWER, "340803")
    city = staff_user(Role.ADMIN, "340800")
    draft = ApplicationFactory(round=RoundFactory(title="申报窗口轮次", application_closes=today + timedelta(days=7)))
    ApplicationFactory(
        round=RoundFactory(title="推荐截止轮次", recommendation_closes=today), status="pending", current_node=committee("340803")
    )
    ApplicationFactory(
        round=RoundFactory(title="推荐逾期轮次", recommendation_closes=today - timedelta(days=1)), status="pending", current_node=committee("340803")
    )
    noticed = RoundFactory(title="公示轮次", stage="notice")
    Notice.objects.create(round=noticed, opens_on=today - timedelta(days=3), closes_on=today, published_by=city)
    rectifying = CollectiveFactory(name="整改中的班组")
    Warning.objects.create(collective=rectifying, kind="rectification", reason="服务差", deadline=today, issued_by=county)
    Warning.objects.create(collective=CollectiveFactory(name="逾期班组"), kind="rectification", reason="服务差", deadline=today - timedelta(days=2), issued_by=county)
    honour = HonorFactory()
    recheck = Recheck.objects.create(
        node=committee("340800"), title="复核", named_from=today - timedelta(days=9), named_until=today, report_due=today + timedelta(days=7), created_by=city
    )
    RecheckItem.objects.create(recheck=recheck, honor=honour)
    late = Recheck.objects.create(
        node=committee("340800"), title="逾期复核", named_from=today - timedelta(days=9), named_until=today, report_due=today - timedelta(days=1), created_by=city
    )
    RecheckItem.objects.create(recheck=late, honor=HonorFactory())
    return {"county": county, "city": city, "draft": draft, "rectifying": rectifying, "honour": honour}


def run_job(task, run_tasks):
    task.enqueue()
    run_tasks()
    failed = DBTaskResult.objects.filter(status="FAILED").first()
    assert failed is None, failed.traceback
    result = DBTaskResult.objects.filter(task_path__endswith=task.func.__name__).order_by("-enqueued_at").first()
    assert result.status == "SUCCESSFUL"
    return result.return_value


def state():
    return (Notification.objects.count(), Message.objects.count(), len(mail.outbox))


def test_deadline_reminders_reach_each_party_once(deadlines, run_tasks):
    assert run_job(jobs.deadline_reminders, run_tasks) > 0
    after_first = state()
    assert run_job(jobs.deadline_reminders, run_tasks) == 0
    assert state() == after_first
    leader = deadlines["draft"].collective.leader_account
    assert subjects(leader) == ["申报窗口轮次 申报将于7 天后（%s）截止" % (timezone.localdate() + timedelta(days=7)).isoformat()]
    county = subjects(deadlines["county"])
    assert any("推荐截止轮次" in s and "今天" in s and "1 份" in s for s in county)
    assert any("整改中的班组" in s for s in county)
    assert any("整改中的班组" in s for s in subjects(deadlines["rectifying"].leader_account))
    assert any("公示轮次" in s for s in subjects(deadlines["city"]))
    assert any("复核" in s for s in subjects(deadlines["honour"].collective.leader_account))


def test_escalation_reaches_the_parent_committee_once(deadlines, run_tasks):
    assert run_job(jobs.escalations, run_tasks) == 1
    assert run_job(jobs.escalations, run_tasks) == 0
    [subject] = subjects(deadlines["city"])
    assert "推荐逾期轮次" in subject and "1 份" in subject
    assert subjects(deadlines["county"]) == []


def test_overdue_notices_once(deadlines, run_tasks):
    assert run_job(jobs.overdue_notices, run_tasks) == 2
    after_first = state()
    assert run_job(jobs.overdue_notices, run_tasks) == 0
    assert state() == after_first
    assert any("逾期班组" in s and "逾期" in s for s in subjects(deadlines["county"]))
    assert any("逾期复核" in s for s in subjects(deadlines["city"]))


def test_digest_job_sends_once(deadlines, run_tasks):
    run_job(jobs.overdue_notices, run_tasks)
    assert run_job(jobs.daily_digest, run_tasks) == 2  # the county's and the city's staff
    assert run_job(jobs.daily_digest, run_tasks) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([deadlines["county"].email, deadlines["city"].email])


def test_statistics_refresh_twice_gives_the_same_figures(run_tasks):
    CollectiveFactory(status="registered")
    count = run_job(jobs.refresh_statistics, run_tasks)
    assert count > 0 and Snapshot.objects.count() == count
    first = dict(Snapshot.objects.values_list("node_id", "figures"))
    assert run_job(jobs.refresh_statistics, run_tasks) == count
    assert dict(Snapshot.objects.values_list("node_id", "figures")) == first


def test_retention_removes_only_what_is_old_and_then_nothing(leader, run_tasks, settings):
    long_ago = timezone.now() - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS + 1)
    old, kept, unread = (Notification.objects.create(recipient=leader, subject=s) for s in ("旧", "新", "未读"))
    Notification.objects.filter(pk=old.pk).update(created_at=long_ago, read_at=long_ago)
    Notification.objects.filter(pk=unread.pk).update(created_at=long_ago)
    PhoneCode.objects.create(phone="13800138000", purpose="reset", code_hash="x", expires_at=timezone.now() - timedelta(days=2))
    jobs.refresh_statistics.enqueue()
    run_tasks()
    DBTaskResult.objects.update(finished_at=timezone.now() - timedelta(days=settings.TASK_RESULT_RETENTION_DAYS + 1))
    removed = run_job(jobs.retention, run_tasks)
    assert removed["notifications"] == 1 and removed["phone_codes"] == 1 and removed["task_results"] == 1
    assert set(Notification.objects.values_list("subject", flat=True)) == {"新", "未读"}
    again = run_job(jobs.retention, run_tasks)
    assert again == {"notifications": 0, "task_results": 0, "sessions": 0, "phone_codes": 0, "export_files": 0}


def test_the_scheduler_enqueues_every_job(run_tasks):
    call_command("run_scheduler", once=True, stdout=open("/dev/null", "w"))
    assert DBTaskResult.objects.filter(status="READY").count() == len(schedule.entries())
    run_tasks()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_when_jobs_are_due():
    now = timezone.localtime().replace(hour=9, minute=0)
    digest = schedule.Entry("d", None, daily_at_hour=8)
    stats = schedule.Entry("s", None, every_seconds=300)
    assert schedule.due(digest, now, None) and not schedule.due(digest, now, now - timedelta(minutes=30))
    assert schedule.due(digest, now, now - timedelta(hours=2))  # last run was yesterday's
    assert not schedule.due(digest, now.replace(hour=7), None)
    assert schedule.due(stats, now, now - timedelta(seconds=300)) and not schedule.due(stats, now, now - timedelta(seconds=100))
