"""The monthly handoff in a real browser, each person logging in through the form: a county sends
its drafts from its still-to-do list in one go; its reviewer is told once, follows the message to
its queue, ticks them all and approves them; the county is told once, with a link to its month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from projects.models import Event, Indicator, Message, Submission, SubmissionStatus, Unit
from projects.services import reporting
from projects.services.reporting import FigureInput
from tests.browser.conftest import log_in, screenshot
from tests.browser.demo import log_out
from tests.factories import pin_clock
from tests.reporting.conftest import JUNE, REPORTING_JUNE

pytestmark = pytest.mark.browser


def test_drafts_sent_in_one_go_reach_the_reviewer_once_and_come_back_approved(page, live_server, make_user, plan_2022):
    with time_machine.travel(REPORTING_JUNE, tick=True), pin_clock(dt.date(2022, 7, 3)):
        hubin = make_user("unit", username="hubin", unit=Unit.objects.get(name="湖滨区政府"))
        renshe = make_user("unit", username="renshe", unit=Unit.objects.get(name="市人力资源社会保障局"))
        for code, value in (("1.1.1", 12000), ("1.1.2", 3000)):
            reporting.submission_save(
                user=hubin, indicator_id=Indicator.objects.get(code=code).pk, month=JUNE,
                figure=FigureInput(value=Decimal(value)), version=0, submit=False,
            )  # fmt: skip

        log_in(page, live_server, username="hubin")
        with page.expect_navigation():
            page.get_by_role("link", name="待办", exact=True).click()
        june = page.locator("#todo-2022-06")
        assert june.locator("input[name=pick]:checked").count() == 2
        screenshot(page, "todo-drafts", full_page=False)
        with page.expect_navigation():
            page.get_by_role("button", name="提交所选草稿").click()
        assert "已提交 2 项，等待审核" in page.inner_text(".tracker-messages")
        log_out(page)

        (told,) = Message.objects.filter(recipient=renshe, kind=Event.SUBMITTED)
        assert told.subject == "【月报待审核】湖滨区政府 7月3日报送 2 项数据"
        log_in(page, live_server, username="renshe")
        with page.expect_navigation():
            page.click(".tracker-inbox")
        with page.expect_navigation():
            page.locator(f"#message-{told.pk}").get_by_role("link", name="去审核").click()
        assert page.locator("table.tracker-queue tbody tr").count() == 2
        page.check("input[data-check-all=pick]")
        assert page.locator("input[name=pick]:checked").count() == 2
        screenshot(page, "review-queue-ticked", full_page=False)
        with page.expect_navigation():
            page.get_by_role("button", name="审核通过所选").click()
        assert "已审核通过 2 项，数据已锁定" in page.inner_text(".tracker-messages")
        assert page.locator("#queue-empty").is_visible()
        log_out(page)

        assert set(Submission.objects.filter(unit=hubin.unit).values_list("status", flat=True)) == {
            SubmissionStatus.APPROVED
        }
        (approved,) = Message.objects.filter(recipient=hubin, kind=Event.APPROVED)
        assert approved.subject == "【月报审核通过】湖滨区政府 2 项数据已审核通过（7月3日）"
        log_in(page, live_server, username="hubin")
        with page.expect_navigation():
            page.click(".tracker-inbox")
        with page.expect_navigation():
            page.locator(f"#message-{approved.pk}").get_by_role("link", name="查看").click()
        assert "湖滨区政府 · 2022年6月月报" in page.inner_text("h1")
