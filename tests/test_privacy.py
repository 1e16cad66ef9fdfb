"""Personal information (issue 15, PIPL): the privacy notice, recorded consent, the 号长's copy of their data,
members' names kept off public pages, masked phones in staff lists, and no ID numbers anywhere."""

import io
import json
from datetime import date

import openpyxl
import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from apps.activities.models import VolunteerHours
from apps.audit.models import AuditEntry
from apps.collectives.models import Collective, ConsentChannel, MemberDataConsent
from apps.evaluations import workflow as evaluations
from apps.imports.models import ImportJob
from apps.notifications.services import notify

from .activity_factories import ReportFactory
from .conftest import committee
from .evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory, eligible_collective
from .factories import CollectiveFactory, MembershipFactory, MemberFactory, UserFactory
from .forms_data import collective_post
from .supervision_factories import ComplaintFactory

pytestmark = pytest.mark.django_db


# The notice ---------------------------------------------------------------------------------------------------------


def test_the_privacy_notice_is_public_and_says_who_what_why_how_long_rights_and_contact(client):
    page = client.get(reverse("privacy:notice")).content.decode()
    for heading in ("个人信息处理者", "处理哪些信息、为何处理", "保存期限", "您的权利", "联系方式", "组委会办公室"):
        assert heading in page
    assert "不收集、不保存身份证号码" in page


@pytest.mark.parametrize("path", ["/", "/posts/", "/notices/", "/accounts/login/", "/privacy/"])
def test_every_page_links_the_notice_in_its_footer(client, path):
    page = client.get(path).content.decode()
    footer = page[page.index('<footer class="site-footer">') :]
    assert 'href="/privacy/"' in footer and "个人信息保护政策" in footer


def test_signed_in_pages_and_error_pages_link_it_too(login, leader, client):
    login(leader)
    assert 'href="/privacy/"' in client.get(reverse("collectives:my")).content.decode()
    assert 'href="/privacy/"' in client.get("/no-such-page/").content.decode()


# Consent ------------------------------------------------------------------------------------------------------------


def test_registering_members_needs_the_consent_box_and_records_who_and_when(login, leader):
    client = login(leader)
    response = client.post(reverse("collectives:create"), collective_post(member_data_consent=None))
    assert response.status_code == 200
    assert "请确认成员已同意登记其个人信息" in response.content.decode()
    assert not Collective.objects.filter(leader_account=leader).exists()

    client.post(reverse("collectives:create"), collective_post())
    collective = Collective.objects.get(leader_account=leader)
    consent = MemberDataConsent.objects.get(collective=collective)
    assert (consent.given_by, consent.channel) == (leader, ConsentChannel.COLLECTIVE_FORM)
    assert consent.given_at is not None and "同意由我登记" in consent.statement


def test_editing_only_the_promises_needs_no_consent_but_changing_a_member_does(login, leader):
    collective = CollectiveFactory(leader_account=leader, status="registered", registration_number="340803-2024-09999")
    members = list(collective.members.all())
    rows = [(m.name, m.birth_date.isoformat(), m.position, m.is_leader) for m in members]
    client = login(leader)
    edit = reverse("collectives:edit", args=[collective.pk])

    post = collective_post(members=rows, existing=[m.pk for m in members], member_data_consent=None, service_promises="新承诺")
    assert client.post(edit, post).status_code == 302
    assert not MemberDataConsent.objects.filter(collective=collective).exists()

    rows[1] = ("改名字", rows[1][1], rows[1][2], False)
    post = collective_post(members=rows, existing=[m.pk for m in members], member_data_consent=None)
    assert client.post(edit, post).status_code == 200
    assert not collective.members.filter(name="改名字").exists()
    assert client.post(edit, collective_post(members=rows, existing=[m.pk for m in members])).status_code == 302
    assert collective.members.filter(name="改名字").exists()
    assert MemberDataConsent.objects.filter(collective=collective, given_by=leader).count() == 1


def test_the_members_page_saves_only_with_consent(login, leader):
    collective = CollectiveFactory(leader_account=leader, members=[date(1990, 1, 1)])
    client = login(leader)
    url = reverse("collectives:members", args=[collective.pk])
    rows = "王一\t1995-05-01\t班长\t是\n李二\t1998-03-02\t柜员\t否\n"
    preview = client.post(url, {"rows": rows, "mode": "replace", "action": "preview"})
    assert "所列成员已知悉" in preview.content.decode()
    confirm = {"rows": preview.context["change"].rows_to_confirm, "mode": "replace", "action": "confirm"}

    response = client.post(url, confirm, follow=True)
    assert "请确认成员已同意登记其个人信息" in response.content.decode()
    assert collective.members.count() == 1

    response = client.post(url, {**confirm, "consent": "on"})
    assert response.status_code == 302 and collective.members.count() == 2
    consent = MemberDataConsent.objects.get(collective=collective)
    assert (consent.given_by, consent.channel) == (leader, ConsentChannel.MEMBERS_PAGE)


def test_a_staff_import_of_people_needs_the_committees_statement(login, staff_user):
    from .import_files import collective_row, collectives_file
    from .test_imports import upload

    client = login(staff_user("admin", "340803"))
    node = committee("340803")
    data = {"kind": "collectives", "node": node.pk, "file": upload(collectives_file([collective_row(1)]), "a.xlsx")}
    response = client.post(reverse("imports:list"), data)
    assert response.status_code == 200 and "请确认本团委关于文件中个人信息的声明" in response.content.decode()
    assert not ImportJob.objects.exists()

    data["file"] = upload(collectives_file([collective_row(1)]), "a.xlsx")
    client.post(reverse("imports:list"), {**data, "statement": "on"})
    job = ImportJob.objects.get()
    assert "本团委为青年文明号活动管理之目的持有" in job.personal_data_statement
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "上传时确认的个人信息声明" in page


# No member's name on a public page ----------------------------------------------------------------------------------


def test_members_names_are_on_no_public_page(client):
    round = RoundFactory(stage="review")
    application = ApplicationFactory(round=round, status="review", proposed=True, scored=True)
    collective = application.collective
    MemberFactory(collective=collective, name="隐秘成员甲")
    report = ReportFactory(collective=collective, kind="volunteer", title="社区义诊")
    member = collective.members.get(name="隐秘成员甲")
    VolunteerHours.objects.create(report=report, member=member, hours=3)
    notice = evaluations.publish_notice(round.pk, MembershipFactory(role="admin", node=round.node).user)
    names = list(collective.members.values_list("name", flat=True))
    pages = [
        reverse("collectives:public_page", args=[collective.pk]),
        reverse("directory:directory"),
        reverse("directory:directory") + f"?q={collective.name[:2]}",
        "/notices/",
        f"/notices/{notice.pk}/",
        reverse("activities:public_report", args=[collective.pk, report.pk]),
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        for name in names:
            assert name not in page, (path, name)
    assert collective.name in client.get(reverse("collectives:public_page", args=[collective.pk])).content.decode()
    assert collective.name in client.get(f"/notices/{notice.pk}/").content.decode()


# Phone numbers -------------------------------------------------------------------------------------------------------


def test_the_registration_detail_shows_the_leaders_full_phone_to_staff_of_its_scope_only(login, staff_user, submitted):
    phone = submitted.leader_account.phone
    client = login(staff_user("reviewer", "340803"))
    assert phone in client.get(reverse("collectives:staff_detail", args=[submitted.pk])).content.decode()
    queue = client.get(reverse("collectives:staff_queue")).content.decode()
    assert submitted.name in queue and phone not in queue
    client = login(staff_user("reviewer", "340822"))
    assert client.get(reverse("collectives:staff_detail", args=[submitted.pk])).status_code == 404


def test_the_import_result_lists_new_leader_phones_masked(login, staff_user):
    from .import_files import collective_row, collectives_file
    from .test_imports import post_file

    client = login(staff_user("admin", "340803"))
    post_file(client, collectives_file([collective_row(1)]))
    job = ImportJob.objects.latest("pk")
    client.post(reverse("imports:confirm", args=[job.pk]))
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "137****0001" in page and "13700000001" not in page


def test_the_admin_user_list_masks_phones_and_the_user_page_shows_them(login):
    admin = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory(phone="13912340001")
    client = login(admin)
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "139****0001" in page and "13912340001" not in page
    assert "13912340001" in client.get(reverse("admin:accounts_user_change", args=[person.pk])).content.decode()


# No ID numbers ------------------------------------------------------------------------------------------------------

ID_WORDS = ("id_number", "id_card", "idcard", "identity", "身份证", "证件号")


def test_no_model_or_form_collects_an_id_number():
    """PIPL Art. 28: an ID number is sensitive personal information; the portal has no field for one."""
    fields = [
        (model._meta.label, field.name, str(getattr(field, "verbose_name", "")))
        for model in django_apps.get_models()
        for field in model._meta.get_fields()
    ]
    assert fields
    for label, name, verbose in fields:
        assert not any(word in name.lower() or word in verbose.lower() for word in ID_WORDS), (label, name)


# Access and copy ------------------------------------------------------------------------------------------------------


def holdings(leader, tag):
    """A 号长 with everything the export covers; every text carries `tag`."""
    collective = eligible_collective(leader_account=leader, name=f"{tag}营业厅班组", service_promises=f"{tag}承诺一\n{tag}承诺二")
    member = MemberFactory(collective=collective, name=f"{tag}成员")
    report = ReportFactory(collective=collective, kind="volunteer", title=f"{tag}义诊")
    VolunteerHours.objects.create(report=report, member=member, hours=4)
    honor = HonorFactory(application__collective=collective, application__deeds=f"{tag}事迹")
    ComplaintFactory(contact=leader.phone, what_happened=f"{tag}投诉内容")
    notify([leader], f"{tag}消息")
    MemberDataConsent.give(collective, leader, ConsentChannel.MEMBERS_PAGE)
    return collective, honor


@pytest.fixture
def two_leaders():
    first, second = UserFactory(real_name="甲号长"), UserFactory(real_name="乙号长")
    return (first, holdings(first, "甲")), (second, holdings(second, "乙"))


def test_the_json_copy_holds_exactly_the_leaders_records(login, two_leaders):
    (first, (collective, honor)), (second, _) = two_leaders
    response = login(first).get(reverse("privacy:download_json"))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"] == [
        {"username": first.username, "real_name": "甲号长", "phone": first.phone, "email": first.email,
         "date_joined": data["account"][0]["date_joined"], "last_login": data["account"][0]["last_login"]}
    ]
    assert [c["name"] for c in data["collectives"]] == ["甲营业厅班组"]
    assert [p["promise"] for p in data["promises"]] == ["甲承诺一", "甲承诺二"]
    assert "甲成员" in [m["name"] for m in data["members"]] and len(data["members"]) == collective.members.count()
    assert [r["title"] for r in data["reports"]] == ["甲义诊"]
    assert [(h["member"], h["hours"]) for h in data["volunteer_hours"]] == [("甲成员", "4.0")]
    assert [a["deeds"] for a in data["applications"]] == ["甲事迹"]
    assert [t["certificate_number"] for t in data["titles"]] == [honor.certificate_number]
    assert [c["what_happened"] for c in data["complaints_filed"]] == ["甲投诉内容"]
    assert [n["subject"] for n in data["notifications"]] == ["甲消息"]
    assert len(data["member_data_consents"]) == 1
    text = response.content.decode()
    for other in ("乙", second.username, second.phone):
        assert other not in text


def test_the_excel_copy_holds_the_same_and_nothing_of_the_other_leader(login, two_leaders):
    (first, (collective, honor)), (second, _) = two_leaders
    response = login(first).get(reverse("privacy:download_xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert {"账户", "集体", "服务承诺", "集体成员", "活动报告", "志愿服务时长", "申报", "称号", "提交的投诉", "消息"} <= set(book.sheetnames)
    cells = [str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
    for mine in ("甲号长", first.phone, "甲营业厅班组", "甲承诺一", "甲成员", "甲义诊", "甲事迹", honor.certificate_number, "甲投诉内容", "甲消息"):
        assert mine in cells, mine
    assert not any("乙" in cell or second.phone in cell for cell in cells)


def test_each_download_is_audited(login, two_leaders):
    (first, _), _second = two_leaders
    client = login(first)
    client.get(reverse("privacy:download_json"))
    client.get(reverse("privacy:download_xlsx"))
    entries = AuditEntry.objects.for_object(first).filter(action="personal_data_export")
    assert [(e.actor, e.comment) for e in entries] == [(first, "json"), (first, "xlsx")]


def test_the_copy_costs_the_same_number_of_queries_however_much_is_held(login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, large = UserFactory(), UserFactory()
    holdings(small, "小")
    for index in range(3):
        holdings(large, f"大{index}")
    counts = []
    for user in (small, large):
        client = login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("privacy:download_json")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_copy_and_the_page_need_a_sign_in(client):
    for name in ("privacy:my_data", "privacy:download_json", "privacy:download_xlsx"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_my_workspace_offers_the_downloads(login, leader):
    page = login(leader).get(reverse("collectives:my")).content.decode()
    assert reverse("privacy:download_xlsx") in page and reverse("privacy:download_json") in page
    assert reverse("privacy:my_data") in page


@pytest.mark.parametrize("role", ["admin", "reviewer", "expert", "viewer"])
def test_every_staff_role_gets_its_own_copy_only_and_no_deletion_form(login, staff_user, two_leaders, role):
    user = staff_user(role, "340803")
    client = login(user)
    data = json.loads(client.get(reverse("privacy:download_json")).content)
    assert [a["username"] for a in data["account"]] == [user.username]
    assert data["collectives"] == [] and data["members"] == [] and data["complaints_filed"] == []
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert "工作人员账户由所在团委停用" in page and "申请注销我的账户" not in page
