"""Reads of the supervision loop: what an answer may quote, the items behind a page, the registers,
the bulletin's counts and the year-end close-out list.

Who may see what is decided in projects/permissions.py; these take querysets from there or a user.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from projects import calendar, permissions, rules
from projects.models import (
    Answer,
    Assignment,
    CityProgress,
    CloseOut,
    Indicator,
    Instruction,
    InstructionReply,
    Plan,
    Project,
    Submission,
    SupervisionEvent,
    SupervisionNotice,
    Task,
    TaskUnit,
    Unit,
    User,
)
from projects.selectors.reporting import figure_text, submission_figure_text
from projects.supervision.states import CloseOutState, LoopState

LoopItem = SupervisionNotice | InstructionReply


# --- what an answer quotes ------------------------------------------------------------------


def item_indicators(item: LoopItem) -> list[Indicator]:
    """The indicators an item is about: a notice's own; an instruction's indicator, or its notice's,
    or its task's, or its project's."""
    if isinstance(item, SupervisionNotice):
        return [item.indicator]
    instruction = item.instruction
    if instruction.indicator_id:
        return [instruction.indicator]
    if instruction.notice_id:
        return [instruction.notice.indicator]
    scope = Q(task=instruction.task) if instruction.task_id else Q(task__project=instruction.project)
    return list(Indicator.objects.filter(scope).select_related("task").order_by("task__number", "position"))


@dataclass(frozen=True)
class FigureChoice:
    """A figure an answer may say it changed: the unit's latest figure of an indicator."""

    indicator: Indicator
    submission: Submission | None

    @property
    def text(self) -> str:
        return submission_figure_text(self.submission)

    def snapshot(self) -> dict[str, str]:
        sub = self.submission
        return {
            "indicator": self.indicator.code,
            "name": self.indicator.name,
            "month": calendar.month_key(sub.month) if sub else "",
            "figure": self.text,
            "status": str(sub.get_status_display()) if sub else "",
        }


def figure_choices(*, item: LoopItem, unit: Unit) -> list[FigureChoice]:
    """The unit's latest figure (sent or in draft) of each indicator the item is about that the unit
    reports. Two queries."""
    indicators = item_indicators(item)
    reported = set(
        Assignment.objects.filter(unit=unit, indicator__in=indicators).values_list("indicator_id", flat=True)
    )
    latest: dict[int, Submission] = {}
    for sub in (
        Submission.objects.filter(unit=unit, indicator_id__in=reported)
        .select_related("indicator")
        .order_by("indicator_id", "month")
    ):
        latest[sub.indicator_id] = sub
    return [FigureChoice(indicator=i, submission=latest.get(i.pk)) for i in indicators if i.pk in reported]


# --- the items behind the pages ---------------------------------------------------------------


def notice_for_page(*, user: User, pk: int) -> SupervisionNotice:
    return (
        permissions.notices_visible_to(user)
        .select_related(
            "unit", "lead_unit", "task__project", "indicator", "plan", "acknowledged_by", "closed_by", "alert"
        )
        .prefetch_related(_answers())
        .get(pk=pk)
    )


def _answers() -> Prefetch:
    return Prefetch(
        "answers",
        Answer.objects.select_related("answered_by", "verified_by").prefetch_related("files").order_by("number"),
    )


def instruction_for_page(*, user: User, pk: int) -> Instruction:
    """An instruction with the replies the user may read (a unit: its own only)."""
    replies = (
        permissions.replies_visible_to(user)
        .select_related("unit", "acknowledged_by", "closed_by")
        .prefetch_related(_answers())
        .order_by("id")
    )
    return (
        permissions.instructions_visible_to(user)
        .select_related("leader", "project", "task", "indicator", "notice", "plan")
        .prefetch_related(Prefetch("replies", replies, to_attr="visible_replies"))
        .get(pk=pk)
    )


def history(*, item: SupervisionNotice | Instruction | CloseOut, replies: Iterable[InstructionReply] = ()) -> list:
    """The steps of an item's history, oldest first; an instruction's with those of the replies
    given (the ones the reader may see)."""
    if isinstance(item, SupervisionNotice):
        scope = Q(notice=item)
    elif isinstance(item, CloseOut):
        scope = Q(closeout=item)
    else:
        scope = Q(instruction=item, reply__isnull=True) | Q(reply__in=list(replies))
    return list(SupervisionEvent.objects.filter(scope).select_related("reply__unit").order_by("at", "id"))


def indicator_closeouts(*, indicator: Indicator) -> list[CloseOut]:
    """Every close-out of an indicator, newest first, with its history (the indicator's page)."""
    return list(
        CloseOut.objects.filter(indicator=indicator)
        .select_related("unit", "applied_by", "decided_by", "reopened_by")
        .order_by("-applied_at", "-id")
    )


def holding_closeout(*, indicator: Indicator) -> CloseOut | None:
    """The close-out that holds an indicator (applied for, or closed out), if any."""
    return CloseOut.objects.filter(
        indicator=indicator, state__in=[CloseOutState.APPLIED, CloseOutState.CLOSED_OUT]
    ).first()


# --- what a close-out rests on ----------------------------------------------------------------


@dataclass(frozen=True)
class CloseOutStanding:
    """The city's figure of an indicator in the reporting month: what an application rests on."""

    month: date
    progress: CityProgress | None

    @property
    def completion(self) -> Decimal | None:
        return self.progress.completion if self.progress else None

    @property
    def met(self) -> bool:
        return self.progress is not None and rules.is_done(completion=self.progress.completion)

    def figure(self, indicator: Indicator) -> str:
        p = self.progress
        if p is None:
            return ""
        return figure_text(indicator, value=p.value, numerator=p.numerator, denominator=p.denominator, stage=p.stage)


def closeout_standing(*, indicator: Indicator, today: date) -> CloseOutStanding:
    """The city's standing on ``indicator`` in the reporting month as of ``today`` (within the months
    the indicator is followed): a target is met when its completion is 100 %."""
    plan = indicator.task.project.plan
    followed = calendar.followed_months(indicator.window(plan))
    month = calendar.reporting_month(today=today, due_day=plan.due_day)
    month = min(max(month, followed[0]), followed[-1])
    return CloseOutStanding(month=month, progress=CityProgress.objects.filter(indicator=indicator, month=month).first())


# --- the units an instruction may name ------------------------------------------------------


def instruction_units(
    *,
    project: Project,
    task: Task | None = None,
    indicator: Indicator | None = None,
    notice: SupervisionNotice | None = None,
) -> QuerySet[Unit]:
    """The units concerned by what an instruction is about: a notice's unit and lead unit; else the
    lead and cooperating units of the task(s) and the units reporting their indicators."""
    if notice is not None:
        return Unit.objects.filter(pk__in=[u for u in (notice.unit_id, notice.lead_unit_id) if u]).order_by(
            "position", "name"
        )
    tasks = Task.objects.filter(pk=task.pk) if task else project.tasks.all()
    indicators = Indicator.objects.filter(pk=indicator.pk) if indicator else Indicator.objects.filter(task__in=tasks)
    roles = TaskUnit.objects.filter(task__in=tasks, unit=OuterRef("pk"))
    reports = Assignment.objects.filter(indicator__in=indicators, unit=OuterRef("pk"))
    return Unit.objects.filter(Exists(roles) | Exists(reports)).order_by("position", "name")


# --- the registers ----------------------------------------------------------------------------


def notice_register(*, user: User) -> QuerySet[SupervisionNotice]:
    """督办台账: the notices a user may read, newest first, with what the table shows."""
    return (
        permissions.notices_visible_to(user)
        .select_related("unit", "lead_unit", "task__project", "indicator", "plan")
        .order_by("-issued_at", "-number")
    )


def reply_register(*, user: User) -> QuerySet[InstructionReply]:
    """The instructions' register: one row per unit that must reply, the rows a user may read."""
    return (
        permissions.replies_visible_to(user)
        .select_related(
            "instruction__leader",
            "instruction__project",
            "instruction__task",
            "instruction__indicator",
            "instruction__notice",
            "instruction__plan",
            "unit",
        )
        .order_by("-instruction__issued_at", "-instruction__number", "id")
    )


def closeout_register(*, user: User) -> QuerySet[CloseOut]:
    return (
        permissions.closeouts_visible_to(user)
        .select_related("indicator__task__project", "unit", "applied_by", "decided_by", "plan")
        .order_by("-applied_at", "-id")
    )


def is_late_now(*, state: str, deadline: date, today: date) -> bool:
    """Whether an item still waiting for its unit's answer is past its deadline."""
    return state in (LoopState.ISSUED, LoopState.ACKNOWLEDGED, LoopState.RETURNED) and calendar.is_past(
        deadline, today=today
    )


# --- the bulletin ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoopCounts:
    """Notices (or instructions' replies) of a plan as of a day: issued, answered on time, late
    (answered late, or unanswered past the deadline), closed."""

    issued: int = 0
    on_time: int = 0
    late: int = 0
    closed: int = 0


def loop_counts(items: QuerySet, *, issued_field: str, as_of: date, tz) -> LoopCounts:
    """Counted from the stamps, so that a past month's bulletin says what was true then: an item
    counts as issued, answered, closed if it was by the end of ``as_of``."""
    end = calendar.end_of_day(as_of, tz=tz)
    issued = items.filter(**{f"{issued_field}__lt": end})
    first = Answer.objects.filter(number=1, answered_at__lt=end)
    rows = issued.annotate(
        answered_on_time=Exists(first.filter(late=False, **{_answer_link(items.model): OuterRef("pk")})),
        answered_late=Exists(first.filter(late=True, **{_answer_link(items.model): OuterRef("pk")})),
    ).values_list("deadline", "answered_on_time", "answered_late", "closed_at")
    on_time = late = closed = total = 0
    for deadline, answered_on_time, answered_late, closed_at in rows:
        total += 1
        if answered_on_time:
            on_time += 1
        elif answered_late or calendar.is_past(deadline, today=as_of):
            late += 1
        if closed_at is not None and closed_at < end:
            closed += 1
    return LoopCounts(issued=total, on_time=on_time, late=late, closed=closed)


def _answer_link(model) -> str:
    return "notice" if model is SupervisionNotice else "reply"


@dataclass(frozen=True)
class BulletinLoop:
    notices: LoopCounts
    replies: LoopCounts
    closed_out: list[CloseOut]


def bulletin_loop(*, plan: Plan, as_of: date, tz) -> BulletinLoop:
    """What the bulletin says of the loop as of ``as_of``: the notices' and the instructions'
    counts, and the targets closed out by then (still closed out)."""
    end = calendar.end_of_day(as_of, tz=tz)
    return BulletinLoop(
        notices=loop_counts(SupervisionNotice.objects.filter(plan=plan), issued_field="issued_at", as_of=as_of, tz=tz),
        replies=loop_counts(
            InstructionReply.objects.filter(instruction__plan=plan),
            issued_field="instruction__issued_at",
            as_of=as_of,
            tz=tz,
        ),
        closed_out=closeouts_closed(plan=plan, before=end),
    )


def closeouts_closed(*, plan: Plan, before: datetime | None = None) -> list[CloseOut]:
    """The plan's targets closed out (and not reopened), in plan order: the close-out list."""
    rows = CloseOut.objects.filter(plan=plan, state=CloseOutState.CLOSED_OUT)
    if before is not None:
        rows = rows.filter(decided_at__lt=before)
    return list(
        rows.select_related("indicator__task__project", "unit", "applied_by", "decided_by").order_by(
            "indicator__task__project__number", "indicator__task__number", "indicator__position"
        )
    )


def closeout_list_rows(*, plan: Plan) -> list[dict]:
    """The year-end close-out list (销号清单): every target of the plan, in plan order, with its
    close-out if it has one that holds it (closed out, or applied for)."""
    holding = {
        c.indicator_id: c
        for c in CloseOut.objects.filter(
            plan=plan, state__in=[CloseOutState.APPLIED, CloseOutState.CLOSED_OUT]
        ).select_related("unit", "applied_by", "decided_by")
    }
    indicators = (
        Indicator.objects.filter(task__project__plan=plan)
        .select_related("task__project")
        .order_by("task__project__number", "task__number", "position")
    )
    return [{"indicator": i, "closeout": holding.get(i.pk)} for i in indicators]
