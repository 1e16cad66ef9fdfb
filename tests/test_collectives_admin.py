"""Superusers import collectives in /admin/ with the workbench's resource and rules (dry run, then confirm)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.collectives.models import Collective, Status

from .conftest import ROLES
from .factories import UserFactory
from .import_files import COLLECTIVE_HEADERS, collective_row, collectives_file, upload

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:collectives_collective_import")
CONFIRM_URL = reverse("admin:collectives_collective_process_import")


@pytest.fixture
def superuser(login):
    user = UserFactory(is_staff=True, is_superuser=True)
    login(user)
    return user


def dry_run(client, content):
    return client.post(IMPORT_URL, {"format": "0", "import_file": upload(content, "collectives.xlsx")})


def test_the_dry_run_names_the_bad_row_in_chinese_and_offers_no_confirmation(client, superuser):
    response = dry_run(client, collectives_file([collective_row(1), collective_row(2, 号长手机="1370000")]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "请输入有效的11位手机号码" in page
    assert response.context.get("confirm_form") is None
    assert not Collective.objects.filter(name__startswith="营业厅青年班组").exists()


def test_a_good_file_is_imported_after_confirmation_with_its_audit_trail(client, superuser):
    response = dry_run(client, collectives_file([collective_row(1), collective_row(2)]))
    confirm = response.context.get("confirm_form")
    assert confirm is not None and not Collective.objects.filter(name__startswith="营业厅青年班组").exists()

    response = client.post(CONFIRM_URL, confirm.initial)
    assert response.status_code == 302
    collective = Collective.objects.get(registration_number="340803-2024-00002")
    assert collective.status == Status.REGISTERED and collective.registering_node.name == "共青团大观区委"
    assert collective.leader_account.phone == "13700000002"
    entry = AuditEntry.objects.for_object(collective).get()
    assert (entry.action, entry.actor, entry.comment) == ("imported", superuser, "collectives.xlsx")


@pytest.mark.parametrize("role", ROLES)
def test_committee_staff_cannot_reach_the_admin_import(client, login, staff_user, role):
    login(staff_user(role, "340800"))
    assert client.get(IMPORT_URL).status_code == 302  # to the admin's login: committee staff are not admin staff
    assert client.post(IMPORT_URL, {"format": "0", "import_file": upload(collectives_file([collective_row(1)]))}).status_code == 302
    assert not Collective.objects.exists()


def test_admin_staff_who_are_not_superusers_cannot_import(client, login):
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_collective", "change_collective", "add_collective"]))
    login(clerk)
    assert client.get(reverse("admin:collectives_collective_changelist")).status_code == 200
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"format": "0", "import_file": upload(collectives_file([collective_row(1)]))}).status_code == 403
    assert not Collective.objects.exists()


def test_the_workbench_template_is_read_as_in_the_workbench(client, superuser):
    """The template's example row is skipped and its * marks ignored; a file is refused by its content, in Chinese."""
    template = client.get(reverse("imports:template", args=["collectives"])).content
    assert "工作表只有表头，没有数据行。" in dry_run(client, template).content.decode()
    marked = collectives_file([{f"{header}*": value for header, value in collective_row(1).items()}], headers=[f"{h}*" for h in COLLECTIVE_HEADERS])
    assert dry_run(client, marked).context.get("confirm_form") is not None
    assert "该文件不是 Excel 工作簿（.xlsx）" in dry_run(client, b"name,unit\n=1+1,x\n").content.decode()
