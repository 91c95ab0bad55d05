"""Who gets what: the reporting unit, its lead unit, the office and the leaders in charge, as the
notification rules in the admin say."""

from datetime import date

import pytest
import time_machine
from django.core import mail

from projects.models import Alert, Audience, Event, Message, NotificationRule, Unit, User
from projects.services.alerts import PROGRESS_KINDS, alerts_scan
from projects.services.notifications import deliveries_send_due

from .conftest import ROADS, at, report
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def mianchi_red() -> None:
    report(ROADS, "渑池县政府", date(2022, 9, 1), value=1)
    with time_machine.travel(at(date(2022, 9, 30)), tick=False):
        alerts_scan(as_of=date(2022, 9, 30), kinds=PROGRESS_KINDS)
        deliveries_send_due()


def roads_mail() -> list[tuple[str, str]]:
    return sorted(
        (m.to[0], m.subject.split("】")[0]) for m in mail.outbox if ROADS in m.subject and "渑池" in m.subject
    )


def inbox_of(user: User) -> list[str]:
    """The messages about 渑池县政府's 10.1.1 (the other counties lag on it too)."""
    about = Message.objects.filter(recipient=user, subject__contains=ROADS).filter(subject__contains="渑池县政府")
    return list(about.values_list("subject", flat=True))


def linked_items(user: User, kind: str) -> list[str]:
    """The items a summary links to: its links' labels."""
    return [label for m in Message.objects.filter(recipient=user, kind=kind) for label, _path in m.links]


def test_by_default_the_unit_is_mailed_and_the_others_read_summaries(roads, people):
    mianchi_red()
    assert roads_mail() == [("mianchi@example.org", "【滞后预警·红色")]
    assert len(inbox_of(people.mianchi)) == 1
    # The office gets no copy of the county's letter but its summary of the day, which counts it
    # among the open alerts (the first scan opens every one: the links are the 30 reddest).
    assert inbox_of(people.office) == []
    (summary,) = Message.objects.filter(recipient=people.office, kind=Event.OFFICE_SUMMARY)
    total = Alert.objects.filter(resolved_at__isnull=True).count()
    assert f"全市共有未解除预警 {total} 项" in summary.body and len(summary.links) == 30
    assert "此处列出其中前 30 项预警，其余见预警清单。" in summary.body and "份督办通知单，其余" not in summary.body
    # The lead department of task 10.1 and the leader of project 10 get no copy, but their summary
    # names the item; by default neither is mailed.
    assert inbox_of(people.jiaotong) == [] and inbox_of(people.leader) == []
    item = "渑池县政府 · 10.1.1 新增农村客运班线公交化运行行政村：滞后（红色），完成率 0%，序时进度 66.67%"
    assert item in linked_items(people.jiaotong, Event.UNITS_BEHIND)
    # The leader's summary counts it under project 10 (and links the reddest items of the portfolio).
    (project_10,) = [label for label in linked_items(people.leader, Event.PORTFOLIO) if label.startswith("十、")]
    red = Alert.objects.filter(resolved_at__isnull=True, severity="red", indicator__task__project__number=10).count()
    assert red >= 3 and f"红色 {red} 项" in project_10  # 10.1.1's three counties among them
    # Another county's clerk hears nothing of it.
    assert inbox_of(people.shanzhou) == []
    assert not Message.objects.filter(recipient=people.shanzhou).exclude(subject__contains="陕州区政府").exists()


def test_a_leader_hears_only_of_the_projects_in_their_portfolio(plan_2022, people):
    with time_machine.travel(at(date(2022, 9, 30)), tick=False):
        alerts_scan(as_of=date(2022, 9, 30), kinds=PROGRESS_KINDS)
    (summary,) = Message.objects.filter(recipient=people.leader)
    assert summary.kind == Event.PORTFOLIO
    projects = [label.split("、")[0] for label, path in summary.links if "/projects/" in path]
    assert projects == ["二", "六", "十"]
    codes = {label.split(" · ")[1].split(".")[0] for label, path in summary.links if "/indicators/" in path}
    assert codes and codes <= {"2", "6", "10"}


def test_the_units_own_address_is_mailed_too_once(roads, people):
    Unit.objects.filter(name="渑池县政府").update(email="mianchi-gov@example.org")
    UserFactory(username="mianchi2", unit_name="渑池县政府", email="MIANCHI@example.org")
    mianchi_red()
    # The second clerk's address is the first one's in other letters: one e-mail.
    assert roads_mail() == [
        ("mianchi-gov@example.org", "【滞后预警·红色"),
        ("mianchi@example.org", "【滞后预警·红色"),
    ]


def test_people_who_do_not_receive_alerts_hear_nothing(roads, people):
    User.objects.filter(pk=people.mianchi.pk).update(receives_alerts=False)
    User.objects.filter(pk=people.jiaotong.pk).update(is_active=False)
    mianchi_red()
    assert roads_mail() == []
    assert inbox_of(people.mianchi) == [] and inbox_of(people.jiaotong) == []
    assert len(Message.objects.filter(recipient=people.office, kind=Event.OFFICE_SUMMARY)) == 1


def test_the_office_changes_who_gets_what_in_the_rules(roads, people):
    NotificationRule.objects.create(
        event=Event.ALERT_LAGGING, audience=Audience.REPORTING_UNIT, in_app=True, email=False, webhook=False
    )
    NotificationRule.objects.create(
        event=Event.ALERT_LAGGING, audience=Audience.LEADERS, in_app=True, email=True, webhook=False
    )
    NotificationRule.objects.create(
        event=Event.ALERT_LAGGING, audience=Audience.OFFICE, in_app=True, email=False, webhook=False
    )
    mianchi_red()
    assert roads_mail() == [("fushizhang@example.org", "【滞后预警·红色")]
    assert len(inbox_of(people.mianchi)) == 1
    assert len(inbox_of(people.office)) == 1  # the copy the office asked for
