"""Sessions (idle timeout, absolute limit, one per account), no-store on logged-in answers, and
password expiry and reuse (off in the demo, on in the production example)."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from projects.audit.actions import AuditAction
from projects.models import Role
from tests.account_factories import PASSWORD, UserFactory, account, login_data
from tests.audit.helpers import records
from tests.test_settings_production import ENV_EXAMPLE, env_file, import_production, production_env

pytestmark = pytest.mark.django_db

MONDAY_9AM = dt.datetime(2022, 6, 6, 9, 0, tzinfo=dt.UTC)


def test_a_page_every_29_minutes_keeps_the_session_and_31_idle_minutes_end_it():
    user = UserFactory()
    client = Client()
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        client.post(reverse("login"), login_data(user.username, PASSWORD))
        for _ in range(6):
            traveller.shift(dt.timedelta(minutes=29))
            assert client.get(reverse("inbox")).status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("inbox"))
        assert response.status_code == 302
        assert response.url == reverse("login") + "?next=%2Finbox%2F"
        login_page = client.get(response.url).content.decode()
    assert "已有 30 分钟没有操作，为安全起见已自动退出，请重新登录。" in login_page
    (ended,) = records(AuditAction.SESSION_ENDED)
    assert ended.actor_username == user.username and ended.detail == {"reason": "idle"}


@override_settings(TRACKER_SESSION_IDLE_SECONDS=10 * 60)
def test_the_idle_timeout_is_a_setting():
    user = UserFactory()
    client = Client()
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        client.force_login(user)
        traveller.shift(dt.timedelta(minutes=11))
        assert client.get(reverse("inbox")).status_code == 302


def test_without_one_session_per_account_two_browsers_stay_logged_in():
    user = UserFactory()
    first, second = Client(), Client()
    first.post(reverse("login"), login_data(user.username, PASSWORD))
    second.post(reverse("login"), login_data(user.username, PASSWORD))
    assert first.get(reverse("inbox")).status_code == 200
    assert second.get(reverse("inbox")).status_code == 200


@pytest.mark.parametrize("url_name", ["home", "inbox", "admin:index", "two_factor:profile"])
def test_every_logged_in_answer_is_no_store(url_name):
    client = Client()
    client.force_login(account(Role.OFFICE))
    response = client.get(reverse(url_name))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_login_page_itself_may_be_cached_like_any_public_page():
    assert "no-store" not in Client().get(reverse("password_reset")).get("Cache-Control", "")


# --- passwords ------------------------------------------------------------------------------


@override_settings(TRACKER_PASSWORD_MAX_AGE_DAYS=90)
def test_an_expired_password_must_be_changed_before_anything_else():
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        user = UserFactory()
        traveller.shift(dt.timedelta(days=91))
        client = Client()
        client.post(reverse("login"), login_data(user.username, PASSWORD))
        response = client.get(reverse("inbox"))
        assert response.status_code == 302 and response.url == reverse("password_change")
        page = client.get(reverse("password_change")).content.decode()
        assert "密码已超过 90 天未修改，请先修改密码。" in page
        changed = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": "Xin-Mima-2022-ok", "new_password2": "Xin-Mima-2022-ok"},
        )
        assert changed.status_code == 302
        assert client.get(reverse("inbox")).status_code == 200


@override_settings(TRACKER_PASSWORD_MAX_AGE_DAYS=90)
def test_a_password_set_89_days_ago_has_not_expired():
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        user = UserFactory()
        traveller.shift(dt.timedelta(days=89))
        client = Client()
        client.post(reverse("login"), login_data(user.username, PASSWORD))
        assert client.get(reverse("inbox")).status_code == 200


@override_settings(TRACKER_PASSWORD_REUSE_COUNT=3)
def test_the_last_three_passwords_may_not_be_used_again():
    user = UserFactory()
    for password in (PASSWORD, "Erhao-Mima-2022", "Sanhao-Mima-2022"):  # as the password page sets them
        user.set_password(password)
        user.save()
    for old in (PASSWORD, "Erhao-Mima-2022", "Sanhao-Mima-2022"):
        with pytest.raises(ValidationError) as refused:
            validate_password(old, user)
        assert "不能使用最近 3 次用过的密码。" in refused.value.messages
    user.set_password("Sihao-Mima-2022")
    user.save()
    validate_password(PASSWORD, user)  # the fourth one back is allowed again


def test_in_the_demo_passwords_neither_expire_nor_are_remembered():
    user = UserFactory()
    validate_password(PASSWORD, user)  # reuse allowed


def test_the_production_example_turns_expiry_reuse_and_one_session_per_account_on(monkeypatch, tmp_path):
    example = env_file(ENV_EXAMPLE)
    assert example["TRACKER_PASSWORD_MAX_AGE_DAYS"] == "90"
    assert example["TRACKER_PASSWORD_REUSE_COUNT"] == "5"
    assert example["TRACKER_SESSION_ONE_PER_USER"] == "true"
    # The shared settings read the environment when first imported: read them afresh.
    monkeypatch.delitem(sys.modules, "tracker.settings.base")
    production = import_production(monkeypatch, production_env(tmp_path))
    assert production.TRACKER_PASSWORD_MAX_AGE_DAYS == 90
    assert production.TRACKER_PASSWORD_REUSE_COUNT == 5
    assert production.TRACKER_SESSION_ONE_PER_USER is True
    assert production.TRACKER_SESSION_IDLE_SECONDS == 30 * 60
    assert production.TRACKER_TWO_FACTOR_REQUIRED is True
