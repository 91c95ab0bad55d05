"""The loop's one state table and its deadlines, as plain functions (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from projects import calendar
from projects.supervision import states
from projects.supervision.states import Actor, CloseOutAction, LoopAction, LoopState


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        ("issued", "acknowledge", "acknowledged"),
        ("issued", "answer", "answered"),  # answering signs for it too
        ("acknowledged", "answer", "answered"),
        ("returned", "answer", "answered"),
        ("answered", "accept", "closed"),
        ("answered", "send_back", "returned"),
    ],
)
def test_the_loop_moves_as_on_paper(state, action, after):
    assert states.target(state, action) == after


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("answered", "answer"),
        ("closed", "answer"),
        ("issued", "accept"),
        ("returned", "send_back"),
        ("acknowledged", "acknowledge"),
        ("closed", "send_back"),
    ],
)
def test_what_the_table_does_not_allow_is_refused_in_words(state, action):
    with pytest.raises(states.TransitionRefused) as refused:
        states.target(state, action)
    assert "当前状态为" in refused.value.message


def test_who_takes_which_step():
    assert states.actions_for(LoopState.ISSUED, Actor.UNIT) == [LoopAction.ACKNOWLEDGE, LoopAction.ANSWER]
    assert states.actions_for(LoopState.RETURNED, Actor.UNIT) == [LoopAction.ANSWER]
    assert states.actions_for(LoopState.ANSWERED, Actor.UNIT) == []
    assert states.actions_for(LoopState.ANSWERED, Actor.OFFICE) == [LoopAction.ACCEPT, LoopAction.SEND_BACK]
    assert states.actions_for(LoopState.CLOSED, Actor.OFFICE) == []
    assert (
        states.TRANSITIONS[LoopAction.SEND_BACK].needs_reason and not states.TRANSITIONS[LoopAction.ACCEPT].needs_reason
    )


def test_a_close_out_is_decided_once_and_reopened_only_when_closed_out():
    assert states.closeout_target("applied", CloseOutAction.APPROVE) == "closed_out"
    assert states.closeout_target("applied", CloseOutAction.REFUSE) == "refused"
    assert states.closeout_target("closed_out", CloseOutAction.REOPEN) == "reopened"
    for state, action in (("closed_out", "approve"), ("refused", "reopen"), ("reopened", "approve")):
        with pytest.raises(states.TransitionRefused):
            states.closeout_target(state, action)


def test_a_notice_is_due_with_the_figures_of_the_month_it_is_issued_in():
    assert calendar.notice_deadline(issued_on=date(2022, 8, 6)) == date(2022, 9, 5)
    assert calendar.notice_deadline(issued_on=date(2022, 8, 31)) == date(2022, 9, 5)
    assert calendar.notice_deadline(issued_on=date(2022, 12, 6), due_day=10) == date(2023, 1, 10)


def test_an_answer_is_on_time_through_its_deadline_day_and_late_from_the_next():
    deadline = date(2022, 9, 5)
    assert not calendar.answer_is_late(deadline, answered_on=date(2022, 9, 5))
    assert calendar.answer_is_late(deadline, answered_on=date(2022, 9, 6))
    # The 催办 and the lateness share the boundary of a month's due day.
    assert calendar.is_past(deadline, today=date(2022, 9, 6)) and not calendar.is_past(deadline, today=deadline)
    assert calendar.is_due(date(2022, 8, 1), today=date(2022, 9, 6)) and not calendar.is_due(
        date(2022, 8, 1), today=date(2022, 9, 5)
    )


@pytest.mark.parametrize(
    ("today", "near"),
    [(date(2022, 9, 2), False), (date(2022, 9, 3), True), (date(2022, 9, 5), True), (date(2022, 9, 6), False)],
)
def test_the_reminder_window_is_the_two_days_before_and_the_day_itself(today, near):
    assert calendar.deadline_near(date(2022, 9, 5), today=today) is near


def test_a_day_ends_at_midnight_beijing_time():
    shanghai = ZoneInfo("Asia/Shanghai")
    end = calendar.end_of_day(date(2022, 9, 5), tz=shanghai)
    assert end == datetime(2022, 9, 5, 16, 0, tzinfo=UTC)
    assert calendar.late_from(date(2022, 8, 1), tz=shanghai) == end
