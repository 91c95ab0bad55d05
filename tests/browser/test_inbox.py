"""The inbox in a real browser: the unread badge in the header, mark read, acknowledge; a leader's
summary written for him, whose links open the pages of his projects."""

from __future__ import annotations

import re
from datetime import date

import pytest

from projects.models import Event, Message, Project, Unit
from projects.services.alerts import PROGRESS_KINDS, alerts_scan
from tests.browser.conftest import log_in, screenshot
from tests.browser.demo import log_out

pytestmark = pytest.mark.browser


def badge(page) -> int:
    text = page.locator(".tracker-inbox .badge").inner_text()
    return int("".join(ch for ch in text if ch.isdigit()))


def test_a_county_reads_and_acknowledges_its_letters_and_a_leader_follows_his_summary(
    page, live_server, make_user, plan_2022
):
    county = make_user("unit", username="mianchi", unit=Unit.objects.get(name="渑池县政府"))
    leader = make_user("leader", username="fushizhang", first_name="分管副市长")
    leader.portfolio.add(*Project.objects.filter(plan=plan_2022, number__in=[2, 6, 10]))
    alerts_scan(as_of=date(2022, 9, 30), kinds=PROGRESS_KINDS)
    unread = Message.objects.filter(recipient=county).count()
    assert unread > 1

    log_in(page, live_server, username="mianchi")
    assert badge(page) == unread
    with page.expect_navigation():
        page.click(".tracker-inbox")
    assert page.locator("h1").inner_text().strip() == "站内消息"
    first = page.locator("article.card").first
    assert "预警" in first.locator("h3").inner_text()
    with page.expect_navigation():
        first.locator("button", has_text="标为已读").click()
    assert badge(page) == unread - 1
    second = page.locator("article.card").nth(1)
    with page.expect_navigation():
        second.locator("button", has_text="确认收到").click()
    assert badge(page) == unread - 2
    assert page.locator("article.card").nth(1).locator(".badge", has_text="已确认").count() == 1
    assert Message.objects.filter(recipient=county, acknowledged_at__isnull=False).count() == 1
    screenshot(page, "inbox-county-zh")
    log_out(page)

    # The leader: one summary of his three projects, no county's letter; a project's link opens it.
    (summary,) = Message.objects.filter(recipient=leader)
    assert summary.kind == Event.PORTFOLIO
    log_in(page, live_server, username="fushizhang")
    assert badge(page) == 1
    with page.expect_navigation():
        page.click(".tracker-inbox")
    card = page.locator(f"#message-{summary.pk}")
    assert page.locator("article.card").count() == 1 and "你单位承担的" not in card.inner_text()
    assert [card.get_by_role("link", name=re.compile(f"^{n}、")).count() for n in "二六十"] == [1, 1, 1]
    screenshot(page, "inbox-leader-zh")
    with page.expect_navigation():
        card.get_by_role("link", name=re.compile("^十、")).click()
    # On 30 September the latest figures due are August's: the page opens as of August.
    assert "/dashboards/projects/" in page.url and "month=2022-08" in page.url
    assert page.locator("h1").inner_text().startswith("10. ")
