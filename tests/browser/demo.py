"""The demo of `make run` for browser tests: demo accounts, demo figures as of 2022-09-30, and the
clock on 3 October 2022, while September's figures are being reported (due on the 5th)."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command

from projects.models import Plan, User
from projects.services.accounts import demo_accounts_create
from projects.services.alerts import alerts_scan
from tests.browser.conftest import PASSWORD

OCT3 = datetime(2022, 10, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def demo(plan: Plan) -> dict[str, User]:
    """The demo accounts (with the tests' password), the demo figures, and the alerts of the scan
    that ran on 30 September."""
    demo_accounts_create(plan=plan)
    users = {}
    for user in User.objects.filter(username__in=["duchashi", "zhujian", "hubin", "fushizhang"]):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        users[user.username] = user
    call_command("seed_demo", "--as-of", "2022-09-30", stdout=StringIO())
    alerts_scan(as_of=date(2022, 9, 30))
    return users


def log_out(page) -> None:
    """Through the menu's 退出 button (on a phone, open the menu first)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("form.tracker-logout button[type=submit]").wait_for(state="visible")
    with page.expect_navigation():
        page.click("form.tracker-logout button[type=submit]")
