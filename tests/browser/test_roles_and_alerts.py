"""Each role logs in through the login form; a county's figure reaches the office's overview and the
leader's inbox, through the reporting service, the on-commit hook and the alert re-evaluation.

The demo data as of 2022-09-30 (`make run`'s), the demo accounts, and the clock on 3 October 2022,
while September's figures are being reported (due on the 5th). The whole chain runs in the live
server's thread: the submission commits, ``transaction.on_commit`` publishes the re-evaluation,
eager Celery runs it there and then.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from projects.models import Alert, Message, Submission, SubmissionStatus
from tests.browser.conftest import log_in, screenshot
from tests.browser.demo import OCT3, demo, log_out

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


def test_each_role_logs_in_and_a_countys_figure_reaches_the_overview_and_the_leaders_inbox(
    page, live_server, plan_2022
):
    with time_machine.travel(OCT3, tick=True):
        users = demo(plan_2022)
        leader = users["fushizhang"]
        assert set(leader.portfolio.values_list("number", flat=True)) == {2, 6, 10}

        # The office lands on the overview of August: September's figures are due on 5 October.
        log_in(page, live_server, username="duchashi")
        assert page.inner_text("h1") == "重点民生实事总览"
        assert "截至 2022-08-31" in page.inner_text(".tracker-page-header")
        # It looks at September, whose figures are coming in.
        page.goto(f"{live_server.url}/dashboards/?month=2022-09")
        assert "截至 2022-09-30" in page.inner_text(".tracker-page-header")
        before = overview_figures(page)
        log_out(page)

        # The lead department lands on its month of reporting and has figures to review.
        log_in(page, live_server, username="zhujian")
        assert "市住房城乡建设局 · 2022年9月月报" in page.inner_text("h1")
        with page.expect_navigation():
            page.click("nav >> text=月报审核")
        assert page.locator("table tbody tr").count() > 0
        log_out(page)

        # The leader lands on the overview, his projects first, and has unread alerts.
        log_in(page, live_server, username="fushizhang")
        assert "我分管的民生实事" in page.inner_text("#projects-table")
        unread = badge(page)
        assert unread == Message.objects.filter(recipient=leader, read_at__isnull=True).count() > 0
        log_out(page)

        # 湖滨区 corrects its September figure of 2.2.1 (manholes, 1,048 of its own to do this year)
        # down to 300: 28.6 % against 75 % expected, red.
        log_in(page, live_server, username="hubin")
        assert "湖滨区政府 · 2022年9月月报" in page.inner_text("h1")
        with page.expect_navigation():
            page.locator("tr", has_text="整治窨井设施").get_by_role("link", name="修改").click()
        page.fill("input[name=value]", "300")
        page.fill("textarea[name=explanation]", "经核查，8月上报数含已列入明年计划的点位，更正为实际完成数。")
        with page.expect_navigation():
            page.click("button[value=submit]")
        assert "已提交：整治窨井设施" in page.inner_text(".tracker-messages")
        saved = Submission.objects.get(indicator__code="2.2.1", unit__name="湖滨区政府", month=SEPTEMBER)
        assert (saved.value, saved.status, saved.late) == (300, SubmissionStatus.SUBMITTED, False)
        # The on-commit hook fired in the live server: the re-evaluation opened the alert.
        alert = Alert.objects.get(indicator__code="2.2.1", unit__name="湖滨区政府", resolved_at__isnull=True)
        assert (alert.kind, alert.severity, alert.actual) == ("lagging", "red", Decimal("28.63"))
        log_out(page)

        # The office's overview has one more red unit item, and project 2 and the whole plan lost ground.
        log_in(page, live_server, username="duchashi")
        page.goto(f"{live_server.url}/dashboards/?month=2022-09")
        after = overview_figures(page)
        assert int(after["unit_red"]) == int(before["unit_red"]) + 1
        assert number(after["project_2"]) < number(before["project_2"])
        assert number(after["overall"]) < number(before["overall"])
        log_out(page)

        # The leader in charge of project 2 has one more unread message: the new red alert, on top.
        log_in(page, live_server, username="fushizhang")
        assert badge(page) == unread + 1
        with page.expect_navigation():
            page.click(".tracker-inbox")
        newest = page.locator("article.card").first.locator("h2").inner_text()
        assert newest.endswith("【滞后预警·红色】2.2.1 整治窨井设施 · 湖滨区政府")
        screenshot(page, "inbox-leader-after-county-figure")
