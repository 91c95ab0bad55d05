"""Reminders before an answer is due and the 催办 when it is late: with the clock pinned as `make
run` pins it, through the Celery task; the 催办 on the day after the deadline, escalated to the
leader in charge and the office in one list of the day each, once however often the job runs."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from projects.models import Event, Indicator, Message, SupervisionNotice, Unit
from projects.supervision import services as svc
from projects.supervision.tasks import remind_answers
from tests.factories import pin_clock

from .conftest import DEADLINE, ROADS, answer, mails_to, on, told, verify

pytestmark = pytest.mark.django_db


def run_job(day: date, capture) -> None:
    """The daily job as beat starts it: no argument, the pinned clock's today; then what the
    worker sends once the job's transaction has committed."""
    with pin_clock(day), capture(execute=True):
        remind_answers.delay()


def summaries(user) -> list[Message]:
    return [m for m in told(user) if m.kind == Event.LOOP_URGE_SUMMARY]


def about(user, notice) -> list[Message]:
    """What a user was told of this notice (the scan of 6 August issued many: every item red since
    June), oldest first."""
    return [m for m in told(user) if m.notice_id == notice.pk]


def test_a_reminder_two_days_before_and_the_cui_ban_the_day_after_once(
    notice, people, django_capture_on_commit_callbacks
):
    before = {
        u.username: len(about(u, notice)) for u in (people.mianchi, people.office, people.leader, people.jiaotong)
    }
    mine = f"【反馈提醒】督办通知单 {notice.code}"
    assert date(2022, 9, 5) == DEADLINE
    run_job(date(2022, 9, 2), django_capture_on_commit_callbacks)
    assert Message.objects.filter(kind__in=[Event.LOOP_REMINDER, Event.LOOP_URGE]).count() == 0

    run_job(date(2022, 9, 3), django_capture_on_commit_callbacks)  # two days before
    (reminder,) = about(people.mianchi, notice)[before["mianchi"] :]
    assert reminder.kind == Event.LOOP_REMINDER and reminder.subject.startswith(mine)
    assert "2022年9月5日" in reminder.subject and reminder.link == f"/supervision/notices/{notice.pk}/"
    assert len([m for m in mails_to("mianchi@example.org") if m.subject.startswith(mine)]) == 1
    for day in (date(2022, 9, 3), date(2022, 9, 4), date(2022, 9, 5)):  # the deadline day: still on time
        run_job(day, django_capture_on_commit_callbacks)
    assert len(about(people.mianchi, notice)[before["mianchi"] :]) == 1

    run_job(date(2022, 9, 6), django_capture_on_commit_callbacks)  # the day after the deadline
    urge = about(people.mianchi, notice)[-1]
    assert urge.kind == Event.LOOP_URGE and "逾期催办" in urge.subject and "2022年9月5日" in urge.body
    # Escalated like the alerts: the leader in charge of project 10 and the office each get one list
    # of the day's 催办 addressed to them, with this notice in it (not a copy of the county's letter).
    late = SupervisionNotice.objects.filter(deadline=DEADLINE, state__in=["issued", "acknowledged"]).count()
    for who, reader in (("office", "市政府督查室"), ("leader", people.leader.display_name)):
        user = getattr(people, who)
        assert [m.kind for m in about(user, notice)[before[user.username] :]] == [], who
        (summary,) = summaries(user)
        assert summary.body.startswith(f"{reader}：\n截至 2022年9月6日"), summary.body[:80]
        # A link to each item's own page; the leader's register narrowed to his portfolio.
        (mine,) = [link for link in summary.links if link[1] == f"/supervision/notices/{notice.pk}/"]
        assert mine[0].startswith(f"督办通知单 {notice.code} 渑池县政府：{ROADS} ")
    assert summaries(people.office)[0].link == "/supervision/notices/?overdue=yes"
    assert summaries(people.leader)[0].link == f"/supervision/notices/?overdue=yes&leader={people.leader.pk}"
    assert f"以下 {late} 件事项" in summaries(people.office)[0].body
    assert len(summaries(people.office)[0].links) == late
    assert about(people.jiaotong, notice)[before["jiaotong"] :] == [] and summaries(people.jiaotong) == []
    urged = f"【逾期催办】督办通知单 {notice.code}"
    assert len([m for m in mails_to("mianchi@example.org") if m.subject.startswith(urged)]) == 1

    sent = len(mail.outbox)
    for day in (date(2022, 9, 6), date(2022, 9, 7), date(2022, 9, 30)):
        run_job(day, django_capture_on_commit_callbacks)
    assert [m.kind for m in about(people.mianchi, notice)[before["mianchi"] :]] == [
        Event.LOOP_REMINDER,
        Event.LOOP_URGE,
    ]
    assert len(mail.outbox) == sent
    assert [len(summaries(u)) for u in (people.office, people.leader)] == [1, 1]
    assert [e.action for e in notice.events.order_by("at", "id")] == ["issue", "remind", "urge"]


def test_an_answered_notice_is_not_chased_and_a_new_deadline_starts_again(notice, people):
    with on(date(2022, 9, 1)):
        answer(people.mianchi, notice)
    with on(date(2022, 9, 6)):
        svc.supervision_reminders_send(as_of=date(2022, 9, 6))
        assert about(people.mianchi, notice)[-1].kind == Event.NOTICE  # answered: it waits for the office
        verify(people.office, notice, accept=False, reason="请补充材料", deadline=date(2022, 9, 20))
    notice.refresh_from_db()
    assert notice.deadline == date(2022, 9, 20)
    with on(date(2022, 9, 18)):
        svc.supervision_reminders_send(as_of=date(2022, 9, 18))
    with on(date(2022, 9, 21)):
        svc.supervision_reminders_send(as_of=date(2022, 9, 21))
        svc.supervision_reminders_send(as_of=date(2022, 9, 22))
    chased = [m for m in about(people.mianchi, notice) if m.kind in (Event.LOOP_REMINDER, Event.LOOP_URGE)]
    assert [(m.kind, "2022年9月20日" in m.body) for m in chased] == [
        (Event.LOOP_REMINDER, True),
        (Event.LOOP_URGE, True),
    ]


def test_a_late_reply_to_an_instruction_is_chased_to_its_leader(people, roads, private_media):
    with on(date(2022, 10, 8)):
        instruction = svc.instruction_issue(
            user=people.leader,
            target=svc.InstructionTarget(indicator_id=Indicator.objects.get(code=ROADS).pk),
            text="请抓紧推进。",
            unit_ids=[Unit.objects.get(name="渑池县政府").pk],
            deadline=date(2022, 10, 15),
        )
    with on(date(2022, 10, 16)):
        svc.supervision_reminders_send(as_of=date(2022, 10, 16))
        svc.supervision_reminders_send(as_of=date(2022, 10, 17))
    reply = instruction.replies.get()
    (urge,) = [m for m in told(people.mianchi) if m.kind == Event.LOOP_URGE]
    assert urge.link.endswith(f"#reply-{reply.pk}") and urge.body.startswith("渑池县政府：")
    # The leader who wrote it, and the office, each read it in their list of the day.
    for user in (people.leader, people.office):
        assert [m.kind for m in told(user) if m.kind == Event.LOOP_URGE] == []
        (summary,) = summaries(user)
        assert "以下 1 件事项" in summary.body
        ((label, path),) = summary.links
        assert label.startswith(f"领导批示（{instruction.code}） 渑池县政府：")
        assert path == f"/supervision/instructions/{instruction.pk}/#reply-{reply.pk}"
    assert summaries(people.office)[0].link == "/supervision/instructions/?overdue=yes"
    assert summaries(people.leader)[0].link == f"/supervision/instructions/?overdue=yes&leader={people.leader.pk}"
