"""The office's login with a second factor in Chromium, as a person does it: the password, then
enrolment (the QR code, whose key the test reads off the page as a phone would scan it), recovery
codes, then the next login with the authenticator's code. The code is computed with django-otp's
own TOTP. Screenshots of each page: artifacts/screenshots/two-factor-*.png."""

from __future__ import annotations

import base64

import pytest
from django.test import override_settings
from django_otp.oath import TOTP

from projects.models import Role
from projects.security.roles import account_role_apply, roles_ensure
from tests.browser.conftest import PASSWORD, screenshot
from tests.browser.demo import log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next=/inbox/")
    page.fill("input[name='auth-username']", username)
    page.fill("input[name='auth-password']", PASSWORD)
    with page.expect_navigation():
        page.click("form.tracker-login-form button[type=submit]")


@override_settings(TRACKER_TWO_FACTOR_REQUIRED=True)
def test_the_office_enrols_and_logs_in_with_its_authenticators_code(page, live_server, make_user, plan_2022):
    roles_ensure()
    office = make_user(Role.OFFICE, username="duchashi", first_name="市政府督查室")
    account_role_apply(user=office)

    password_step(page, live_server, "duchashi")
    # A password alone opens nothing: the office is sent to enrol, with a word why.
    assert page.url.endswith("/accounts/two_factor/setup/")
    assert "您的角色须使用双因素认证" in page.inner_text(".alert")
    screenshot(page, "two-factor-welcome")
    with page.expect_navigation():
        page.click("text=开始绑定")
    qr = page.locator("img.tracker-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "two-factor-enrol")
    secret = page.inner_text("code.tracker-secret").replace(" ", "")
    key = base64.b32decode(secret)
    page.fill("input[name='generator-token']", f"{TOTP(key).token():06d}")
    with page.expect_navigation():
        page.click("text=验证并绑定")
    assert page.inner_text("h1") == "动态口令已绑定"
    with page.expect_navigation():
        page.click("text=生成备用验证码")
    with page.expect_navigation():
        page.click("text=生成新的备用验证码")
    assert page.locator(".tracker-recovery-codes li").count() == 10
    screenshot(page, "two-factor-recovery-codes")
    log_out(page)

    password_step(page, live_server, "duchashi")
    assert page.inner_text("h1") == "动态口令验证"
    page.fill("input[name='token-otp_token']", "123456" if TOTP(key).token() != 123456 else "654321")
    with page.expect_navigation():
        page.click("text=验证并登录")
    assert "动态口令不正确" in page.inner_text(".alert-danger")
    screenshot(page, "two-factor-login-wrong-code")
    page.wait_for_timeout(1100)  # django-otp waits a second after a wrong code before the next
    page.fill("input[name='token-otp_token']", f"{TOTP(key).token():06d}")
    with page.expect_navigation():
        page.click("text=验证并登录")
    assert page.url.endswith("/inbox/")
    assert page.inner_text("h1") == "站内消息"


@override_settings(AXES_ENABLED=True)
def test_the_lockout_page_and_the_administrators_admin_pages(page, live_server, make_user, plan_2022, traffic):
    """What a locked-out login sees, and the admin as the security and system administrators see
    it (the unlock list, an account's form with only its own fields open)."""
    roles_ensure()
    clerk = make_user(Role.UNIT, username="hubin-clerk")
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name='auth-username']", "hubin-clerk")
        page.fill("input[name='auth-password']", "wrong-Password-1")
        with page.expect_navigation():
            page.click("form.tracker-login-form button[type=submit]")
    assert "连续 5 次登录失败，账号已被暂时锁定。" in page.inner_text(".alert-danger")
    assert "请在 30 分钟后再试" in page.inner_text("main")
    screenshot(page, "lockout")
    # The lockout answers 429 on purpose: not a failure of the page.
    traffic.failed[:] = [f for f in traffic.failed if not f.endswith("/accounts/login/ HTTP 429")]
    traffic.errors[:] = [e for e in traffic.errors if "status of 429" not in e]

    security = make_user(Role.SECURITY_ADMIN, username="anquan", first_name="安全管理员")
    account_role_apply(user=security)
    page.context.clear_cookies()
    password_step(page, live_server, "anquan")
    page.goto(f"{live_server.url}/admin/")
    screenshot(page, "admin-security-administrator")
    page.goto(f"{live_server.url}/admin/axes/accessattempt/")
    assert "hubin-clerk" in page.inner_text("#result_list")
    screenshot(page, "admin-lockouts")
    page.context.clear_cookies()

    system = make_user(Role.SYSTEM_ADMIN, username="xitong", first_name="系统管理员")
    account_role_apply(user=system)
    password_step(page, live_server, "xitong")
    page.goto(f"{live_server.url}/admin/projects/user/{clerk.pk}/change/")
    assert page.locator("input[name='email']").count() == 1
    assert page.locator("input[name='is_superuser']").count() == 0
    assert page.locator("select[name='role']").count() == 0
    screenshot(page, "admin-account-as-system-administrator")
