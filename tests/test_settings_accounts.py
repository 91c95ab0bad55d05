"""Accounts: lockout after repeated failures, strong passwords, sessions that end."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from tests.account_factories import PASSWORD, UserFactory, login_data

pytestmark = pytest.mark.django_db

# A Monday morning in the reporting week.
MONDAY_9AM = dt.datetime(2022, 6, 6, 9, 0, tzinfo=dt.UTC)

# The test settings switch django-axes off so that other tests may log in freely.
axes_on = override_settings(AXES_ENABLED=True)


def log_in(client, username, password):
    return client.post(reverse("login"), login_data(username, password))


def logged_in(client):
    return "_auth_user_id" in client.session


@axes_on
def test_five_failed_logins_lock_the_account_with_a_chinese_message(client):
    user = UserFactory()
    for _ in range(4):
        response = log_in(client, user.username, "wrong-password")
        assert response.status_code == 200  # the login form again, with its error
    response = log_in(client, user.username, "wrong-password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "连续 5 次登录失败，账号已被暂时锁定。" in page
    assert "请在 30 分钟后再试（锁定期间每次尝试都会重新计时）" in page
    assert response["Content-Type"].startswith("text/html")


@axes_on
def test_a_locked_user_cannot_log_in_with_the_right_password(client):
    user = UserFactory()
    for _ in range(5):
        log_in(client, user.username, "wrong-password")
    response = log_in(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "账号已被暂时锁定" in response.content.decode()
    assert not logged_in(client)
    assert client.get(reverse("home")).status_code == 302


@axes_on
def test_the_lock_lifts_30_minutes_after_the_last_attempt(client):
    user = UserFactory()
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        for _ in range(5):
            log_in(client, user.username, "wrong-password")
        traveller.shift(dt.timedelta(minutes=29))
        assert log_in(client, user.username, PASSWORD).status_code == 429
        # Trying while locked starts the 30 minutes again, as the lockout page says.
        traveller.shift(dt.timedelta(minutes=29))
        assert log_in(client, user.username, PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=31))
        assert log_in(client, user.username, PASSWORD).status_code == 302
        assert logged_in(client)


@axes_on
def test_one_users_failures_do_not_lock_a_colleague_behind_the_same_address(client):
    careless, colleague = UserFactory(), UserFactory()
    for _ in range(5):
        log_in(client, careless.username, "wrong-password")
    response = log_in(client, colleague.username, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


@axes_on
def test_a_successful_login_forgives_earlier_failures(client):
    user = UserFactory()
    for _ in range(4):
        log_in(client, user.username, "wrong-password")
    assert log_in(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, user.username, "wrong-password").status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1-xyz", "密码长度太短：至少需要 10 个字符。"),
        ("2022061520220615", "密码只包含数字。"),
        ("password123", "这个密码太常见了。"),
        ("hubin-tianbao-2022", "密码跟 用户名 太相似了。"),
        ("sanmenxiashi", "密码过于简单：须包含大写字母、小写字母、数字、符号中的至少 3 类。"),
    ],
)
def test_weak_passwords_are_refused_with_chinese_reasons(password, message):
    user = UserFactory.build(username="hubin-tianbao")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password(password, user=user)
    assert message in refused.value.messages


def test_a_strong_password_is_accepted():
    validate_password("Sanmenxia-2022-minsheng", user=UserFactory.build(username="hubin"))


def test_the_password_change_form_explains_the_rules_in_chinese(client):
    client.force_login(UserFactory())
    with translation.override("zh-hans"):
        page = client.get(reverse("password_change")).content.decode()
    assert "密码须包含大写字母、小写字母、数字、符号中的至少 3 类。" in page


def test_a_session_ends_8_hours_after_login_however_busy(client):
    user = UserFactory()
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        assert log_in(client, user.username, PASSWORD).status_code == 302
        for _ in range(23):  # a page every 20 minutes until 16:40
            traveller.shift(dt.timedelta(minutes=20))
            assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=19))  # 16:59
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=2))  # 17:01
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_working_day_session_and_a_cookie_that_ends_with_the_browser(client):
    user = UserFactory()
    response = log_in(client, user.username, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    # No Expires and no Max-Age: the browser forgets the session when it closes.
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"] is True
