"""The second factor: enrolment with a QR code (TOTP), login with the authenticator's code or a
one-time recovery code, required for the administrators and the office where production's
setting is on, optional for unit users. Codes are computed with django-otp's own functions."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from projects.audit.actions import AuditAction
from projects.models import Role
from tests.account_factories import PASSWORD, UserFactory, account, login_data
from tests.audit.helpers import records

pytestmark = pytest.mark.django_db

MONDAY_9AM = dt.datetime(2022, 6, 6, 9, 0, tzinfo=dt.UTC)
required = override_settings(TRACKER_TWO_FACTOR_REQUIRED=True)


def code(key: bytes) -> str:
    return f"{TOTP(key).token():06d}"


def enrol(client: Client) -> TOTPDevice:
    """The enrolment wizard as the user goes through it: the welcome page, then the QR code's
    key into the authenticator, then its code back."""
    assert client.get(reverse("two_factor:setup")).status_code == 200
    page = client.post(reverse("two_factor:setup"), {"setup_view-current_step": "welcome"})
    assert page.status_code == 200 and page.context["wizard"]["steps"].current == "generator"
    b32 = client.session["django_two_factor-qr_secret_key"]
    assert page.context["secret_key_grouped"].replace(" ", "") == b32
    qr = client.get(reverse("two_factor:qr"))
    assert qr["Content-Type"].startswith("image/svg+xml")
    response = client.post(
        reverse("two_factor:setup"),
        {"setup_view-current_step": "generator", "generator-token": code(base64.b32decode(b32))},
    )
    assert response.status_code == 302, response.context and response.context["wizard"]["form"].errors
    return TOTPDevice.objects.get(user_id=client.session["_auth_user_id"])


def password_step(client: Client, username: str):
    return client.post(reverse("login"), login_data(username, PASSWORD))


@required
def test_the_office_enrols_then_logs_in_with_its_authenticators_code():
    office = account(Role.OFFICE, username="duchashi-2fa")
    client = Client()
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        password_step(client, office.username)
        # A password alone opens nothing: the office is sent to enrol.
        response = client.get(reverse("overview"))
        assert response.status_code == 302 and response.url == reverse("two_factor:setup")
        device = enrol(client)
        assert device.confirmed
        assert client.get(reverse("inbox")).status_code == 200
        client.post(reverse("logout"))

        traveller.shift(dt.timedelta(minutes=1))
        page = password_step(client, office.username)
        assert page.status_code == 200 and page.context["wizard"]["steps"].current == "token"
        assert "_auth_user_id" not in client.session  # not logged in before the code
        wrong = client.post(reverse("login"), {"login_view-current_step": "token", "token-otp_token": "000000"})
        assert wrong.status_code == 200 and "_auth_user_id" not in client.session
        assert "动态口令不正确" in wrong.content.decode()
        traveller.shift(dt.timedelta(seconds=5))  # django-otp slows guessing: 1 s after one failure
        right = client.post(
            reverse("login"), {"login_view-current_step": "token", "token-otp_token": code(device.bin_key)}
        )
        assert right.status_code == 302
        assert client.get(reverse("inbox")).status_code == 200
    assert records(AuditAction.OTP_ENROLLED, actor_username=office.username).count() == 1
    assert records(AuditAction.OTP_FAILED, actor_username=office.username, result="failure").count() == 1
    assert records(AuditAction.OTP_VERIFIED, actor_username=office.username).count() == 1


@required
def test_a_recovery_code_logs_in_once():
    office = account(Role.OFFICE, username="duchashi-rc")
    client = Client()
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        password_step(client, office.username)
        enrol(client)
        assert client.post(reverse("two_factor:backup_tokens")).status_code == 302
        codes = list(StaticToken.objects.filter(device__user=office).values_list("token", flat=True))
        assert len(codes) == 10
        client.post(reverse("logout"))
        traveller.shift(dt.timedelta(minutes=1))
        for attempt in (1, 2):
            fresh = Client()
            password_step(fresh, office.username)
            fresh.post(reverse("login"), {"login_view-current_step": "token", "wizard_goto_step": "backup"})
            response = fresh.post(reverse("login"), {"login_view-current_step": "backup", "backup-otp_token": codes[0]})
            assert ("_auth_user_id" in fresh.session) is (attempt == 1), f"attempt {attempt}"
            assert response.status_code == (302 if attempt == 1 else 200)
    assert StaticToken.objects.filter(device__user=office).count() == 9
    (used,) = records(AuditAction.OTP_RECOVERY_USED, actor_username=office.username)
    assert used.detail["recovery_codes_left"] == 9
    assert records(AuditAction.OTP_RECOVERY_CREATED, actor_username=office.username).count() == 1


@required
@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_every_administrator_must_enrol(role):
    admin = account(role)
    client = Client()
    password_step(client, admin.username)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url == reverse("two_factor:setup")


@required
def test_the_superuser_must_enrol_too():
    from projects.models import User

    User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    password_step(client, "root")
    assert client.get(reverse("admin:index")).url == reverse("two_factor:setup")


@required
def test_a_unit_user_may_enrol_but_is_not_made_to():
    client = Client()
    user = UserFactory()
    password_step(client, user.username)
    assert client.get(reverse("inbox")).status_code == 200
    with time_machine.travel(MONDAY_9AM, tick=False):
        enrol(client)
    # It may switch it off again; the office may not.
    client.get(reverse("two_factor:disable"))


@required
def test_a_role_that_needs_the_second_factor_cannot_switch_it_off():
    office = account(Role.OFFICE, username="duchashi-off")
    client = Client()
    with time_machine.travel(MONDAY_9AM, tick=False):
        password_step(client, office.username)
        enrol(client)
        response = client.post(reverse("two_factor:disable"), {"understand": "on"})
    assert response.status_code == 302 and response.url == reverse("two_factor:profile")
    assert TOTPDevice.objects.filter(user=office).exists()


def test_without_the_production_setting_the_demo_office_logs_in_with_its_password():
    office = account(Role.OFFICE, username="duchashi-demo")
    client = Client()
    password_step(client, office.username)
    assert client.get(reverse("overview")).status_code == 200
