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
from django.utils import timezone

from projects.clock import DEMO_TODAY
from projects.models import Alert, Event, Message, Submission, SubmissionStatus
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

        # The leader lands on the overview, his projects first. His inbox holds a summary of his
        # portfolio written for him, not copies of the counties' letters: project 二 with its red items.
        log_in(page, live_server, username="fushizhang")
        assert "我分管的民生实事" in page.inner_text("#projects-table")
        unread = badge(page)
        assert unread == open_items(leader) > 0
        assert not Message.objects.filter(recipient=leader, alert=alert).exists()
        summary = Message.objects.filter(recipient=leader, kind=Event.PORTFOLIO).latest("created", "pk")
        red_before = red_of_project(summary, "二")
        assert red_before > 0
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

        # 市住房城乡建设局 is told once, with a link to 卢氏县's September figures waiting for it.
        (told,) = Message.objects.filter(recipient=users["zhujian"], kind=Event.SUBMITTED, created__gte=DEMO_NOW)
        assert told.subject == "【月报待审核】卢氏县政府 10月6日报送 1 项数据"
        assert "· 2022年9月 2.1.1 城镇老旧小区开工改造：1,000 户" in told.body
        # It lands on its own month of reporting, opens the message and approves from its queue.
        log_in(page, live_server, username="zhujian")
        assert "市住房城乡建设局 · " in page.inner_text("h1")
        page.goto(f"{live_server.url}/inbox/?kind=submitted")
        with page.expect_navigation():
            page.locator(f"#message-{told.pk}").get_by_role("link", name="去审核").click()
        assert page.url.endswith(told.link)
        rows = page.locator("table.tracker-queue tbody tr")
        assert all("卢氏县政府" in text and "2022年9月" in text for text in rows.all_inner_texts())
        row = rows.filter(has_text="城镇老旧小区开工改造")
        with page.expect_navigation():
            row.get_by_role("link", name="审核").click()
        with page.expect_navigation():
            page.click("button[value=approve]")
        assert "已审核通过" in page.inner_text(".tracker-messages")
        log_out(page)
        # 卢氏县 hears of the approval in its one message of the day's approvals (the demo's own
        # approvals of that day are in it too), whose link opens its September month.
        (approved,) = Message.objects.filter(recipient=users["lushi"], kind=Event.APPROVED, created__gte=DEMO_NOW)
        assert approved.subject.startswith("【月报审核通过】卢氏县政府 ") and approved.subject.endswith("（10月6日）")
        assert "· 2022年9月 2.1.1 城镇老旧小区开工改造：1,000 户" in approved.body
        assert approved.link == "/report/2022-09/"

        # The re-evaluation after each change judged September, as the pages do: the alert is resolved.
        alert.refresh_from_db()
        assert alert.resolved_at is not None
        assert timezone.localdate(alert.resolved_at) == DEMO_TODAY

        # The office's overview has one red unit item fewer; project 2 and the whole plan gained ground.
        log_in(page, live_server, username="duchashi")
        after = overview_figures(page)
        assert int(after["unit_red"]) == int(before["unit_red"]) - 1
        assert number(after["project_2"]) > number(before["project_2"])
        assert number(after["overall"]) > number(before["overall"])
        log_out(page)

        # The leader's summary of the day was rewritten, not added to: project 二 has one red item
        # fewer and the day counts one resolved; its project link opens project 二 as of September.
        log_in(page, live_server, username="fushizhang")
        rewritten = Message.objects.get(pk=summary.pk)
        assert Message.objects.filter(recipient=leader, kind=Event.PORTFOLIO).count() == 1
        assert red_of_project(rewritten, "二") == red_before - 1
        assert "解除 1 项" in rewritten.body
        assert badge(page) == open_items(leader)
        page.goto(f"{live_server.url}/inbox/?kind=portfolio")
        card = page.locator(f"#message-{summary.pk}")
        assert "红色" in card.locator("h3").inner_text()
        screenshot(page, "inbox-leader-after-correction")
        with page.expect_navigation():
            card.get_by_role("link", name=re.compile("^二、")).click()
        assert "/dashboards/projects/" in page.url and "month=2022-09" in page.url
        assert "提升城市建设和管理水平" in page.inner_text("h1")


def red_of_project(summary: Message, number: str) -> int:
    """The red items that a leader's summary counts for one project (its link's label)."""
    (label,) = [label for label, _path in summary.links if label.startswith(f"{number}、")]
    return int(re.search(r"红色 (\d+) 项", label)[1])
