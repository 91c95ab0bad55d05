"""Error pages in the user's language: a 404 (also what a forbidden object answers), the admin's
403 and a 500 that needs neither a request nor the database."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_forbidden_object_is_a_chinese_404_page_in_the_frame(client, world):
    client.force_login(world.users["county"])
    response = client.get(reverse("submission_detail", args=[world.submissions["lead_sent"].pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "没有查看它的权限" in page
    assert reverse("report_index") in page  # the navigation is there to go on from
    assert "Content-Security-Policy" in response.headers


def test_the_admins_permission_denied_is_a_chinese_page(client, world):
    client.force_login(world.users["staff"])
    response = client.get(reverse("admin:projects_alert_changelist"))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


def test_a_server_error_page_is_chinese_and_self_contained():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错" in page and "这次操作没有完成" in page
    assert "<script" not in page
