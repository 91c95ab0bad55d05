"""Each role logs in through the login form; a county's correction, approved by the lead
department, reaches the office's pages and resolves its alert in the leader's inbox, through the
reporting service, the on-commit hook and the alert re-evaluation.

The demo of `make run`: its accounts, its figures up to September 2022 and its clock, pinned to
6 October 2022 (the day after September's figures were due) the way `make run` pins it. The whole
chain runs in the live server's thread: the submission commits, ``transaction.on_commit`` publishes
the re-evaluation, eager Celery runs it there and then (the real worker does it in
tests/alerts/test_resolution_through_the_worker.py).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from projects.clock import DEMO_TODAY
from projects.models import Alert, Message, Submission, SubmissionStatus
from tests.browser.conftest import log_in, screenshot
from tests.browser.demo import DEMO_NOW, demo, log_out
from tests.factories import pin_clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEPTEMBER = date(2022, 9, 1)


def number(text: str) -> Decimal:
    return Decimal(re.sub(r"[^\d.]", "", text))


def badge(page) -> int:
    return int(number(page.locator(".tracker-inbox .badge").inner_text()))


def overview_figures(page) -> dict[str, str]:
    return {
        "unit_red": page.inner_text("#unit-red"),
        "overall": page.inner_text("#overall-completion"),
        "project_2": page.inner_text("tr[data-project='2'] .project-completion"),
    }


def open_items(user) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True, resolved_at__isnull=True).count()


def test_each_role_logs_in_and_a_countys_approved_correction_resolves_its_alert_everywhere(
    page, live_server, plan_2022
):
    with time_machine.travel(DEMO_NOW, tick=True), pin_clock(DEMO_TODAY):
        users = demo(plan_2022)
        leader = users["fushizhang"]
        assert set(leader.portfolio.values_list("number", flat=True)) == {2, 6, 10}
        # 卢氏县 stands at 485 of its 1,290 households of 2.1.1 by September: 37.6 % against 75 %, red.
        alert = Alert.objects.get(indicator__code="2.1.1", unit__name="卢氏县政府", resolved_at__isnull=True)
        assert (alert.kind, alert.severity, alert.month, alert.actual) == ("lagging", "red", SEPTEMBER, Decimal("37.6"))

        # The office lands on the overview of September: its figures were due on 5 October.
        log_in(page, live_server, username="duchashi")
        assert page.inner_text("h1") == "重点民生实事总览"
        assert "截至 2022-09-30" in page.inner_text(".tracker-page-header")
        assert "2022年10月6日" in page.inner_text("#demo-clock")
        before = overview_figures(page)
        log_out(page)

        # The leader lands on the overview, his projects first, with the red alert unread.
        log_in(page, live_server, username="fushizhang")
        assert "我分管的民生实事" in page.inner_text("#projects-table")
        unread = badge(page)
        assert unread == open_items(leader) > 0
        assert Message.objects.filter(recipient=leader, alert=alert, read_at__isnull=True).exists()
        log_out(page)

        # 卢氏县 lands on its oldest month with something owed or returned; it corrects September's 2.1.1
        # to 1,000 (77.52 %): green.
        log_in(page, live_server, username="lushi")
        landing = page.inner_text("main")
        assert "未填报" in landing or "已退回" in landing
        page.goto(f"{live_server.url}/report/2022-09/")
        assert "卢氏县政府 · 2022年9月月报" in page.inner_text("h1")
        with page.expect_navigation():
            page.locator("tr", has_text="城镇老旧小区开工改造").get_by_role("link", name="修改").click()
        page.fill("input[name=value]", "1000")
        page.fill("textarea[name=explanation]", "补录9月新开工的两个小区。")
        with page.expect_navigation():
            page.click("button[value=submit]")
        assert "已提交：城镇老旧小区开工改造" in page.inner_text(".tracker-messages")
        saved = Submission.objects.get(indicator__code="2.1.1", unit__name="卢氏县政府", month=SEPTEMBER)
        # First sent on time, so still on time after the correction.
        assert (saved.value, saved.status, saved.late) == (1000, SubmissionStatus.SUBMITTED, False)
        log_out(page)

        # 市住房城乡建设局 lands on its own month of reporting, then approves the correction.
        log_in(page, live_server, username="zhujian")
        assert "市住房城乡建设局 · " in page.inner_text("h1")
        page.goto(f"{live_server.url}/submissions/{saved.pk}/")
        with page.expect_navigation():
            page.click("button[value=approve]")
        assert "已审核通过" in page.inner_text(".tracker-messages")
        log_out(page)

        # The re-evaluation after each change judged September, as the pages do: the alert is resolved.
        alert.refresh_from_db()
        assert alert.resolved_at is not None
        assert alert.resolved_at.date() == DEMO_TODAY

        # The office's overview has one red unit item fewer; project 2 and the whole plan gained ground.
        log_in(page, live_server, username="duchashi")
        after = overview_figures(page)
        assert int(after["unit_red"]) == int(before["unit_red"]) - 1
        assert number(after["project_2"]) > number(before["project_2"])
        assert number(after["overall"]) > number(before["overall"])
        log_out(page)

        # The leader's message about it says 已解除 with the day, and is no longer an open item.
        log_in(page, live_server, username="fushizhang")
        assert badge(page) == unread - 1 == open_items(leader)
        message = Message.objects.get(recipient=leader, alert=alert)
        page.goto(f"{live_server.url}/inbox/?page={_inbox_page(leader, message)}")
        card = page.locator(f"#message-{message.pk}")
        assert "已解除 2022-10-06" in card.inner_text()
        assert "2022年9月" in card.locator("h2").inner_text()
        assert card.locator("button", has_text="标为已读").count() == 0
        card.scroll_into_view_if_needed()
        screenshot(page, "inbox-leader-after-correction")


def _inbox_page(user, message) -> int:
    """The inbox page (20 a page, newest first) that shows ``message``."""
    ids = list(Message.objects.filter(recipient=user).order_by("-created", "-id").values_list("id", flat=True))
    return ids.index(message.pk) // 20 + 1
