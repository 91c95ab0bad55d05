"""The one state machine of the supervision loop (闭环), and the one of close-outs (销号).

A supervision notice (督办通知单) and each unit's part of a leader's instruction (领导批示) move
through the same states:

    issued (待签收) ─签收→ acknowledged (办理中) ─整改反馈→ answered (待核查)
    answered ─核查通过→ closed (办结)        answered ─退回（说明原因）→ returned (退回重办)
    returned ─再次反馈→ answered

A unit may answer an item it has not signed for yet: the answer signs for it first.

A close-out (销号) is applied for by the task's lead department and decided by the office:

    applied (待核查) ─核查通过→ closed_out (已销号) ─重新打开（说明原因）→ reopened
    applied ─不予销号（说明原因）→ refused

Plain data and functions, no database: the services apply a transition with a conditional update
(the row must still be in the state and version the form showed), the pages ask which actions to
offer, the register and the reminders ask which states wait for whom. A small explicit table rather
than a library (django-fsm-2, viewflow.fsm): their transitions are methods on the model that save
the instance, and here each transition is a conditional UPDATE shared by two models, read by the
pages, the register and the jobs alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CLOSEOUT_HOLDING",
    "CLOSEOUT_TRANSITIONS",
    "OPEN_STATES",
    "TRANSITIONS",
    "WAITING_FOR_OFFICE",
    "WAITING_FOR_UNIT",
    "Actor",
    "CloseOutAction",
    "CloseOutState",
    "LoopAction",
    "LoopState",
    "Transition",
    "TransitionRefused",
    "actions_for",
    "closeout_target",
    "target",
]


class LoopState(models.TextChoices):
    ISSUED = "issued", _("待签收")
    ACKNOWLEDGED = "acknowledged", _("已签收，待反馈")
    ANSWERED = "answered", _("已反馈，待核查")
    RETURNED = "returned", _("已退回，待重新反馈")
    CLOSED = "closed", _("已办结")


class LoopAction(models.TextChoices):
    ISSUE = "issue", _("签发")
    ACKNOWLEDGE = "acknowledge", _("签收")
    ANSWER = "answer", _("整改反馈")
    ACCEPT = "accept", _("核查通过，办结")
    SEND_BACK = "send_back", _("退回重新办理")
    # Not changes of state, but steps of the item's history all the same.
    REMIND = "remind", _("反馈期限提醒")
    URGE = "urge", _("逾期催办")


class CloseOutState(models.TextChoices):
    APPLIED = "applied", _("已申请，待核查")
    CLOSED_OUT = "closed_out", _("已销号")
    REFUSED = "refused", _("不予销号")
    REOPENED = "reopened", _("已重新打开")


class CloseOutAction(models.TextChoices):
    APPLY = "apply", _("申请销号")
    APPROVE = "approve", _("核查通过，销号")
    REFUSE = "refuse", _("不予销号")
    REOPEN = "reopen", _("重新打开")


class Actor(models.TextChoices):
    UNIT = "unit", pgettext_lazy("督办", "责任单位")
    OFFICE = "office", _("市政府督查室")


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    by: str  # Actor
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    LoopAction.ACKNOWLEDGE: Transition(frozenset({LoopState.ISSUED}), LoopState.ACKNOWLEDGED, Actor.UNIT),
    LoopAction.ANSWER: Transition(
        frozenset({LoopState.ISSUED, LoopState.ACKNOWLEDGED, LoopState.RETURNED}), LoopState.ANSWERED, Actor.UNIT
    ),
    LoopAction.ACCEPT: Transition(frozenset({LoopState.ANSWERED}), LoopState.CLOSED, Actor.OFFICE),
    LoopAction.SEND_BACK: Transition(
        frozenset({LoopState.ANSWERED}), LoopState.RETURNED, Actor.OFFICE, needs_reason=True
    ),
}

CLOSEOUT_TRANSITIONS: dict[str, Transition] = {
    CloseOutAction.APPROVE: Transition(frozenset({CloseOutState.APPLIED}), CloseOutState.CLOSED_OUT, Actor.OFFICE),
    CloseOutAction.REFUSE: Transition(
        frozenset({CloseOutState.APPLIED}), CloseOutState.REFUSED, Actor.OFFICE, needs_reason=True
    ),
    CloseOutAction.REOPEN: Transition(
        frozenset({CloseOutState.CLOSED_OUT}), CloseOutState.REOPENED, Actor.OFFICE, needs_reason=True
    ),
}

# Who the item waits for: the reminders and the 催办 go to units whose items wait for them.
WAITING_FOR_UNIT = frozenset({LoopState.ISSUED, LoopState.ACKNOWLEDGED, LoopState.RETURNED})
WAITING_FOR_OFFICE = frozenset({LoopState.ANSWERED})
OPEN_STATES = WAITING_FOR_UNIT | WAITING_FOR_OFFICE
# A close-out that holds the indicator (one at a time): applied for, or closed out.
CLOSEOUT_HOLDING = frozenset({CloseOutState.APPLIED, CloseOutState.CLOSED_OUT})


class TransitionRefused(Exception):
    """The item is not in a state the action starts from; the message says so in the user's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _target(table: dict[str, Transition], state: str, action: str, labels: type[models.TextChoices]) -> str:
    transition = table[action]
    if state not in transition.sources:
        raise TransitionRefused(
            gettext("当前状态为“%(state)s”，不能%(action)s") % {"state": labels(state).label, "action": _label(action)}
        )
    return transition.target


def _label(action: str) -> str:
    for choices in (LoopAction, CloseOutAction):
        if action in choices.values:
            return str(choices(action).label)
    return action


def target(state: str, action: str) -> str:
    """The state ``action`` leads to from ``state``, or ``TransitionRefused``."""
    return _target(TRANSITIONS, state, action, LoopState)


def closeout_target(state: str, action: str) -> str:
    return _target(CLOSEOUT_TRANSITIONS, state, action, CloseOutState)


def actions_for(state: str, by: str) -> list[str]:
    """The actions ``by`` (an ``Actor``) can take on an item in ``state``: what a page offers."""
    return [action for action, t in TRANSITIONS.items() if t.by == by and state in t.sources]
