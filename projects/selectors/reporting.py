"""Reads of monthly reporting: the calendar, locks, a unit's month, history and exports.

Everything that depends on the date takes ``today`` (``projects.clock.today()``), so that pages,
commands and tests agree on what is open, due and late; the calendar's rules are
``projects.calendar``'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import calendar, permissions
from projects.models import (
    COUNTED_STATUSES,
    Assignment,
    Indicator,
    IndicatorKind,
    MonthClosure,
    Plan,
    RateBasis,
    Submission,
    SubmissionStatus,
    Unit,
    User,
)
from projects.selectors.catalogue import number
from projects.selectors.dashboards import default_month, plans
from projects.services.progress import indicator_months, reportable_months, unit_target
from projects.supervision.rules import closeout_lock

LOCK_APPROVED = gettext_lazy("已审核，已锁定")
LOCK_CLOSED = gettext_lazy("报送窗口已关闭")
LOCK_FUTURE = gettext_lazy("尚未到填报时间")


# --- the calendar of a unit's months ---------------------------------------------------------
# The rules (due days, owed months, parsing, labels) are in projects.calendar; these read the
# database to apply them to a unit's indicators and the office's closures.


def is_late(*, plan: Plan, month: dt.date, at: dt.datetime) -> bool:
    """Whether a figure of ``plan``'s ``month`` sent at ``at`` is late (``calendar.is_late``)."""
    return calendar.is_late(month, at=at, due_day=plan.due_day, tz=timezone.get_default_timezone())


def closed_months(*, plans: Iterable[Plan] | None = None) -> set[tuple[int, dt.date]]:
    qs = MonthClosure.objects.all()
    if plans is not None:
        qs = qs.filter(plan__in=list(plans))
    return set(qs.values_list("plan_id", "month"))


def month_closure(*, plan: Plan, month: dt.date) -> MonthClosure | None:
    return MonthClosure.objects.filter(plan=plan, month=month).select_related("closed_by").first()


def lock_reason(
    *,
    plan: Plan,
    month: dt.date,
    submission: Submission | None,
    today: dt.date,
    closed: bool | None = None,
    indicator: Indicator | None = None,
) -> str | None:
    """Why a unit cannot change this figure now, or None when it can. ``indicator`` defaults to the
    submission's (a figure not yet entered passes it)."""
    if indicator is None and submission is not None:
        indicator = submission.indicator
    if indicator is not None and (closed_out := closeout_lock(indicator)):
        return closed_out
    if submission is not None and submission.status == SubmissionStatus.APPROVED:
        return str(LOCK_APPROVED)
    if closed is None:
        closed = MonthClosure.objects.filter(plan=plan, month=month).exists()
    if closed:
        return str(LOCK_CLOSED)
    if not calendar.is_over(month, today=today):
        return str(LOCK_FUTURE)
    return None


def _followed(assignments: QuerySet[Assignment]) -> list[tuple[Indicator, Plan]]:
    indicators = Indicator.objects.filter(assignments__in=assignments).distinct().select_related("task__project__plan")
    return [(i, i.task.project.plan) for i in indicators]


def reporting_months(*, assignments: QuerySet[Assignment], today: dt.date) -> list[dt.date]:
    """The months that can be chosen on a month page: every month one of the indicators may be
    reported in (``calendar.reportable_months``), up to the last month that is over, newest first."""
    months: set[dt.date] = set()
    for indicator, plan in _followed(assignments):
        months.update(reportable_months(indicator=indicator, plan=plan))
    return sorted((m for m in months if calendar.is_over(m, today=today)), reverse=True)


def owed_or_returned(*, unit: Unit, today: dt.date) -> list[tuple[dt.date, int]]:
    """(month, plan id) of each month the unit still owes a figure for (a reporting period whose
    due day has passed, with no counted figure) or has a figure returned to it, oldest first;
    months the office has closed are left out (nothing can be sent for them). Four queries."""
    counted = set(
        Submission.objects.filter(unit=unit, status__in=COUNTED_STATUSES).values_list("indicator_id", "month")
    )
    returned = set(
        Submission.objects.filter(unit=unit, status=SubmissionStatus.RETURNED)
        .values_list("indicator__task__project__plan_id", "month")
    )
    found = set(returned)
    for indicator, plan in _followed(Assignment.objects.filter(unit=unit)):
        for month in calendar.owed_months(indicator.window(plan), today=today, due_day=plan.due_day):
            if (indicator.pk, month) not in counted:
                found.add((plan.pk, month))
    if found:
        found -= closed_months(plans=Plan.objects.filter(pk__in={pid for pid, _m in found}))
    return sorted((month, plan_id) for plan_id, month in found)


def review_month(*, today: dt.date) -> dt.date:
    """The month the review list opens on: the dashboards' (the latest plan's reporting month as of
    ``today``, within its months)."""
    plan = plans().first()
    return calendar.reporting_month(today=today) if plan is None else default_month(plan=plan, today=today)


def current_month(*, assignments: QuerySet[Assignment], today: dt.date, unit: Unit | None = None) -> dt.date:
    """The month a month page opens on.

    A unit's: its oldest month still owed or returned (not the plan's last month); with nothing
    owed, the latest month that is over and still open (the one being reported now), the latest
    that is over if the office has closed them all, the first of its months before any is over.
    Without a unit (the office choosing one): the reporting month as of ``today``, within the
    months there are."""
    if unit is not None:
        owed = owed_or_returned(unit=unit, today=today)
        if owed:
            return owed[0][0]
    months = reporting_months(assignments=assignments, today=today)
    if not months:
        followed = [m for i, p in _followed(assignments) for m in indicator_months(indicator=i, plan=p)]
        return min(followed) if followed else calendar.open_month(today=today)
    plans = Plan.objects.filter(projects__tasks__indicators__assignments__in=assignments).distinct()
    if unit is None:
        plan = plans.order_by("-year", "-pk").first()
        due_day = plan.due_day if plan else calendar.DEFAULT_DUE_DAY
        return calendar.landing_month(months=sorted(months), today=today, due_day=due_day)
    closed = closed_months(plans=plans)
    plan_ids = set(plans.values_list("pk", flat=True))
    for month in months:
        if any((pid, month) not in closed for pid in plan_ids):
            return month
    return months[0]


# --- figures as people read them ------------------------------------------------------------


def plain(value: Decimal | None) -> str:
    """12.5000 -> "12.5", 60000 -> "60,000"; empty for None."""
    if value is None:
        return ""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return f"{int(normalized):,}"
    text = format(normalized, "f")
    whole, _dot, frac = text.partition(".")
    return f"{int(whole):,}.{frac}" if whole.lstrip("-").isdigit() else text


def stage_label(indicator: Indicator, stage: int | None) -> str:
    if stage is None:
        return ""
    stages = indicator.stage_list
    return stages[stage].label if 0 <= stage < len(stages) else str(stage)


def rate_level(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (numerator * 100 / denominator).quantize(Decimal("0.01"))


def figure_text(
    indicator: Indicator,
    *,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    stage: int | None = None,
) -> str:
    """A figure as the offices write it: "1,234 户", "90/100（90%）", "开工建设", "推进实施（4.2%）"."""
    if indicator.is_staged:
        label = stage_label(indicator, stage)
        if indicator.kind == IndicatorKind.QUALITATIVE and value is not None:
            shown = f"{plain(value)}{indicator.figure_unit}"
            return f"{label}（{shown}）" if label else shown
        return label
    if indicator.kind == IndicatorKind.RATE and indicator.rate_basis == RateBasis.RATIO:
        if numerator is None and denominator is None:
            return ""
        level = rate_level(numerator, denominator)
        shown = f"{plain(numerator)}/{plain(denominator)}"
        return f"{shown}（{plain(level)}%）" if level is not None else shown
    if value is None:
        return ""
    return f"{plain(value)} {indicator.unit_of_measure}".strip()


def previous_figure_text(previous: Submission | None, *, month: dt.date) -> str:
    """The last counted figure before ``month`` as "last month's": when it is older than the month
    before, it says which month it is of ("5,120 人（2022年8月）")."""
    text = submission_figure_text(previous)
    if previous is None or not text or previous.month == calendar.add_months(month, -1):
        return text
    return _("%(figure)s（%(month)s）") % {"figure": text, "month": calendar.month_label(previous.month)}


def submission_figure_text(submission: Submission | None) -> str:
    if submission is None:
        return ""
    return figure_text(
        submission.indicator,
        value=submission.value,
        numerator=submission.numerator,
        denominator=submission.denominator,
        stage=submission.stage,
    )


# --- a unit's month -------------------------------------------------------------------------


@dataclass
class ReportRow:
    """One indicator on a unit's month page."""

    assignment: Assignment
    indicator: Indicator
    plan: Plan
    month: dt.date
    submission: Submission | None
    previous: Submission | None
    target: Decimal | None
    lock: str | None
    due: dt.date

    @property
    def previous_text(self) -> str:
        """上月累计: the previous month's figure, or the latest before it with the month it is of."""
        return previous_figure_text(self.previous, month=self.month)

    @property
    def figure_text(self) -> str:
        return submission_figure_text(self.submission)

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"{plain(self.target)} {self.indicator.unit_of_measure}".strip()

    @property
    def city_target_text(self) -> str:
        """The city's target, shown where the unit has no share of its own."""
        if self.target is not None or self.indicator.target is None:
            return ""
        return f"{plain(self.indicator.target)} {self.indicator.unit_of_measure}".strip()

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else ""


@dataclass
class MonthPage:
    unit: Unit
    month: dt.date
    rows: list[ReportRow] = field(default_factory=list)

    @property
    def is_demo(self) -> bool:
        return any(r.submission and r.submission.is_demo for r in self.rows) or any(
            r.assignment.is_demo for r in self.rows
        )

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def count_approved(self) -> int:
        return self.count(SubmissionStatus.APPROVED)

    @property
    def count_submitted(self) -> int:
        return self.count(SubmissionStatus.SUBMITTED)

    @property
    def count_returned(self) -> int:
        return self.count(SubmissionStatus.RETURNED)

    @property
    def count_draft(self) -> int:
        return self.count(SubmissionStatus.DRAFT)

    @property
    def missing(self) -> int:
        return sum(1 for r in self.rows if r.submission is None)

    @property
    def plans(self) -> list[Plan]:
        """The plans the unit reports in this month, in the page's order."""
        return list(dict.fromkeys(r.plan for r in self.rows))

    def of_plan(self, plan: Plan) -> MonthPage:
        """The page narrowed to one plan's rows (codes are unique within a plan, not across plans)."""
        return MonthPage(unit=self.unit, month=self.month, rows=[r for r in self.rows if r.plan.pk == plan.pk])


def previous_counted(*, indicator_id: int, unit_id: int, month: dt.date) -> Submission | None:
    """The unit's last counted figure before ``month``: what "last month" means for a check."""
    return (
        Submission.objects.filter(
            indicator_id=indicator_id, unit_id=unit_id, month__lt=month, status__in=COUNTED_STATUSES
        )
        .select_related("indicator")
        .order_by("-month")
        .first()
    )


def month_page(*, unit: Unit, month: dt.date, today: dt.date) -> MonthPage:
    """Every indicator the unit reports in ``month``, with its figure, last figure, target and lock."""
    assignments = Assignment.objects.filter(unit=unit).select_related("indicator__task__project__plan", "unit")
    assignments = [a for a in assignments if month in reportable_months(indicator=a.indicator, plan=_plan(a))]
    indicator_ids = [a.indicator_id for a in assignments]
    current = {
        s.indicator_id: s
        for s in Submission.objects.filter(unit=unit, month=month, indicator_id__in=indicator_ids).select_related(
            "indicator", "submitted_by", "reviewed_by", "updated_by"
        )
    }
    previous: dict[int, Submission] = {}
    earlier = (
        Submission.objects.filter(
            unit=unit, month__lt=month, indicator_id__in=indicator_ids, status__in=COUNTED_STATUSES
        )
        .select_related("indicator")
        .order_by("month")
    )
    for s in earlier:
        previous[s.indicator_id] = s  # ordered by month: the latest wins
    closed = closed_months(plans={_plan(a) for a in assignments})
    page = MonthPage(unit=unit, month=month)
    for a in sorted(assignments, key=_row_order):
        plan = _plan(a)
        sub = current.get(a.indicator_id)
        page.rows.append(
            ReportRow(
                assignment=a,
                indicator=a.indicator,
                plan=plan,
                month=month,
                submission=sub,
                previous=previous.get(a.indicator_id),
                target=unit_target(indicator=a.indicator, assignment=a),
                lock=lock_reason(
                    plan=plan,
                    month=month,
                    submission=sub,
                    today=today,
                    closed=(plan.pk, month) in closed,
                    indicator=a.indicator,
                ),
                due=plan.due_date(month),
            )
        )
    return page


def _plan(assignment: Assignment) -> Plan:
    return assignment.indicator.task.project.plan


def _row_order(assignment: Assignment) -> tuple[int, ...]:
    task = assignment.indicator.task
    return (
        _plan(assignment).year,
        _plan(assignment).pk,
        task.project.number,
        task.number,
        assignment.indicator.position,
    )


def overshoot_target(*, indicator: Indicator, assignment: Assignment) -> Decimal | None:
    """The target a figure is checked against for "far above target": the unit's share if the
    office split it, else the indicator's own target."""
    return assignment.target if assignment.target is not None else indicator.target


# --- history --------------------------------------------------------------------------------

# Bookkeeping that changes on every save and says nothing to a reader.
HISTORY_HIDDEN = {"id", "version", "created_at", "updated_at", "updated_by", "is_demo"}


@dataclass
class HistoryChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    why: str
    status: str
    changes: list[HistoryChange]


def _display(submission_indicator: Indicator, name: str, value: Any, users: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if name == "status":
        return str(SubmissionStatus(value).label)
    if name == "stage":
        return stage_label(submission_indicator, value)
    if name in {"submitted_by", "reviewed_by"}:
        return users.get(value, str(value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def submission_history(*, submission: Submission, user: User | None = None) -> list[HistoryEntry]:
    """Every recorded state of a submission that ``user`` may read (``permissions.history_visible_q``:
    a reviewer never sees the unit's drafts), newest first: who, when, why, and what changed."""
    records = submission.history.order_by("history_date", "history_id").select_related("history_user")
    if user is not None:
        records = records.filter(permissions.history_visible_q(user))
    records = list(records)
    user_ids = {getattr(r, f) for r in records for f in ("submitted_by_id", "reviewed_by_id")} - {None}
    users = {u.pk: u.display_name for u in User.objects.filter(pk__in=user_ids)}
    labels = {f.name: str(f.verbose_name) for f in Submission._meta.fields}
    indicator = submission.indicator
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is None:
            for name in ("status", "value", "numerator", "denominator", "stage"):
                value = getattr(record, name)
                if value is not None:
                    changes.append(HistoryChange(labels[name], "—", _display(indicator, name, value, users)))
        else:
            delta = record.diff_against(previous, excluded_fields=HISTORY_HIDDEN)
            for change in delta.changes:
                changes.append(
                    HistoryChange(
                        labels.get(change.field, change.field),
                        _display(indicator, change.field, change.old, users),
                        _display(indicator, change.field, change.new, users),
                    )
                )
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user.display_name if record.history_user else _("系统"),
                why=record.history_change_reason or "",
                status=str(SubmissionStatus(record.status).label),
                changes=changes,
            )
        )
        previous = record
    entries.reverse()
    return entries


# --- export ---------------------------------------------------------------------------------


def _iso(moment: dt.datetime | None) -> str | None:
    """City time with its offset, to the second: "2022-07-03T10:15:00+08:00"."""
    if moment is None:
        return None
    return timezone.localtime(moment, timezone.get_default_timezone()).replace(microsecond=0).isoformat()


def figures_of_month(*, plan: Plan, month: dt.date) -> QuerySet[Submission]:
    """Every submission of a plan's month (all statuses), in plan order, ready for ``figure_export_row``."""
    return (
        Submission.objects.filter(indicator__task__project__plan=plan, month=month)
        .select_related("indicator__task__project", "unit")
        .order_by(
            "indicator__task__project__number",
            "indicator__task__number",
            "indicator__position",
            "unit__position",
            "unit__name",
            "pk",
        )
    )


def figures_export(*, plan: Plan, month: dt.date) -> list[dict[str, Any]]:
    """Every submission of a plan's month in the exchange shape of ``export_figures`` (a contract:
    keep it stable)."""
    return [figure_export_row(s) for s in figures_of_month(plan=plan, month=month)]


def figure_export_row(s: Submission) -> dict[str, Any]:
    """One submission in the exchange shape of ``export_figures`` (its indicator, task, project and
    unit loaded)."""
    return {
        "project": s.indicator.task.project.number,
        "task": s.indicator.task.number,
        "indicator": s.indicator.name,
        "unit": s.unit.name,
        "month": f"{s.month:%Y-%m}",
        "value": number(s.value),
        "numerator": number(s.numerator),
        "denominator": number(s.denominator),
        "stage": s.stage,
        "status": s.status,
        "submitted_at": _iso(s.submitted_at),
        "late": s.late,
    }
