"""The supervision loop's writes: notices and leaders' instructions signed for, answered, verified
and closed; close-outs applied for, decided and reopened; reminders before a deadline and the 催办
after it.

Every write here:
- checks who may (the querysets of projects/permissions.py: an item a user may not act on does not
  exist for them) and that the item is still in the state and version the form showed (the table
  of projects/supervision/states.py; a stale form is refused and changes nothing);
- records the step in the item's history (``SupervisionEvent``: who, when, what, why);
- tells the next person once (``notifications_create``: dedupe keys per step), inside the same
  transaction, and returns the deliveries to send once it commits;
- leaves an audit record (``audit_record``; refusals through ``audit_refusals``).

Locks follow the reporting services' order: an indicator row first (a close-out, a figure), then
the item.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from projects import calendar, clock, permissions
from projects import links as paths
from projects.audit.actions import AuditAction
from projects.audit.services import AuditTarget, audit_record, audit_refusals
from projects.models import (
    Answer,
    AnswerOutcome,
    Event,
    Indicator,
    Instruction,
    InstructionReply,
    Plan,
    Project,
    SupervisionEvent,
    SupervisionFile,
    SupervisionNotice,
    Task,
    User,
)
from projects.services.notifications import News, notifications_create
from projects.supervision import selectors as sel
from projects.supervision import states
from projects.supervision.states import LoopAction, LoopState
from projects.supervision.steps import Refused, day, delete_files, record_step, send_later, stale, store_files

LoopItem = SupervisionNotice | InstructionReply


def _item_event(item: LoopItem, **kwargs: Any) -> SupervisionEvent:
    if isinstance(item, SupervisionNotice):
        return record_step(notice=item, **kwargs)
    return record_step(reply=item, **kwargs)


# --- the two kinds of item: a notice, a unit's part of an instruction -----------------------------


@dataclass(frozen=True)
class _Kind:
    """What differs between a notice and a unit's part of an instruction."""

    model: type[SupervisionNotice] | type[InstructionReply]
    answer_link: str  # Answer's foreign key to it
    related: tuple[str, ...]
    audit: dict[str, str]

    def answerable(self, user: User):
        if self.model is SupervisionNotice:
            return permissions.notices_answerable_by(user)
        return permissions.replies_answerable_by(user)

    def visible(self, user: User):
        if self.model is SupervisionNotice:
            return permissions.notices_visible_to(user)
        return permissions.replies_visible_to(user)


NOTICE = _Kind(
    model=SupervisionNotice,
    answer_link="notice",
    related=("unit", "lead_unit", "indicator__task__project", "plan"),
    audit={
        LoopAction.ACKNOWLEDGE: AuditAction.NOTICE_ACKNOWLEDGE,
        LoopAction.ANSWER: AuditAction.NOTICE_ANSWER,
        LoopAction.ACCEPT: AuditAction.NOTICE_ACCEPT,
        LoopAction.SEND_BACK: AuditAction.NOTICE_SEND_BACK,
    },
)
REPLY = _Kind(
    model=InstructionReply,
    answer_link="reply",
    related=("unit", "instruction__leader", "instruction__project", "instruction__plan"),
    audit={
        LoopAction.ACKNOWLEDGE: AuditAction.REPLY_ACKNOWLEDGE,
        LoopAction.ANSWER: AuditAction.REPLY_ANSWER,
        LoopAction.ACCEPT: AuditAction.REPLY_ACCEPT,
        LoopAction.SEND_BACK: AuditAction.REPLY_SEND_BACK,
    },
)


def _kind(item: LoopItem) -> _Kind:
    return NOTICE if isinstance(item, SupervisionNotice) else REPLY


def _locked(kind: _Kind, queryset, pk: int) -> LoopItem:
    """The item through the permission queryset, then locked (a second writer waits here)."""
    pk = queryset.values_list("pk", flat=True).get(pk=pk)
    return kind.model.objects.select_for_update(of=("self",)).select_related(*kind.related).get(pk=pk)


def _move(item: LoopItem, action: str, version: int | None, **fields: Any) -> tuple[str, str]:
    """Apply ``action`` to a locked item: the state table says where it goes, the version must be
    the form's. Returns (from, to)."""
    if version is not None and item.version != version:
        raise stale()
    try:
        target = states.target(item.state, action)
    except states.TransitionRefused as exc:
        raise Refused(exc.message) from exc
    before = item.state
    claimed = (
        type(item)
        .objects.filter(pk=item.pk, state=before, version=item.version)
        .update(state=target, version=item.version + 1, **fields)
    )
    if claimed != 1:
        raise stale()
    item.state, item.version = target, item.version + 1
    for name, value in fields.items():
        setattr(item, name, value)
    return before, target


def loop_move(item: Any, action: str, version: int | None, **fields: Any) -> tuple[str, str]:
    """``_move`` for the loop's other items (a deputy's suggestion, projects/people): any row with
    the ``LoopItem`` columns, locked by the caller."""
    return _move(item, action, version, **fields)


# --- links and texts ------------------------------------------------------------------------------


def item_link(item: LoopItem, anchor: str = "") -> str:
    if isinstance(item, SupervisionNotice):
        path = reverse("supervision:notice", args=[item.pk])
    else:
        path = reverse("supervision:instruction", args=[item.instruction_id])
        anchor = f"reply-{item.pk}-{anchor}" if anchor else f"reply-{item.pk}"
    return f"{path}#{anchor}" if anchor else path


def _key(item: LoopItem) -> str:
    return f"notice:{item.pk}" if isinstance(item, SupervisionNotice) else f"reply:{item.pk}"


def _title(item: LoopItem) -> str:
    if isinstance(item, SupervisionNotice):
        return _("督办通知单 %(code)s") % {"code": item.code}
    return _("领导批示（%(code)s）") % {"code": item.instruction.code}


def _about(item: LoopItem) -> str:
    if isinstance(item, SupervisionNotice):
        return f"{item.indicator.code} {item.indicator.name}"
    return instruction_about(item.instruction)


def instruction_about(instruction: Instruction) -> str:
    """What an instruction is about, in words: 督办通知单 …, an indicator, a task or a project."""
    if instruction.notice_id:
        return _("督办通知单 %(code)s") % {"code": instruction.notice.code}
    if instruction.indicator_id:
        return f"{instruction.indicator.code} {instruction.indicator.name}"
    if instruction.task_id:
        return _("任务 %(code)s") % {"code": instruction.task.code}
    return f"{instruction.project.number}. {instruction.project.title}"


def _project_id(item: LoopItem) -> int:
    if isinstance(item, SupervisionNotice):
        return item.indicator.task.project_id
    return item.instruction.project_id


# --- signing for (签收) ----------------------------------------------------------------------------


def notice_acknowledge(*, user: User, notice_id: int, version: int | None = None) -> SupervisionNotice:
    """The unit a notice is addressed to signs for it (签收)."""
    return _acknowledge(NOTICE, user=user, pk=notice_id, version=version)


def reply_acknowledge(*, user: User, reply_id: int, version: int | None = None) -> InstructionReply:
    """A unit named by an instruction signs for its part."""
    return _acknowledge(REPLY, user=user, pk=reply_id, version=version)


def _acknowledge(kind: _Kind, *, user: User, pk: int, version: int | None) -> LoopItem:
    action = kind.audit[LoopAction.ACKNOWLEDGE]
    target = AuditTarget.ref(kind.model, pk)
    with (
        audit_refusals(action=action, actor=user, obj=target, detail={"version": version}),
        transaction.atomic(),
    ):
        item = _locked(kind, kind.answerable(user), pk)
        now = clock.now()
        before, after = _move(item, LoopAction.ACKNOWLEDGE, version, acknowledged_at=now, acknowledged_by=user)
        _item_event(item, action=LoopAction.ACKNOWLEDGE, actor=user, at=now, from_state=before, to_state=after)
        audit_record(action=action, actor=user, obj=item, detail={"state": after})
    return item


def notice_sign_from_inbox(*, user: User, notice_id: int) -> bool:
    """确认签收 in the inbox: signs for the notice when it is addressed to the user's unit and not
    signed for yet; anyone else's acknowledgement (a lead unit's copy, a leader's) signs nothing."""
    unit = permissions.acting_unit(user)
    if unit is None or not SupervisionNotice.objects.filter(pk=notice_id, unit=unit, state=LoopState.ISSUED).exists():
        return False
    try:
        notice_acknowledge(user=user, notice_id=notice_id)
    except Refused:
        return False  # signed for by a colleague a moment ago
    return True


# --- answering (整改反馈) ------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    text: str
    figures: Sequence[int] = ()  # ids of the indicators whose figures the answer says it changed
    new_date: date | None = None
    files: Sequence[UploadedFile] = ()


def notice_answer(*, user: User, notice_id: int, version: int, answer: AnswerInput) -> Answer:
    """The unit answers a notice: what was done, the figures it changed, a new date if it asks for
    one, evidence files. The office is told, once, with a link to the answer."""
    return _answer(NOTICE, user=user, pk=notice_id, version=version, answer=answer)


def reply_answer(*, user: User, reply_id: int, version: int, answer: AnswerInput) -> Answer:
    """A named unit replies to an instruction; the reply goes back to the leader (and the office)."""
    return _answer(REPLY, user=user, pk=reply_id, version=version, answer=answer)


def _answer(kind: _Kind, *, user: User, pk: int, version: int, answer: AnswerInput) -> Answer:
    action = kind.audit[LoopAction.ANSWER]
    detail = {"version": version, "files": [str(f.name or "")[:300] for f in answer.files]}
    stored: list[SupervisionFile] = []
    with audit_refusals(action=action, actor=user, obj=AuditTarget.ref(kind.model, pk), detail=detail):
        try:
            with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
                result = _answer_in_transaction(kind, user=user, pk=pk, version=version, answer=answer, stored=stored)
        except Exception:
            delete_files(stored)
            raise
    return result


def _answer_in_transaction(
    kind: _Kind, *, user: User, pk: int, version: int, answer: AnswerInput, stored: list[SupervisionFile]
) -> Answer:
    item = _locked(kind, kind.answerable(user), pk)
    text = answer.text.strip()
    if not text:
        raise ValidationError({"text": [_("请填写整改落实情况：做了什么、取得了什么效果")]})
    today = clock.today()
    if answer.new_date is not None and calendar.is_past(answer.new_date, today=today):
        raise ValidationError({"new_date": [_("申请调整的完成时限不能早于今天")]})
    now = clock.now()
    if item.state == LoopState.ISSUED:
        # Answering signs for it first: two steps in the history, as on paper.
        before, after = _move(item, LoopAction.ACKNOWLEDGE, version, acknowledged_at=now, acknowledged_by=user)
        _item_event(item, action=LoopAction.ACKNOWLEDGE, actor=user, at=now, from_state=before, to_state=after)
        version = item.version
    before, after = _move(item, LoopAction.ANSWER, version, answered_at=now)
    chosen = set(answer.figures)
    figures = [c.snapshot() for c in sel.figure_choices(item=item, unit=item.unit) if c.indicator.pk in chosen]
    number = (Answer.objects.filter(**{kind.answer_link: item}).aggregate(n=Max("number"))["n"] or 0) + 1
    late = calendar.answer_is_late(item.deadline, answered_on=today)
    saved = Answer.objects.create(
        **{kind.answer_link: item},
        number=number,
        text=text,
        figures=figures,
        new_date=answer.new_date,
        answered_by=user,
        answered_at=now,
        late=late,
    )
    store_files(answer.files, user=user, now=now, stored=stored, answer=saved)
    reason = text if number == 1 else _("第 %(n)s 次反馈：%(text)s") % {"n": number, "text": text}
    _item_event(item, action=LoopAction.ANSWER, actor=user, at=now, from_state=before, to_state=after, reason=reason)
    deliveries = notifications_create(items=_answered_news(item, saved))
    send_later(deliveries)
    audit_record(
        action=kind.audit[LoopAction.ANSWER],
        actor=user,
        obj=item,
        detail={
            "answer": number,
            "late": late,
            "figures": [f["indicator"] for f in figures],
            "new_date": answer.new_date,
            "files": [f.sha256 for f in stored],
        },
    )
    return saved


def _answered_news(item: LoopItem, answer: Answer) -> list[News]:
    values = {
        "title": _title(item),
        "unit": item.unit.name,
        "about": _about(item),
        "n": answer.number,
        "text": answer.text[:500],
        "late": _("（逾期反馈）") if answer.late else "",
    }
    if isinstance(item, SupervisionNotice):
        subject = _("【整改反馈】%(title)s %(unit)s（第 %(n)s 次）%(late)s") % values
    else:
        subject = _("【批示回复】%(title)s %(unit)s（第 %(n)s 次）%(late)s") % values
    lines = [
        _("%(unit)s已就%(title)s（%(about)s）提交第 %(n)s 次反馈%(late)s：") % values,
        answer.text[:1000],
    ]
    if answer.figures:
        lines.append(_("涉及数据：") + "；".join(f"{f['indicator']} {f['name']} {f['figure']}" for f in answer.figures))
    if answer.new_date:
        lines.append(_("申请将完成时限调整为 %(day)s。") % {"day": day(answer.new_date)})
    link = item_link(item, f"answer-{answer.number}")
    key = f"{_key(item)}:answer:{answer.number}"
    if isinstance(item, SupervisionNotice):
        lines.append(_("请核查后办结，或退回重新办理。"))
        return [
            News(
                event=Event.NOTICE_ANSWERED,
                key=key,
                subject=subject,
                body="\n".join(lines),
                link=link,
                lead_unit_id=item.lead_unit_id,
                project_id=_project_id(item),
                notice_id=item.pk,
            )
        ]
    instruction = item.instruction
    to_leader = _("%(leader)s：\n") % {"leader": instruction.leader.display_name} + "\n".join(lines)
    lines.append(_("请核查后办结，或退回重新办理。"))
    return [
        # Back to the leader who wrote the instruction, and to the office, which verifies it.
        News(
            event=Event.INSTRUCTION_REPLY,
            key=key,
            subject=subject,
            body=to_leader,
            link=link,
            user_id=instruction.leader_id,
        ),
        News(event=Event.INSTRUCTION_REPLY, key=key, subject=subject, body="\n".join(lines), link=link),
    ]


# --- verifying (核查) ---------------------------------------------------------------------------


def notice_verify(
    *, user: User, notice_id: int, version: int, accept: bool, reason: str = "", deadline: date | None = None
) -> SupervisionNotice:
    """The office verifies a notice's latest answer: accepts it and closes the notice (办结), or
    sends it back with a reason (and, if it says so, a new deadline), which reopens the answer."""
    return _verify(NOTICE, user=user, pk=notice_id, version=version, accept=accept, reason=reason, deadline=deadline)


def reply_verify(
    *, user: User, reply_id: int, version: int, accept: bool, reason: str = "", deadline: date | None = None
) -> InstructionReply:
    """The office verifies a unit's reply to an instruction; the last reply closed closes the
    instruction and tells its leader."""
    return _verify(REPLY, user=user, pk=reply_id, version=version, accept=accept, reason=reason, deadline=deadline)


def _verify(
    kind: _Kind, *, user: User, pk: int, version: int, accept: bool, reason: str, deadline: date | None
) -> LoopItem:
    action = kind.audit[LoopAction.ACCEPT if accept else LoopAction.SEND_BACK]
    detail = {"version": version, "reason": reason, "deadline": deadline}
    with (
        audit_refusals(action=action, actor=user, obj=AuditTarget.ref(kind.model, pk), detail=detail),
        transaction.atomic(),
        translation.override(settings.LANGUAGE_CODE),
    ):
        queryset = kind.model.objects.all() if permissions.verifies(user) else kind.model.objects.none()
        item = _locked(kind, queryset, pk)
        item = _verify_locked(
            kind,
            item,
            user=user,
            version=version,
            accept=accept,
            reason=reason.strip(),
            deadline=deadline,
            action=action,
        )
    return item


def _verify_locked(
    kind: _Kind,
    item: LoopItem,
    *,
    user: User,
    version: int,
    accept: bool,
    reason: str,
    deadline: date | None,
    action: str,
) -> LoopItem:
    now = clock.now()
    step = LoopAction.ACCEPT if accept else LoopAction.SEND_BACK
    if states.TRANSITIONS[step].needs_reason and not reason:
        raise ValidationError({"reason": [_("退回时请写明原因：还需要做什么、补充什么")]})
    if deadline is not None and calendar.is_past(deadline, today=clock.today()):
        raise ValidationError({"deadline": [_("新的反馈期限不能早于今天")]})
    fields: dict[str, Any] = {"closed_at": now, "closed_by": user} if accept else {}
    if not accept and deadline is not None:
        # A new deadline: the reminder and the 催办 are owed again, once, for it.
        fields.update(deadline=deadline, reminded_at=None, urged_at=None)
    before, after = _move(item, step, version, **fields)
    latest = Answer.objects.filter(**{kind.answer_link: item}).order_by("-number").first()
    if latest is not None:
        Answer.objects.filter(pk=latest.pk).update(
            outcome=AnswerOutcome.ACCEPTED if accept else AnswerOutcome.SENT_BACK,
            outcome_reason=reason,
            verified_by=user,
            verified_at=now,
        )
    shown = reason
    if not accept and deadline is not None:
        shown = _("%(reason)s（重新反馈期限：%(day)s）") % {"reason": reason, "day": day(deadline)}
    _item_event(item, action=step, actor=user, at=now, from_state=before, to_state=after, reason=shown)
    news = [_verified_news(item, accept=accept, reason=reason, number=latest.number if latest else 0)]
    if accept and isinstance(item, InstructionReply):
        news += _instruction_closed_if_done(item.instruction, user=user, now=now)
    send_later(notifications_create(items=news))
    audit_record(
        action=action,
        actor=user,
        obj=item,
        detail={"answer": latest.number if latest else None, "reason": reason, "deadline": deadline, "state": after},
    )
    return item


def _verified_news(item: LoopItem, *, accept: bool, reason: str, number: int) -> News:
    values = {
        "title": _title(item),
        "unit": item.unit.name,
        "about": _about(item),
        "reason": reason,
        "n": number,
        "deadline": day(item.deadline),
    }
    if accept:
        subject = _("【办结】%(title)s %(unit)s") % values
        body = (
            _("%(unit)s：\n你单位关于%(title)s（%(about)s）的第 %(n)s 次反馈经市政府督查室核查通过，该事项已办结。")
            % values
        )
        if reason:
            body += "\n" + _("核查意见：%(reason)s") % values
        event, key = Event.LOOP_CLOSED, f"{_key(item)}:closed"
    else:
        subject = _("【退回重办】%(title)s %(unit)s（第 %(n)s 次反馈）") % values
        body = "\n".join(
            [
                _("%(unit)s：\n你单位关于%(title)s（%(about)s）的第 %(n)s 次反馈经市政府督查室核查，退回重新办理。")
                % values,
                _("退回原因：%(reason)s") % values,
                _("请于 %(deadline)s 前重新反馈。") % values,
            ]
        )
        event, key = Event.LOOP_RETURNED, f"{_key(item)}:returned:{number}"
    return News(
        event=event,
        key=key,
        subject=subject,
        body=body,
        link=item_link(item),
        unit_id=item.unit_id,
        notice_id=item.pk if isinstance(item, SupervisionNotice) else None,
    )


def _instruction_closed_if_done(instruction: Instruction, *, user: User, now: datetime) -> list[News]:
    """The instruction closes with its last reply; its leader is told once."""
    if instruction.replies.exclude(state=LoopState.CLOSED).exists():
        return []
    if not Instruction.objects.filter(pk=instruction.pk, closed_at__isnull=True).update(closed_at=now):
        return []
    record_step(
        instruction=instruction,
        action=LoopAction.ACCEPT,
        actor=user,
        at=now,
        to_state=LoopState.CLOSED,
        reason=_("各单位回复均已核查办结"),
    )
    values = {
        "code": instruction.code,
        "about": instruction_about(instruction),
        "leader": instruction.leader.display_name,
    }
    return [
        News(
            event=Event.LOOP_CLOSED,
            key=f"instruction:{instruction.pk}:closed",
            subject=_("【办结】领导批示 %(code)s 各单位均已办结") % values,
            body=_("%(leader)s：\n您关于%(about)s的批示（%(code)s），各单位回复均已经市政府督查室核查办结。") % values,
            link=reverse("supervision:instruction", args=[instruction.pk]),
            user_id=instruction.leader_id,
        )
    ]


# --- leaders' instructions (领导批示) --------------------------------------------------------------


@dataclass(frozen=True)
class InstructionTarget:
    """What an instruction is about: exactly one of these, as the form names it."""

    project_id: int | None = None
    task_id: int | None = None
    indicator_id: int | None = None
    notice_id: int | None = None


def instruction_target_resolve(*, user: User, target: InstructionTarget) -> dict[str, Any]:
    """The project, task, indicator and notice an instruction is about, if the user may write one
    on it (a leader, on a project of his portfolio); else ``DoesNotExist``. A read."""
    notice = indicator = task = None
    if target.notice_id is not None:
        notice = (
            permissions.notices_visible_to(user).select_related("indicator__task__project").get(pk=target.notice_id)
        )
        indicator = notice.indicator
    elif target.indicator_id is not None:
        indicator = Indicator.objects.select_related("task__project").get(pk=target.indicator_id)
    if indicator is not None:
        task = indicator.task
    elif target.task_id is not None:
        task = Task.objects.select_related("project").get(pk=target.task_id)
    project_id = task.project_id if task is not None else target.project_id
    project = permissions.projects_instructable_by(user).select_related("plan").get(pk=project_id)
    # A notice's instruction is about its indicator's task too; an indicator's about its task.
    return {"project": project, "task": task, "indicator": indicator if notice is None else None, "notice": notice}


def instruction_issue(
    *, user: User, target: InstructionTarget, text: str, unit_ids: Sequence[int], deadline: date | None
) -> Instruction:
    """A leader writes an instruction on a project, task, indicator or notice of his portfolio,
    naming the units that must reply and by when; each unit is told once."""
    detail = {"target": target.__dict__, "units": list(unit_ids), "deadline": deadline}
    with (
        audit_refusals(action=AuditAction.INSTRUCTION_ISSUE, actor=user, detail=detail),
        transaction.atomic(),
        translation.override(settings.LANGUAGE_CODE),
    ):
        return _instruction_issue(user=user, target=target, text=text, unit_ids=unit_ids, deadline=deadline)


def _instruction_issue(
    *, user: User, target: InstructionTarget, text: str, unit_ids: Sequence[int], deadline: date | None
) -> Instruction:
    about = instruction_target_resolve(user=user, target=target)
    project: Project = about["project"]
    errors: dict[str, list[str]] = {}
    text = text.strip()
    if not text:
        errors["text"] = [_("请填写批示内容")]
    concerned = sel.instruction_units(**about)
    units = list(concerned.filter(pk__in=set(unit_ids)))
    if not units:
        errors["units"] = [_("请至少选择一个需要回复的单位")]
    elif len(units) != len(set(unit_ids)):
        errors["units"] = [_("所选单位与该事项无关，请从列出的单位中选择")]
    today = clock.today()
    if deadline is None:
        errors["deadline"] = [_("请填写回复期限")]
    elif calendar.is_past(deadline, today=today):
        errors["deadline"] = [_("回复期限不能早于今天")]
    if errors:
        raise ValidationError(errors)
    plan = Plan.objects.select_for_update().get(pk=project.plan_id)  # numbers are given in turn
    number = (Instruction.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1
    now = clock.now()
    instruction = Instruction.objects.create(
        plan=plan,
        number=number,
        code=_("批示〔%(year)s〕%(n)s号") % {"year": plan.year, "n": number},
        leader=user,
        text=text,
        deadline=deadline,
        issued_at=now,
        **about,
    )
    replies = [InstructionReply.objects.create(instruction=instruction, unit=unit, deadline=deadline) for unit in units]
    names = "、".join(u.name for u in units)
    record_step(
        instruction=instruction,
        action=LoopAction.ISSUE,
        actor=user,
        at=now,
        to_state=LoopState.ISSUED,
        reason=_("%(text)s（回复单位：%(units)s；回复期限：%(day)s）")
        % {"text": text, "units": names, "day": day(deadline)},
    )
    send_later(notifications_create(items=[_instruction_news(instruction, reply) for reply in replies]))
    audit_record(
        action=AuditAction.INSTRUCTION_ISSUE,
        actor=user,
        obj=instruction,
        detail={"units": [u.name for u in units], "deadline": deadline, "about": instruction_about(instruction)},
    )
    return instruction


def _instruction_news(instruction: Instruction, reply: InstructionReply) -> News:
    values = {
        "code": instruction.code,
        "unit": reply.unit.name,
        "leader": instruction.leader.display_name,
        "about": instruction_about(instruction),
        "text": instruction.text,
        "deadline": day(instruction.deadline),
    }
    return News(
        event=Event.INSTRUCTION,
        key=f"reply:{reply.pk}:issued",
        subject=_("【领导批示】%(code)s %(leader)s关于%(about)s的批示") % values,
        body="\n".join(
            [
                _("%(unit)s：") % values,
                _("%(leader)s对%(about)s作出批示：") % values,
                f"“{instruction.text}”",
                _("请认真抓好落实，于 %(deadline)s 前在系统中签收并回复落实情况。") % values,
            ]
        ),
        link=item_link(reply),
        unit_id=reply.unit_id,
        project_id=instruction.project_id,
    )


# --- reminders before the deadline and the 催办 after it --------------------------------------------


def supervision_reminders_send(*, as_of: date) -> list[int]:
    """For every notice and instruction still waiting for its unit's answer: a reminder within
    ``calendar.ANSWER_REMINDER_DAYS`` days of its deadline, and the 催办 from the day after the
    deadline, to the unit, copied to the leader in charge and the office. Each once per deadline,
    however often it runs (a conditional update claims it). Returns the deliveries to send."""
    now = clock.now()
    news: list[News] = []
    urged: list[LoopItem] = []
    steps: list[str] = []
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for kind in (NOTICE, REPLY):
            waiting = (
                kind.model.objects.filter(state__in=sorted(states.WAITING_FOR_UNIT))
                .filter(Q(reminded_at__isnull=True) | Q(urged_at__isnull=True))
                .select_related(*kind.related)
                .order_by("deadline", "pk")
            )
            for item in waiting:
                step = _reminder_step(item, as_of=as_of)
                # Claimed by a conditional update: a second run, or a second worker, finds it taken.
                if step is None or not kind.model.objects.filter(pk=item.pk, **{f"{step}__isnull": True}).update(
                    **{step: now}
                ):
                    continue
                urge = step == "urged_at"
                news.append(_urge_news(item) if urge else _reminder_news(item))
                if urge:
                    urged.append(item)
                words = _("已过反馈期限 %(day)s") if urge else _("反馈期限 %(day)s")
                _item_event(
                    item,
                    action=LoopAction.URGE if urge else LoopAction.REMIND,
                    actor=None,
                    at=now,
                    reason=words % {"day": day(item.deadline)},
                )
                steps.append(f"{_key(item)}:{'urge' if urge else 'remind'}")
        created = notifications_create(items=news + _urge_summaries(urged, as_of=as_of))
        if steps:
            detail = {"as_of": as_of, "steps": steps, "deliveries": len(created)}
            audit_record(action=AuditAction.LOOP_REMIND, detail=detail)
    return created


def reminder_owed(item: Any, *, as_of: date) -> str | None:
    """``_reminder_step`` for the loop's other items (a deputy's suggestion, projects/people)."""
    return _reminder_step(item, as_of=as_of)


def _reminder_step(item: LoopItem, *, as_of: date) -> str | None:
    """Which stamp is owed as of ``as_of``: the 催办 once the deadline has passed, the reminder
    while it is near; None when neither (or the one owed was sent)."""
    if calendar.is_past(item.deadline, today=as_of):
        return "urged_at" if item.urged_at is None else None
    if calendar.deadline_near(item.deadline, today=as_of):
        return "reminded_at" if item.reminded_at is None else None
    return None


def _reminder_news(item: LoopItem) -> News:
    values = {"title": _title(item), "unit": item.unit.name, "about": _about(item), "day": day(item.deadline)}
    return News(
        event=Event.LOOP_REMINDER,
        key=f"{_key(item)}:remind:{item.deadline:%Y-%m-%d}",
        subject=_("【反馈提醒】%(title)s 请于 %(day)s 前反馈") % values,
        body=_(
            "%(unit)s：\n%(title)s（%(about)s）的反馈期限为 %(day)s，尚未收到你单位的反馈，"
            "请按期在系统中反馈整改落实情况。"
        )
        % values,
        link=item_link(item),
        unit_id=item.unit_id,
        notice_id=item.pk if isinstance(item, SupervisionNotice) else None,
    )


def _urge_news(item: LoopItem) -> News:
    """The 催办 to the unit (its inbox, e-mail and group robot); the office and the leaders in charge
    read it in their lists of the day (``_urge_summaries``)."""
    values = {"title": _title(item), "unit": item.unit.name, "about": _about(item), "day": day(item.deadline)}
    body = (
        _(
            "%(unit)s：\n%(title)s（%(about)s）的反馈期限 %(day)s 已过，至今未收到你单位的反馈。"
            "请立即在系统中反馈整改落实情况。"
        )
        % values
        + "\n"
        + _("抄送：市政府督查室、分管市领导")
    )
    return News(
        event=Event.LOOP_URGE,
        key=f"{_key(item)}:urge:{item.deadline:%Y-%m-%d}",
        subject=_("【逾期催办】%(title)s %(unit)s 已过反馈期限") % values,
        body=body,
        link=item_link(item),
        unit_id=item.unit_id,
        notice_id=item.pk if isinstance(item, SupervisionNotice) else None,
    )


def _urge_summaries(items: Sequence[LoopItem], *, as_of: date) -> list[News]:
    """The day's 催办, escalated like the alerts: one list for each leader in charge (a notice's
    project's leaders, an instruction's own leader) of his items, and one of all for the office,
    each addressed to its reader and linking to the register of what is overdue."""
    if not items:
        return []
    notices = [i for i in items if isinstance(i, SupervisionNotice)]
    leaders_of: dict[int, set[int]] = {}
    for project_id, user_id in Project.leaders.through.objects.filter(
        project_id__in={_project_id(n) for n in notices}
    ).values_list("project_id", "user_id"):
        leaders_of.setdefault(project_id, set()).add(user_id)
    by_leader: dict[int, list[LoopItem]] = {}
    for item in items:
        if isinstance(item, SupervisionNotice):
            leaders = leaders_of.get(_project_id(item), set())
        else:
            leaders = {item.instruction.leader_id}
        for leader_id in leaders:
            by_leader.setdefault(leader_id, []).append(item)
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=by_leader)}
    # One list per day and set of items: a second run the same day adds nothing.
    digest = hashlib.sha256(",".join(sorted(_key(i) for i in items)).encode()).hexdigest()[:12]
    key = f"loop-urge:{as_of.isoformat()}:{digest}"
    news = [
        _urge_summary(mine, reader=names.get(leader_id, ""), as_of=as_of, key=key, user_id=leader_id)
        for leader_id, mine in by_leader.items()
    ]
    news.append(_urge_summary(list(items), reader=_("市政府督查室"), as_of=as_of, key=key))
    return news


def _urge_summary(items: Sequence[LoopItem], *, reader: str, as_of: date, key: str, user_id: int | None = None) -> News:
    """One reader's list of the day's 催办: a link per item to its own page (the inbox, the e-mail and
    the robot list them under the text), and the register of what is overdue (a leader's narrowed
    to his portfolio: ``leader`` in the registers' filter)."""
    values = {"reader": reader, "day": day(as_of), "n": len(items)}
    body = _("%(reader)s：\n截至 %(day)s，以下 %(n)s 件事项已过反馈期限仍未反馈，已向责任单位发出催办：") % values
    links = []
    for item in items:
        line = _("%(title)s %(unit)s：%(about)s（反馈期限 %(deadline)s）") % {
            "title": _title(item),
            "unit": item.unit.name,
            "about": _about(item),
            "deadline": day(item.deadline),
        }
        links.append((line, item_link(item)))
    register = "notices" if any(isinstance(i, SupervisionNotice) for i in items) else "instructions"
    query: dict[str, str | int] = {"overdue": "yes"}
    if user_id is not None:
        query["leader"] = user_id
    return News(
        event=Event.LOOP_URGE_SUMMARY,
        key=key,
        subject=_("【逾期催办】%(n)s 件督办、批示事项逾期未反馈（%(day)s）") % values,
        body=body,
        link=paths.register(register, **query),
        links=tuple(links),
        user_id=user_id,
    )


def notices_issued(*, notices: Sequence[SupervisionNotice], at: datetime) -> None:
    """The first step of each notice's history: issued by the scan (the escalation of a red alert)."""
    SupervisionEvent.objects.bulk_create(
        SupervisionEvent(
            notice=n, action=LoopAction.ISSUE, to_state=LoopState.ISSUED, actor_name=_("系统"), at=at, reason=n.problem
        )
        for n in notices
    )
