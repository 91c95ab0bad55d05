"""Lockout per account from any address and per address across accounts; the page that says
what happened and for how long; the security administrator's unlock. (That a flood of failures
evicts no record is the audit trail's: tests/audit/test_logins.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse

from projects.audit.actions import AuditAction
from projects.models import Role
from tests.account_factories import PASSWORD, UserFactory, account, login_data
from tests.audit.helpers import records

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]

MONDAY_9AM = dt.datetime(2022, 6, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def axes_on():
    with override_settings(AXES_ENABLED=True):
        yield


def log_in(client: Client, username: str, password: str, address: str = "10.41.2.17"):
    return client.post(reverse("login"), login_data(username, password), REMOTE_ADDR=address)


def fail(username: str, times: int, address: str) -> None:
    for _ in range(times):
        log_in(Client(), username, "wrong-Password-1", address)


def test_the_account_lockout_page_says_what_was_locked_and_for_how_long():
    user = UserFactory()
    fail(user.username, 4, "10.41.2.1")
    response = log_in(Client(), user.username, "wrong-Password-1", "10.41.2.2")
    assert response.status_code == 429
    page = response.content.decode()
    assert "连续 5 次登录失败，账号已被暂时锁定。" in page
    assert "请在 30 分钟后再试" in page
    assert "请联系安全管理员" in page


def test_an_address_is_locked_after_20_failures_across_accounts_and_the_page_says_so():
    users = [UserFactory() for _ in range(5)]
    for user in users:
        fail(user.username, 3, "10.41.9.9")  # 15 failures, 3 per account
    fresh = UserFactory()
    fail(fresh.username, 4, "10.41.9.9")  # 19 from the address
    assert log_in(Client(), fresh.username, PASSWORD, "10.41.9.9").status_code == 302  # 19 < 20: not locked
    # The success forgave the account's own 4 failures, not the others': 15 from the address.
    fail(UserFactory().username, 4, "10.41.9.9")  # 19
    fail(users[0].username, 1, "10.41.9.9")  # 20
    response = log_in(Client(), UserFactory().username, PASSWORD, "10.41.9.9")
    assert response.status_code == 429
    assert "从您所在的网络地址连续 20 次登录失败（涉及多个账号），该地址已被暂时禁止登录。" in response.content.decode()


def test_a_lock_lifts_after_30_minutes():
    user = UserFactory()
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        fail(user.username, 5, "10.41.2.1")
        traveller.shift(dt.timedelta(minutes=31))
        assert log_in(Client(), user.username, PASSWORD, "10.41.2.5").status_code == 302


def test_the_security_administrator_unlocks_and_the_unlock_is_recorded():
    user = UserFactory()
    fail(user.username, 5, "10.41.2.1")
    assert log_in(Client(), user.username, PASSWORD).status_code == 429
    security = Client()
    security.force_login(account(Role.SECURITY_ADMIN, username="anquan-1"))
    attempts = list(AccessAttempt.objects.filter(username=user.username).values_list("pk", flat=True))
    response = security.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert log_in(Client(), user.username, PASSWORD).status_code == 302
    # One record per row unlocked (a row per address the account was tried from).
    unlocks = list(records(AuditAction.UNLOCK))
    assert len(unlocks) == len(attempts) == 2
    assert {(u.actor_username, u.detail["username"]) for u in unlocks} == {("anquan-1", user.username)}
    assert sorted(u.detail["ip_address"] for u in unlocks) == ["10.41.2.1", "10.41.2.17"]


@pytest.mark.parametrize("role", [Role.OFFICE, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN])
def test_nobody_else_unlocks(role):
    user = UserFactory()
    fail(user.username, 5, "10.41.2.1")
    other = Client()
    other.force_login(account(role))
    attempts = list(AccessAttempt.objects.filter(username=user.username).values_list("pk", flat=True))
    other.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    other.post(reverse("admin:axes_accessattempt_delete", args=[attempts[0]]), {"post": "yes"})
    assert AccessAttempt.objects.filter(pk__in=attempts).count() == len(attempts)
    assert log_in(Client(), user.username, PASSWORD).status_code == 429
