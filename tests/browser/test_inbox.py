"""The inbox in a real browser: the unread badge in the header, mark read, acknowledge."""

from __future__ import annotations

from datetime import date

import pytest

from projects.models import Message, Project
from projects.services.alerts import PROGRESS_KINDS, alerts_scan
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def badge(page) -> int:
    text = page.locator(".tracker-inbox .badge").inner_text()
    return int("".join(ch for ch in text if ch.isdigit()))


def test_a_leader_reads_and_acknowledges_alerts_in_the_inbox(page, live_server, make_user, plan_2022):
    leader = make_user("leader", username="fushizhang", first_name="分管副市长")
    leader.portfolio.add(*Project.objects.filter(plan=plan_2022, number__in=[2, 6, 10]))
    alerts_scan(as_of=date(2022, 9, 30), kinds=PROGRESS_KINDS)
    unread = Message.objects.filter(recipient=leader).count()
    assert unread > 1

    log_in(page, live_server, username="fushizhang")
    assert badge(page) == unread

    with page.expect_navigation():
        page.click(".tracker-inbox")
    assert page.locator("h1").inner_text().strip() == "站内消息"
    first = page.locator("article.card").first
    subject = first.locator("h2").inner_text()
    assert "预警" in subject
    with page.expect_navigation():
        first.locator("button", has_text="标为已读").click()
    assert badge(page) == unread - 1

    second = page.locator("article.card").nth(1)
    with page.expect_navigation():
        second.locator("button", has_text="确认收到").click()
    assert badge(page) == unread - 2
    assert page.locator("article.card").nth(1).locator(".badge", has_text="已确认").count() == 1
    assert Message.objects.filter(recipient=leader, acknowledged_at__isnull=False).count() == 1
    screenshot(page, "inbox-leader-zh")
