"""Each reader gets a text written for them (issue 13): the unit its letter, the leader in charge
and the office one summary of the scan's day with a link to each item, rewritten in place when the
condition changes, never a copy of a unit's letter or of a notice addressed to a unit.

The plan is cut down to 10.1.1 (35 villages, split 10/10/15 among 渑池县, 陕州区 and 灵宝市), so that
every count below is worked out by hand from three counties' figures."""

import importlib
from datetime import date

import pytest
import time_machine
from django.core import mail

from projects.models import Alert, Event, Indicator, Message, NotificationRule, SupervisionNotice
from projects.services.alerts import PROGRESS_KINDS, alerts_scan
from projects.services.notifications import deliveries_send_due

from .conftest import ROADS, at, report

pytestmark = pytest.mark.django_db

JULY6, AUG6 = date(2022, 7, 6), date(2022, 8, 6)


@pytest.fixture
def only_roads(roads, people, plan_2022):
    Indicator.objects.filter(task__project__plan=plan_2022).exclude(code=ROADS).delete()
    # 渑池县 reports 1 village in June (10 % of its 10 against 50 % expected: red); 陕州区 and 灵宝市
    # report nothing (0 %: red). Three red lagging alerts.
    report(ROADS, "渑池县政府", date(2022, 6, 1), value=1)
    return people


def scan(day: date, hour: int = 9) -> None:
    with time_machine.travel(at(day, hour), tick=False):
        alerts_scan(as_of=day, kinds=PROGRESS_KINDS)
        deliveries_send_due()


def summaries(user, kind: str) -> list[Message]:
    return list(Message.objects.filter(recipient=user, kind=kind).order_by("created", "id"))


def test_the_office_reads_one_summary_of_the_day_not_copies(only_roads):
    people = only_roads
    scan(JULY6)
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 3
    # The county has its letter; the office none of the three letters, but one summary.
    assert [m.kind for m in Message.objects.filter(recipient=people.mianchi)] == [Event.ALERT_LAGGING]
    assert not Message.objects.filter(recipient=people.office).exclude(kind=Event.OFFICE_SUMMARY).exists()
    (summary,) = summaries(people.office, Event.OFFICE_SUMMARY)
    assert summary.subject == "【预警督办汇总】7月6日 未解除 3 项（红色 3 项），当日新增 3 项"
    assert (
        "共有未解除预警 3 项（红色 3 项），其中滞后 3 项、逾期 0 项、未报送 0 项；当日新增 3 项、解除 0 项"
        in summary.body
    )
    # A link to each of the three items, as of June; the two counties with nothing done (50 points
    # behind) before 渑池县 (40 points behind).
    labels = [label for label, _path in summary.links]
    assert [label.split(" · ")[0] for label in labels][-1] == "渑池县政府"
    assert {label.split(" · ")[0] for label in labels} == {"渑池县政府", "陕州区政府", "灵宝市政府"}
    roads = Indicator.objects.get(code=ROADS)
    assert {path for _label, path in summary.links} == {
        f"/dashboards/indicators/{roads.pk}/?plan={roads.task.project.plan_id}&month=2022-06"
    }
    assert summary.link == f"/dashboards/alerts/?plan={roads.task.project.plan_id}&month=2022-06"
    # In the office's inbox, not its mail; the county's letter to the county only.
    assert not [m for m in mail.outbox if m.to == ["duchashi@example.org"]]
    assert [m.to for m in mail.outbox if "滞后预警" in m.subject and "渑池" in m.subject] == [["mianchi@example.org"]]


def test_notices_reach_the_leader_and_the_office_as_links_in_their_summaries(only_roads):
    people = only_roads
    scan(JULY6)
    scan(AUG6)  # still red once July's figures were due: three notices
    notices = list(SupervisionNotice.objects.order_by("number"))
    assert [n.number for n in notices] == [1, 2, 3]
    # Addressed to each county, copied to the lead department (市交通运输局): their letters.
    assert Message.objects.filter(recipient=people.mianchi, kind=Event.NOTICE).count() == 1
    assert Message.objects.filter(recipient=people.jiaotong, kind=Event.NOTICE).count() == 3
    # The leader and the office get no copy of a notice; their summary of 6 August names all three.
    for user in (people.leader, people.office):
        assert not Message.objects.filter(recipient=user, kind=Event.NOTICE).exists()
    notice_links = [
        (f"督办通知单 {n.code} · {n.unit.name} · {ROADS}", f"/supervision/notices/{n.pk}/") for n in notices
    ]
    (_office_july, office_august) = summaries(people.office, Event.OFFICE_SUMMARY)
    assert (
        office_august.subject == "【预警督办汇总】8月6日 未解除 3 项（红色 3 项），当日新增 0 项，签发督办通知单 3 份"
    )
    assert [tuple(link) for link in office_august.links[:3]] == notice_links
    assert len(office_august.links) == 3 + 3  # and the three items, moved on to July
    assert all("month=2022-07" in path for _label, path in office_august.links[3:])
    (_leader_july, leader_august) = summaries(people.leader, Event.PORTFOLIO)
    assert leader_august.subject.endswith("，签发督办通知单 3 份")
    assert "当日对持续亮红灯的事项签发督办通知单 3 份。" in leader_august.body
    assert [tuple(link) for link in leader_august.links[:3]] == notice_links
    # Then the register of his portfolio's notices.
    assert leader_august.links[3] == ["分管项目的督办通知单台账", f"/supervision/notices/?leader={people.leader.pk}"]
    # One e-mail of each notice to the county and the lead department, none to the leader.
    assert not [m for m in mail.outbox if m.to == ["fushizhang@example.org"]]
    assert len([m for m in mail.outbox if m.to == ["jiaotong@example.org"] and "督办通知单" in m.subject]) == 3


def test_a_condition_that_changes_rewrites_the_summary_of_the_day_in_place(only_roads):
    people = only_roads
    scan(JULY6)
    scan(AUG6)
    (_july, before) = summaries(people.office, Event.OFFICE_SUMMARY)
    Message.objects.filter(pk=before.pk).update(read_at=before.created)
    sent = len(mail.outbox)
    # That afternoon 渑池县 reports July: 7 of 10 (70 % against 58.33 %): its alert clears.
    report(ROADS, "渑池县政府", date(2022, 7, 1), value=7)
    scan(AUG6, hour=15)
    (_july, after) = summaries(people.office, Event.OFFICE_SUMMARY)
    assert after.pk == before.pk and after.read_at is None  # the same message, unread again
    assert after.subject == "【预警督办汇总】8月6日 未解除 2 项（红色 2 项），当日新增 0 项，签发督办通知单 3 份"
    assert "当日新增 0 项、解除 1 项" in after.body
    assert len(after.links) == 3 + 2
    (_july, leader) = summaries(people.leader, Event.PORTFOLIO)
    assert leader.subject.startswith("【分管项目预警汇总】8月6日 未解除 2 项（红色 2 项）")
    # Nothing new is mailed: the county's alert cleared, the summaries live in the inboxes.
    assert mail.outbox[sent:] == []


def test_rules_written_with_the_former_defaults_move_to_the_new_ones(only_roads):
    """Migration 0020: a database whose setup_schedules wrote the former defaults (copies for the
    office and the leaders) gets the new ones; a rule the office changed stays as it is."""
    from django.apps import apps

    migration = importlib.import_module("projects.migrations.0020_loop13")
    rows = {
        ("alert_lagging", "office"): (True, False, False),  # former default: copies in the inbox
        ("notice", "office"): (True, True, True),  # former default
        ("notice", "leaders"): (True, True, False),  # changed by the office: kept
        ("loop_urge", "leaders"): (True, False, False),  # former default
    }
    for (event, audience), (in_app, email, webhook) in rows.items():
        NotificationRule.objects.create(event=event, audience=audience, in_app=in_app, email=email, webhook=webhook)
    migration.copies_become_summaries(apps, None)
    after = {(r.event, r.audience): (r.in_app, r.email, r.webhook) for r in NotificationRule.objects.all()}
    assert after == {
        ("alert_lagging", "office"): (False, False, False),
        ("notice", "office"): (False, False, True),  # its group robot still gets the notices
        ("notice", "leaders"): (True, True, False),
        ("loop_urge", "leaders"): (False, False, False),
    }
    scan(JULY6)
    assert set(Message.objects.filter(recipient=only_roads.office).values_list("kind", flat=True)) == {
        Event.OFFICE_SUMMARY
    }
