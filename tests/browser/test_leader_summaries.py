"""On the demo as `make db` builds it (figures to September, the loop's story, the scan and the
digest of 6 October 2022), the vice-mayor's inbox holds what was written for him: summaries of his
portfolio, the day's 催办 list, the replies to his instruction, the weekly digest; no copy of a
letter addressed to a unit. Every link of every message opens for him, and the 催办 list leads to
the register narrowed to his portfolio. The office reads one summary of the day instead of copies."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from projects.clock import DEMO_TODAY
from projects.models import Event, Message, SupervisionNotice, User
from projects.services.accounts import demo_accounts_create
from tests.browser.conftest import PASSWORD, log_in, screenshot
from tests.browser.demo import DEMO_NOW, log_out
from tests.factories import pin_clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots-loop13")
# What a leader is told (projects.services.notifications.DEFAULT_RULES): written for him.
FOR_A_LEADER = {
    Event.PORTFOLIO,
    Event.DIGEST,
    Event.LOOP_URGE_SUMMARY,
    Event.INSTRUCTION_REPLY,
    Event.LOOP_CLOSED,
    Event.BULLETIN,
}


def make_db(plan) -> None:
    """`make db`'s steps after the plans and accounts, on the demo's day."""
    demo_accounts_create(plan=plan)
    for user in User.objects.filter(username__in=["fushizhang", "duchashi"]):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    for command in ("seed_demo", "seed_demo_loop", ("scan", "--no-send"), ("digest", "--no-send")):
        args = command if isinstance(command, tuple) else (command,)
        call_command(*args, stdout=StringIO())


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-top.png"))  # what the window shows first
    screenshot(page, name)


def test_the_leader_reads_summaries_written_for_him_and_every_link_opens(page, live_server, plan_2022):
    with time_machine.travel(DEMO_NOW, tick=True), pin_clock(DEMO_TODAY):
        make_db(plan_2022)
        leader = User.objects.get(username="fushizhang")
        mine = Message.objects.filter(recipient=leader)
        kinds = set(mine.values_list("kind", flat=True))
        assert {Event.PORTFOLIO, Event.DIGEST, Event.LOOP_URGE_SUMMARY} <= kinds <= FOR_A_LEADER, kinds
        assert not mine.filter(body__contains="你单位").exists()
        # Every link of every message opens for him.
        client = Client()
        client.force_login(leader)
        paths = {m.link for m in mine} | {path for m in mine for _label, path in m.links}
        assert len(paths) > 10
        for path in sorted(paths):
            assert client.get(path).status_code == 200, path
        # The 催办 list of the demo's day: the notice signed for and never answered, with its link.
        (urge,) = mine.filter(kind=Event.LOOP_URGE_SUMMARY)
        late = SupervisionNotice.objects.filter(urged_at__isnull=False, task__project__leaders=leader)
        assert len(urge.links) == late.count() >= 1
        assert {path for _label, path in urge.links} == {f"/supervision/notices/{n.pk}/" for n in late}
        assert parse_qs(urlsplit(urge.link).query) == {"overdue": ["yes"], "leader": [str(leader.pk)]}

        log_in(page, live_server, username="fushizhang")
        page.goto(f"{live_server.url}/inbox/")
        shot(page, "leader-inbox")
        card = page.locator(f"#message-{urge.pk}")
        assert card.locator(".tracker-message-links a").count() == len(urge.links)
        with page.expect_navigation():
            card.locator(".tracker-message-open").click()
        assert "leader=" in page.url and "overdue=yes" in page.url
        rows = page.locator("table tbody tr")
        assert rows.count() == late.count()
        for notice in late:
            assert page.locator("table tbody", has_text=notice.code).count() == 1
        shot(page, "leader-register-narrowed")
        page.goto(f"{live_server.url}/supervision/notices/")
        shot(page, "leader-register-all")
        log_out(page)

        # The office: one summary of the day, no copies of the units' letters or notices.
        office = User.objects.get(username="duchashi")
        letters = Message.objects.filter(
            recipient=office, kind__in=[Event.ALERT_LAGGING, Event.ALERT_OVERDUE, Event.ALERT_MISSING, Event.NOTICE]
        )
        assert not letters.exists()
        assert Message.objects.filter(recipient=office, kind=Event.OFFICE_SUMMARY).count() >= 1
        log_in(page, live_server, username="duchashi")
        page.goto(f"{live_server.url}/inbox/")
        shot(page, "office-inbox")
