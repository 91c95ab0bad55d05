"""Two days before the due day, units are told what they still owe; on Monday each leader gets a
digest of the alerts in their portfolio. Each once, however often the job runs."""

from datetime import date

import pytest
import time_machine
from django.core import mail

from projects.models import Message
from projects.services.alerts import PROGRESS_KINDS, alerts_scan, due_reminders_send
from projects.services.notifications import deliveries_send_due
from projects.services.summaries import digests_send
from projects.tasks import remind_due, send_digests

from .conftest import ROADS, at, report

pytestmark = pytest.mark.django_db


def reminders_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to and m.subject.startswith("【报送提醒】")]


def test_units_are_reminded_two_days_before_the_due_day_of_what_they_owe(roads, people):
    report(ROADS, "渑池县政府", date(2022, 9, 1), value=5)
    with time_machine.travel(at(date(2022, 10, 1)), tick=False):
        assert due_reminders_send(as_of=date(2022, 10, 1)) == []  # four days before: too early
    with time_machine.travel(at(date(2022, 10, 3)), tick=False):
        remind_due.apply(kwargs={"as_of": "2022-10-03"})
        remind_due.apply(kwargs={"as_of": "2022-10-03"})
        remind_due.apply(kwargs={"as_of": "2022-10-04"})
        deliveries_send_due()
    [reminder] = reminders_to("mianchi@example.org")
    assert reminder.subject == "【报送提醒】请于 2022年10月5日 前报送 2022年9月 数据"
    # September's figure for 10.1.1 is in; the others are owed; an indicator due in April is not.
    assert ROADS not in reminder.body
    assert "1.1.1 技能培训" in reminder.body and "6.1.1" not in reminder.body
    assert len(reminders_to("shanzhou@example.org")) == 1
    assert Message.objects.filter(recipient=people.mianchi, kind="due_reminder").count() == 1


def open_alerts_on_sep_30() -> None:
    with time_machine.travel(at(date(2022, 9, 30)), tick=False):
        alerts_scan(as_of=date(2022, 9, 30), kinds=PROGRESS_KINDS)


def test_each_leader_gets_a_weekly_digest_of_their_portfolio(plan_2022, people):
    open_alerts_on_sep_30()
    monday = date(2022, 10, 10)
    with time_machine.travel(at(monday, 8), tick=False):
        send_digests.apply(kwargs={"as_of": monday.isoformat()})
        send_digests.apply(kwargs={"as_of": monday.isoformat()})
        deliveries_send_due()
    [digest] = Message.objects.filter(kind="digest")
    assert digest.recipient == people.leader
    assert digest.subject == "【每周摘要】2022年第41周 分管项目预警情况"
    assert "截至 2022年10月10日，您分管的项目共有" in digest.body
    # Each of the leader's projects and its red items, a link each: project 2 is in the portfolio,
    # project 1 (技能培训) is not.
    labels = [label for label, _path in digest.links]
    projects = [label.split("、")[0] for label, path in digest.links if "/dashboards/projects/" in path]
    assert projects == ["二", "六", "十"]
    bridge = next(label for label in labels if "2.5.1 大岭路与和平路交叉路口过街天桥" in label)
    assert not any("技能培训" in label for label in labels)
    (mailed,) = [m for m in mail.outbox if m.subject.startswith("【每周摘要】")]
    assert mailed.to == ["fushizhang@example.org"]
    bridge_page = dict(digest.links)[bridge]
    assert f"· {bridge}：http://127.0.0.1:8000{bridge_page}" in mailed.body
    with time_machine.travel(at(date(2022, 10, 17), 8), tick=False):
        digests_send(as_of=date(2022, 10, 17))
    assert Message.objects.filter(kind="digest").count() == 2
