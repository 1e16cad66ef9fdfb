"""What the public sees: registered collectives only, and nothing personal."""

import pytest
from django.urls import reverse

from .factories import CollectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(leader):
    return CollectiveFactory(leader_account=leader, status="registered", registration_number="340803-2026-00001")


def test_public_page_shows_the_post(client, registered):
    page = client.get(reverse("collectives:public_page", args=[registered.pk])).content.decode()
    for text in [registered.name, "国网安庆供电公司", "大观区", "电力", "争创集体", "微笑服务，文明用语", "0556-5551234", "诚信为本，有诺必践"]:
        assert text in page, text


def test_public_pages_never_show_personal_data(client, registered):
    pages = [
        client.get(reverse("collectives:public_page", args=[registered.pk])).content.decode(),
        client.get(reverse("home")).content.decode(),
    ]
    for member in registered.members.all():
        for page in pages:
            assert member.name not in page
            assert member.birth_date.isoformat() not in page
            assert member.birth_date.strftime("%Y年%-m月%-d日") not in page
    for page in pages:
        assert registered.leader_account.phone not in page
        assert registered.leader_account.real_name not in page
        assert registered.leader_account.email not in page


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_unregistered_collectives_have_no_public_page(client, status):
    collective = CollectiveFactory(status=status)
    assert client.get(reverse("collectives:public_page", args=[collective.pk])).status_code == 404
    assert collective.name not in client.get(reverse("home")).content.decode()


def test_home_lists_named_posts(client, registered):
    from tests.evaluation_factories import ApplicationFactory, HonorFactory

    HonorFactory(application=ApplicationFactory(collective=registered, status="named"))
    registered.honor_level = "city"
    registered.save()
    page = client.get(reverse("home")).content.decode()
    assert registered.name in page
    assert reverse("collectives:public_page", args=[registered.pk]) in page
