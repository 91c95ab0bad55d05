"""The demo of `make run` for browser tests: demo accounts, demo figures up to September 2022, the
alerts of the scan on the demo's day, and the clock on that day: 6 October 2022
(``projects.clock.DEMO_TODAY``), the day after September's figures were due."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command

from projects.clock import DEMO_TODAY
from projects.models import Plan, User
from projects.services.accounts import demo_accounts_create
from projects.services.alerts import alerts_scan
from tests.browser.conftest import PASSWORD
from tests.factories import pin_clock

# 10:00 on the demo's day, Beijing time (time_machine.travel(DEMO_NOW, tick=True) in the tests).
DEMO_NOW = datetime(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
USERS = ["duchashi", "zhujian", "hubin", "lushi", "fushizhang"]


def demo(plan: Plan, *, scans: tuple[date, ...] = ()) -> dict[str, User]:
    """The demo accounts (with the tests' password), the demo figures as `make db` seeds them (as of
    the clock's today) and the alerts of the scan that `make db` runs on that day; ``scans``, days
    scanned before it, each with the clock on that day (a red that lasts into the demo's day is
    escalated to a supervision notice then)."""
    demo_accounts_create(plan=plan)
    users = {}
    for user in User.objects.filter(username__in=USERS):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        users[user.username] = user
    call_command("seed_demo", "--as-of", DEMO_TODAY.isoformat(), stdout=StringIO())
    for day in scans:
        with pin_clock(day):
            alerts_scan(as_of=day)
    alerts_scan(as_of=DEMO_TODAY)
    return users


def log_out(page) -> None:
    """Through the menu's 退出 button (on a phone, open the menu first)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        # Bootstrap marks the menu .show once it has finished opening: a click during the slide
        # can miss the moving button (seen under load, the navigation never came).
        page.locator(".navbar-collapse.show").wait_for(state="visible")
        page.locator("form.tracker-logout button[type=submit]").wait_for(state="visible")
    with page.expect_navigation():
        page.click("form.tracker-logout button[type=submit]")
