"""Accounts in the admin: the system administrator manages them without being a superuser and
cannot make itself (or anyone) a superuser or an administrator, hand out permissions, or take
over a superuser's account; the office, a business role, has no account admin at all. Every
route, every role: tests/security/test_admin_account_routes.py."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from projects.models import Role, User
from tests.account_factories import UserFactory, account
from tests.test_settings_audit import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin():
    return account(Role.SYSTEM_ADMIN, username="xitong-clerk")


def test_the_office_has_no_account_admin(client):
    client.force_login(account(Role.OFFICE, username="duchashi-clerk"))
    assert client.get(reverse("admin:projects_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:projects_indicator_changelist")).status_code == 200  # its everyday work


def test_a_system_administrator_cannot_make_itself_superuser_or_grant_permissions(client, sysadmin):
    client.force_login(sysadmin)
    url = reverse("admin:projects_user_change", args=[sysadmin.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "is_superuser" not in page.context["adminform"].form.fields
    assert "role" not in page.context["adminform"].form.fields
    any_permission = Permission.objects.get(codename="change_group")
    data = admin_form_data(page) | {
        "is_superuser": "on", "role": Role.SECURITY_ADMIN, "user_permissions": [str(any_permission.pk)],
    }  # fmt: skip
    client.post(url, data)
    sysadmin.refresh_from_db()
    assert not sysadmin.is_superuser
    assert sysadmin.role == Role.SYSTEM_ADMIN
    assert not sysadmin.user_permissions.exists()


def test_a_system_administrator_still_manages_ordinary_accounts(client, sysadmin):
    county = UserFactory(username="hubin-clerk")
    client.force_login(sysadmin)
    url = reverse("admin:projects_user_change", args=[county.pk])
    response = client.post(url, admin_form_data(client.get(url)) | {"first_name": "湖滨区统计员", "is_active": ""})
    assert response.status_code == 302
    county.refresh_from_db()
    assert county.first_name == "湖滨区统计员" and not county.is_active


def test_a_superusers_account_is_read_only_to_the_system_administrator(client, sysadmin):
    root = User.objects.create_superuser("root", password="Gen-Mima-2022-abc")
    client.force_login(sysadmin)
    assert client.get(reverse("admin:projects_user_change", args=[root.pk])).status_code == 200  # to read
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    attempt = {"password1": "Jie-Guan-2022-xyz", "password2": "Jie-Guan-2022-xyz", "usable_password": "true"}
    assert client.post(password_url, attempt).status_code == 403
    assert client.post(reverse("admin:projects_user_delete", args=[root.pk]), {"post": "yes"}).status_code == 403
    root.refresh_from_db()
    assert root.check_password("Gen-Mima-2022-abc")


def test_a_superuser_still_grants_superuser(client):
    root = User.objects.create_superuser("root", password="Gen-Mima-2022-abc")
    clerk = UserFactory(username="clerk")
    client.force_login(root)
    url = reverse("admin:projects_user_change", args=[clerk.pk])
    assert client.post(url, admin_form_data(client.get(url)) | {"is_superuser": "on"}).status_code == 302
    clerk.refresh_from_db()
    assert clerk.is_superuser and clerk.is_staff
