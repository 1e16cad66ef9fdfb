"""Error pages (400, 403, 404, 500 and the CSRF failure) answer in Chinese with DEBUG off, no collected static files
and no database read (issue 14, item 9): templates/error_base.html, civpost/views.py."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings, tmp_path):
    """DEBUG off and the manifest storage of production (whitenoise) pointing at an empty STATIC_ROOT: `collectstatic` never ran."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    return settings


def chinese_page(response, heading):
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="zh-hans">' in page
    assert f"<h1>{heading}</h1>" in page
    assert "/static/" not in page  # nothing that needs collected files
    assert "Traceback" not in page and "Server Error" not in page
    return page


def test_500_without_collected_static_files_is_a_chinese_page(production, client):
    """The home page itself fails (its layout links static files the manifest does not have); the 500 page must not."""
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    chinese_page(response, "出错了")


def test_500_when_a_view_raises(production, client, monkeypatch):
    client.raise_request_exception = False

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("civpost.views.render", explode)
    response = client.get("/")
    assert response.status_code == 500
    assert "secret internal detail" not in chinese_page(response, "出错了")


def test_404_reads_no_database_and_no_static_file(production, client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    chinese_page(response, "页面不存在")
    assert len(queries) == 0


def test_400_for_a_host_the_portal_does_not_serve(production, client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    chinese_page(response, "请求有误")


def test_403_in_chinese(production, login):
    response = login(UserFactory()).get(reverse("activities:campaign_create"))
    assert response.status_code == 403
    chinese_page(response, "无权访问")


def test_csrf_failure_in_chinese_without_database_or_static(production):
    client = Client(enforce_csrf_checks=True)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("login"), {"username": "someone", "password": "x"})
    assert response.status_code == 403
    chinese_page(response, "页面已过期")
    assert len(queries) == 0
