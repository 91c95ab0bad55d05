"""The office manages accounts in the admin without being superusers: it cannot make itself (or
anyone) a superuser, hand out single permissions, or take over a superuser's account."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from projects.models import Role, User
from projects.services.accounts import office_group_ensure
from tests.account_factories import UserFactory
from tests.test_settings_audit import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_clerk():
    clerk = UserFactory(username="duchashi-clerk", role=Role.OFFICE, is_staff=True)
    clerk.groups.add(office_group_ensure())
    return clerk


def test_an_office_clerk_cannot_make_itself_superuser_or_grant_permissions(client, office_clerk):
    client.force_login(office_clerk)
    url = reverse("admin:projects_user_change", args=[office_clerk.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = admin_form_data(page)
    any_permission = Permission.objects.get(codename="change_group")
    response = client.post(url, data | {"is_superuser": "on", "user_permissions": [str(any_permission.pk)]})
    assert response.status_code == 302  # the rest of the form is saved
    office_clerk.refresh_from_db()
    assert not office_clerk.is_superuser
    assert not office_clerk.user_permissions.exists()


def test_an_office_clerk_still_manages_ordinary_accounts(client, office_clerk):
    county = UserFactory(username="hubin-clerk")
    client.force_login(office_clerk)
    url = reverse("admin:projects_user_change", args=[county.pk])
    response = client.post(url, admin_form_data(client.get(url)) | {"role": Role.LEADER, "is_active": ""})
    assert response.status_code == 302
    county.refresh_from_db()
    assert county.role == Role.LEADER and not county.is_active


def test_a_superusers_account_is_read_only_to_the_office(client, office_clerk):
    root = User.objects.create_superuser("root", password="Gen-Mima-2022-abc")
    client.force_login(office_clerk)
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
    assert clerk.is_superuser
