"""The escalation ladder: a reminder (催办) when an alert opens; a numbered supervision notice
(督办通知单) when it is still red after the next reporting cycle; each step once."""

from datetime import date

import pytest
import time_machine
from django.core import mail

from projects.models import Alert, Event, Message, SupervisionNotice, Unit
from projects.services.alerts import PROGRESS_KINDS, alerts_scan
from projects.services.notifications import deliveries_send_due

from .conftest import ROADS, at, report

pytestmark = pytest.mark.django_db


def scan(day: date):
    with time_machine.travel(at(day), tick=False):
        result = alerts_scan(as_of=day, kinds=PROGRESS_KINDS)
        deliveries_send_due()
    return result


def mianchi_alert() -> Alert:
    return Alert.objects.get(indicator__code=ROADS, unit__name="渑池县政府", resolved_at__isnull=True)


def mails_to(address: str, word: str) -> list:
    return [m for m in mail.outbox if address in m.to and word in m.subject and ROADS in m.body + m.subject]


@pytest.fixture
def mianchi_red_in_june(roads, people):
    Unit.objects.filter(name="渑池县政府").update(responsible_person="张县长")
    report(ROADS, "渑池县政府", date(2022, 6, 1), value=1)  # 10 % against 50 %: red
    report(ROADS, "渑池县政府", date(2022, 7, 1), value=1)
    scan(date(2022, 7, 6))  # June's figures were due on 5 July: June is judged from the 6th
    return mianchi_alert()


def test_an_alert_opens_with_a_reminder_to_the_reporting_unit(mianchi_red_in_june, people):
    alert = mianchi_red_in_june
    assert (alert.severity, alert.red_since, alert.reminded_at is not None) == ("red", date(2022, 6, 1), True)
    # The reminder: an e-mail and an inbox message to the county; the office, the lead department
    # and the leader in charge of project 10 get no copy of the county's letter but their own
    # summary, which links to the item's page as of June.
    reminder = mails_to("mianchi@example.org", "滞后预警")
    assert len(reminder) == 1
    assert "渑池县政府" in reminder[0].body and "完成率 10%" in reminder[0].body and "序时进度 50%" in reminder[0].body
    assert Message.objects.filter(recipient=people.mianchi, alert=alert).count() == 1
    for user in (people.jiaotong, people.leader, people.office):
        assert not Message.objects.filter(recipient=user, alert=alert).exists()
    (units_behind,) = Message.objects.filter(recipient=people.jiaotong, kind=Event.UNITS_BEHIND)
    page = f"/dashboards/indicators/{alert.indicator_id}/?plan={alert.plan_id}&month=2022-06"
    assert ["渑池县政府 · 10.1.1 新增农村客运班线公交化运行行政村：滞后（红色），完成率 10%，序时进度 50%", page] in (
        units_behind.links
    )
    (portfolio,) = Message.objects.filter(recipient=people.leader, kind=Event.PORTFOLIO)
    project = f"/dashboards/projects/{alert.indicator.task.project_id}/?plan={alert.plan_id}&month=2022-06"
    assert next(label for label, path in portfolio.links if path == project).startswith("十、")
    assert not mails_to("jiaotong@example.org", "滞后预警")
    assert not SupervisionNotice.objects.filter(alert=alert).exists()


def test_still_red_after_the_next_due_date_a_numbered_notice_goes_out_once(mianchi_red_in_june, people):
    alert = mianchi_red_in_june
    # Red since June; the next cycle is July, due on 5 August. On that day it is not late yet.
    scan(date(2022, 8, 5))
    assert not SupervisionNotice.objects.filter(alert=alert).exists()
    scan(date(2022, 8, 6))
    notice = SupervisionNotice.objects.get(alert=alert)
    assert notice.code == f"督办〔2022〕{notice.number}号"
    assert (notice.unit.name, notice.lead_unit.name, notice.responsible_person) == (
        "渑池县政府",
        "市交通运输局",
        "张县长",
    )
    assert notice.task.code == "10.1" and notice.indicator.code == ROADS
    assert notice.deadline == date(2022, 9, 5)  # August's figures' due date
    assert "持续亮红灯" in notice.problem
    alert.refresh_from_db()
    assert alert.escalated_at is not None
    # To the unit and its lead unit; the leader in charge and the office read it in their summaries
    # of the day, a link to the notice (no copy of the letter).
    for address in ("mianchi@example.org", "jiaotong@example.org"):
        assert len([m for m in mail.outbox if address in m.to and notice.code in m.subject]) == 1, address
    body = next(m.body for m in mail.outbox if notice.code in m.subject)
    assert "张县长" in body and "整改期限：2022年9月5日" in body and "抄送：分管市领导" in body
    for user in (people.mianchi, people.jiaotong):
        assert Message.objects.filter(recipient=user, notice=notice).count() == 1
    for user, kind in ((people.leader, Event.PORTFOLIO), (people.office, Event.OFFICE_SUMMARY)):
        assert not Message.objects.filter(recipient=user, notice=notice).exists()
        (summary,) = Message.objects.filter(recipient=user, kind=kind, dedupe_key__endswith="2022-08-06")
        assert [f"督办通知单 {notice.code} · 渑池县政府 · {ROADS}", f"/supervision/notices/{notice.pk}/"] in summary.links
    # Later scans, still red: no second notice, no second e-mail.
    sent = len(mail.outbox)
    scan(date(2022, 8, 7))
    scan(date(2022, 8, 31))
    assert SupervisionNotice.objects.filter(alert=alert).count() == 1
    assert not [m for m in mail.outbox[sent:] if ROADS in m.body]


def test_notice_numbers_are_consecutive_and_unique_per_plan(mianchi_red_in_june, plan_2022):
    scan(date(2022, 8, 6))
    numbers = sorted(SupervisionNotice.objects.filter(plan=plan_2022).values_list("number", flat=True))
    # Every item red since June (many lead-reported figures have no report at all) gets one.
    assert len(numbers) > 1
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(set(SupervisionNotice.objects.values_list("code", flat=True))) == len(numbers)


def test_a_yellow_month_restarts_the_ladder(roads, people):
    report(ROADS, "渑池县政府", date(2022, 6, 1), value=1)  # red in June
    scan(date(2022, 7, 6))
    report(ROADS, "渑池县政府", date(2022, 7, 1), value=4)  # 40 % against 58.33 %: yellow
    scan(date(2022, 8, 6))
    assert mianchi_alert().red_since is None
    scan(date(2022, 9, 6))  # August: 40 % against 66.67 %, still yellow
    scan(date(2022, 10, 6))  # September: against 75 %, red again
    alert = mianchi_alert()
    assert (alert.severity, alert.red_since) == ("red", date(2022, 9, 1))
    # It was red in June, but it has not yet stayed red through a cycle since it turned red again:
    # October's figures are due on 5 November.
    scan(date(2022, 11, 5))
    assert not SupervisionNotice.objects.filter(alert=alert).exists()
    scan(date(2022, 11, 6))
    assert SupervisionNotice.objects.filter(alert=alert).count() == 1
    # One alert all along: one reminder.
    assert len(mails_to("mianchi@example.org", "滞后预警")) == 1


def test_a_resolved_alert_is_not_escalated(mianchi_red_in_june):
    report(ROADS, "渑池县政府", date(2022, 7, 1), value=8)
    scan(date(2022, 8, 6))
    mianchi_red_in_june.refresh_from_db()
    assert mianchi_red_in_june.resolved_at is not None
    assert not SupervisionNotice.objects.filter(alert=mianchi_red_in_june).exists()
