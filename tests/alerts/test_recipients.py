"""Who gets what: the reporting unit, its lead unit, the office and the leaders in charge, as the
notification rules in the admin say."""

from datetime import date

import pytest
import time_machine
from django.core import mail

from projects.models import Audience, Event, Message, NotificationRule, Unit, User
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


def test_by_default_the_unit_is_mailed_and_the_others_see_it_in_their_inbox(roads, people):
    mianchi_red()
    assert roads_mail() == [("mianchi@example.org", "【滞后预警·红色")]
    assert len(inbox_of(people.mianchi)) == 1
    assert len(inbox_of(people.jiaotong)) == 1  # lead department of task 10.1
    assert len(inbox_of(people.office)) == 1
    assert len(inbox_of(people.leader)) == 1  # project 10 is in the leader's portfolio
    # Another county's clerk hears nothing of it.
    assert inbox_of(people.shanzhou) == []


def test_a_leader_hears_only_of_the_projects_in_their_portfolio(plan_2022, people):
    with time_machine.travel(at(date(2022, 9, 30)), tick=False):
        alerts_scan(as_of=date(2022, 9, 30), kinds=PROGRESS_KINDS)
    projects = set(
        Message.objects.filter(recipient=people.leader).values_list(
            "alert__indicator__task__project__number", flat=True
        )
    )
    assert projects == {2, 6, 10}


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
    assert len(inbox_of(people.office)) == 1


def test_the_office_changes_who_gets_what_in_the_rules(roads, people):
    NotificationRule.objects.create(
        event=Event.ALERT_LAGGING, audience=Audience.REPORTING_UNIT, in_app=True, email=False, webhook=False
    )
    NotificationRule.objects.create(
        event=Event.ALERT_LAGGING, audience=Audience.LEADERS, in_app=True, email=True, webhook=False
    )
    NotificationRule.objects.create(
        event=Event.ALERT_LAGGING, audience=Audience.OFFICE, in_app=False, email=False, webhook=False
    )
    mianchi_red()
    assert roads_mail() == [("fushizhang@example.org", "【滞后预警·红色")]
    assert len(inbox_of(people.mianchi)) == 1
    assert inbox_of(people.office) == []
