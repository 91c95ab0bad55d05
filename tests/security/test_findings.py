"""The access-control findings of issue 12, each as an outside tester found it on `make run`'s
stack. Every test here failed on main before the fix (run against main's code, with main's
demo accounts: nothing in this file needs the new roles to exist except where it says so)."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys

import pytest
import time_machine
from axes.models import AccessLog
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from projects.models import Role, User
from tests.account_factories import PASSWORD, UserFactory
from tests.test_settings_audit import admin_form_data

pytestmark = pytest.mark.django_db

MONDAY_9AM = dt.datetime(2022, 6, 6, 9, 0, tzinfo=dt.UTC)
axes_on = override_settings(AXES_ENABLED=True)


def demo_office(client: Client) -> User:
    """The office's demo account as `make run` makes it, logged in."""
    call_command("create_demo_accounts", stdout=open(os.devnull, "w"))  # noqa: SIM115
    office = User.objects.get(username="duchashi")
    client.force_login(office)
    return office


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1"):
    """The login form as a browser posts it (the password step of the login)."""
    page = client.get(reverse("login"))
    form = page.context["form"] if "form" in page.context else page.context["wizard"]["form"]
    data = {f"{form.prefix}-username" if form.prefix else "username": username}
    data[f"{form.prefix}-password" if form.prefix else "password"] = password
    if "wizard" in page.context:
        data[page.context["wizard"]["management_form"].prefix + "-current_step"] = "auth"
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- an office user took over the superuser -----------------------------------------------------


def test_the_office_cannot_take_over_the_superuser_through_the_history_revert_form(plan_2022):
    client = Client()
    demo_office(client)
    root = User.objects.create_superuser("root", email="root@tracker.example", password="Gen-Mima-2022-abc")
    version = root.history.latest()
    url = reverse("admin:projects_user_simple_history", args=[root.pk, version.history_id])
    page = client.get(url)
    data = (admin_form_data(page) if page.status_code == 200 else {}) | {"email": "office@evil.example"}
    client.post(url, data)
    client.post(reverse("password_reset"), {"email": "office@evil.example"})
    root.refresh_from_db()
    assert root.email == "root@tracker.example"
    assert mail.outbox == []  # no reset link went to the office's address


def test_reverting_an_account_to_an_old_version_does_not_bring_back_its_superuser_flag(plan_2022):
    client = Client()
    demo_office(client)
    former = UserFactory(username="former-root", is_staff=True, is_superuser=True)
    former.is_superuser = False
    former.save()
    first = former.history.earliest()
    url = reverse("admin:projects_user_simple_history", args=[former.pk, first.history_id])
    page = client.get(url)
    client.post(url, admin_form_data(page) if page.status_code == 200 else {})
    former.refresh_from_db()
    assert not former.is_superuser


# --- lockout --------------------------------------------------------------------------------------


@axes_on
def test_five_failures_lock_the_account_from_every_address():
    user = UserFactory()
    for _ in range(5):
        log_in(Client(), user.username, "wrong-password", address="127.0.0.1")
    client = Client()
    response = log_in(client, user.username, PASSWORD, address="127.0.0.2")
    assert response.status_code == 429
    assert not logged_in(client)


@axes_on
def test_a_spray_of_four_guesses_per_account_from_one_address_is_locked():
    users = [UserFactory() for _ in range(6)]
    for user in users:
        for _ in range(4):
            log_in(Client(), user.username, "wrong-password", address="10.41.7.7")
    # 24 failures from one address, none of the accounts past 4: the address is locked.
    client = Client()
    fresh = UserFactory()
    assert log_in(client, fresh.username, PASSWORD, address="10.41.7.7").status_code == 429
    assert not logged_in(client)
    # Other addresses are not.
    assert log_in(Client(), fresh.username, PASSWORD, address="10.41.7.8").status_code == 302


# --- login records ------------------------------------------------------------------------------


@axes_on
def test_the_superuser_cannot_delete_login_records():
    user = UserFactory()
    log_in(Client(), user.username, PASSWORD)
    record = AccessLog.objects.get(username=user.username)
    root = Client()
    root.force_login(User.objects.create_superuser("root", password="Gen-Mima-2022-abc"))
    root.post(reverse("admin:axes_accesslog_delete", args=[record.pk]), {"post": "yes"})
    changelist = reverse("admin:axes_accesslog_changelist")
    root.post(changelist, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"})
    assert AccessLog.objects.filter(pk=record.pk).exists()


def test_an_audit_administrator_reads_the_login_records_and_nothing_else(plan_2022):
    call_command("create_demo_accounts", stdout=open(os.devnull, "w"))  # noqa: SIM115
    auditor = User.objects.get(role=Role("auditadmin"))
    client = Client()
    client.force_login(auditor)
    assert client.get(reverse("admin:axes_accesslog_changelist")).status_code == 200
    assert client.get(reverse("admin:axes_accessfailurelog_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_user_changelist")).status_code == 403
    assert client.get(reverse("admin:projects_plan_changelist")).status_code == 403


# --- sessions -----------------------------------------------------------------------------------


def test_a_session_unused_for_30_minutes_ends():
    user = UserFactory()
    client = Client()
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        client.force_login(user)
        assert client.get(reverse("inbox")).status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("inbox"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@override_settings(TRACKER_SESSION_ONE_PER_USER=True)
def test_with_one_session_per_account_a_new_login_ends_the_old_one():
    user = UserFactory()
    first, second = Client(), Client()
    assert log_in(first, user.username, PASSWORD).status_code == 302
    assert log_in(second, user.username, PASSWORD, address="127.0.0.9").status_code == 302
    assert second.get(reverse("inbox")).status_code == 200
    assert first.get(reverse("inbox")).status_code == 302


def test_logged_in_pages_and_exports_are_not_kept_by_the_browser(plan_2022):
    client = Client()
    demo_office(client)
    for url in (reverse("inbox"), reverse("review_export")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.get("Cache-Control", ""), url


# --- the secret key -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["a" * 60, "abcdefghij" * 6, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"])
def test_production_refuses_a_low_entropy_secret_key(monkeypatch, tmp_path, key):
    from tests.test_settings_production import production_env

    env = production_env(tmp_path, DJANGO_SECRET_KEY=key)
    for name in [k for k in os.environ if k.startswith("DJANGO_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith(("DJANGO_", "TRACKER_")):
            monkeypatch.setenv(name, value)
    sys.modules.pop("tracker.settings.production", None)
    try:
        with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY is too weak"):
            importlib.import_module("tracker.settings.production")
    finally:
        sys.modules.pop("tracker.settings.production", None)


# --- a password alone -------------------------------------------------------------------------


@override_settings(TRACKER_TWO_FACTOR_REQUIRED=True)
def test_a_password_alone_does_not_open_the_offices_account(plan_2022):
    call_command("create_demo_accounts", stdout=open(os.devnull, "w"))  # noqa: SIM115
    office = User.objects.get(username="duchashi")
    office.set_password(PASSWORD)
    office.save()
    client = Client()
    log_in(client, "duchashi", PASSWORD)
    response = client.get(reverse("overview"))
    assert response.status_code == 302
    assert response.url == reverse("two_factor:setup")
