"""Logins, failures, logouts and lockouts in the audit trail, through Django's and django-axes'
signals; the trail keeps every failure whatever django-axes evicts."""

import datetime as dt

import pytest
import time_machine
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog, AccessLog
from django.test import override_settings
from django.urls import reverse

from projects.audit.actions import AuditAction
from projects.audit.models import AuditResult
from tests.account_factories import PASSWORD, OfficeAdminFactory, UserFactory, login_data

from .helpers import records, verify_all

pytestmark = pytest.mark.django_db

MONDAY_9AM = dt.datetime(2022, 6, 6, 1, 0, tzinfo=dt.UTC)
axes_on = override_settings(AXES_ENABLED=True)


def log_in(client, username, password, address="10.41.2.17"):
    return client.post(
        reverse("login"), login_data(username, password), REMOTE_ADDR=address,
        HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) 360SE",
    )  # fmt: skip


@axes_on
def test_a_login_and_a_logout_are_recorded_with_who_when_and_where(client):
    user = UserFactory(username="hubin")
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        assert log_in(client, "hubin", PASSWORD).status_code == 302
        traveller.shift(dt.timedelta(minutes=20))  # within the 30 minutes a session may stay idle
        client.post(reverse("logout"), REMOTE_ADDR="10.41.2.17")
    login, logout = records()
    assert (login.action, login.actor, login.address, login.at) == (AuditAction.LOGIN, user, "10.41.2.17", MONDAY_9AM)
    assert login.detail["user_agent"] == "Mozilla/5.0 (Windows NT 10.0) 360SE"
    assert (logout.action, logout.actor_username, logout.at) == (
        AuditAction.LOGOUT, "hubin", MONDAY_9AM + dt.timedelta(minutes=20),
    )  # fmt: skip


@axes_on
def test_a_failed_login_is_recorded_against_the_account_it_tried_without_the_password(client):
    user = UserFactory(username="hubin")
    log_in(client, "hubin", "wrong-password-123", address="10.41.9.9")
    log_in(client, "no-such-user", "guess", address="10.41.9.9")
    tried, unknown = records(AuditAction.LOGIN_FAILED)
    assert (tried.result, tried.actor, tried.address) == (AuditResult.FAILURE, None, "10.41.9.9")
    assert (tried.object_id, tried.object_repr) == (str(user.pk), "hubin")
    assert (unknown.object_id, unknown.object_repr, unknown.detail["username"]) == ("", "no-such-user", "no-such-user")
    assert not records().filter(detail__icontains="wrong-password").exists()


@axes_on
def test_a_lockout_is_recorded(client):
    UserFactory(username="hubin")
    for _ in range(5):
        log_in(client, "hubin", "wrong-password-123", address="10.41.9.9")
    (lockout,) = records(AuditAction.LOCKOUT)
    assert (lockout.object_repr, lockout.address, lockout.detail["ip_address"]) == ("hubin", "10.41.9.9", "10.41.9.9")
    assert records(AuditAction.LOGIN_FAILED).count() == 5


@axes_on
def test_a_flood_of_failures_from_one_address_evicts_nothing_from_the_audit_trail(client, monkeypatch):
    """Finding: 1,000 failed logins from one address deleted django-axes' 17 earlier records from
    other addresses. django-axes keeps 1,000 per user; 20 here, to keep the test short."""
    monkeypatch.setitem(AxesDatabaseHandler.remove_out_of_limit_failure_logs.__kwdefaults__, "limit", 20)
    UserFactory(username="duchashi")
    for i in range(17):
        log_in(client, "duchashi", "a-guess-123", address=f"10.41.3.{i + 1}")
    for _ in range(20):
        log_in(client, "duchashi", "a-guess-123", address="203.0.113.66")
    # django-axes' own log has lost every earlier address ...
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    # ... the audit trail has all 37 failures, the 17 earlier addresses among them.
    failures = records(AuditAction.LOGIN_FAILED)
    assert failures.count() == 37
    assert {f"10.41.3.{i + 1}" for i in range(17)} <= set(failures.values_list("address", flat=True))
    assert verify_all().ok


def test_deleting_django_axes_login_records_in_the_admin_leaves_the_audit_trail_and_is_itself_recorded(client):
    """Finding: the superuser could delete login records in the admin, and nothing remained. Now
    nobody can (projects/security/admin.py), and the attempt is noted."""
    user = UserFactory(username="hubin")
    with override_settings(AXES_ENABLED=True):
        log_in(client, "hubin", PASSWORD)
    client.logout()
    superuser = OfficeAdminFactory(username="root_admin")
    client.force_login(superuser)
    entry = AccessLog.objects.get(username="hubin")
    response = client.post(reverse("admin:axes_accesslog_delete", args=[entry.pk]), {"post": "yes"})
    assert response.status_code == 403 and AccessLog.objects.filter(pk=entry.pk).exists()
    assert records(AuditAction.LOGIN, actor=user).count() == 1
    (deletion,) = records(AuditAction.ADMIN_DELETE)
    assert (deletion.actor, deletion.object_type, deletion.object_id) == (superuser, "axes.accesslog", str(entry.pk))
    assert deletion.result == "failure"
