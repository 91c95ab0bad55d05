"""Keeping the progress tables in step with the submissions.

``progress_refresh`` runs inside the transaction of every submission change, so that a page never
shows a figure that the progress tables do not reflect; ``progress_rebuild`` recomputes everything
from the submissions (``manage.py rebuild_progress``) and must give the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction

from projects import calendar, rules
from projects.models import (
    COUNTED_STATUSES,
    Aggregation,
    Assignment,
    CityProgress,
    Indicator,
    IndicatorKind,
    Plan,
    RateBasis,
    Submission,
    UnitProgress,
)
from projects.services.bulk import bulk_insert

PROGRESS_FIELDS = [
    "value", "numerator", "denominator", "stage", "target", "expected", "completion", "light", "overdue",
    "not_started",
]  # fmt: skip


def indicator_months(*, indicator: Indicator, plan: Plan) -> list[date]:
    """The months an indicator is followed (``calendar.followed_months``): from its start to the
    later of the plan's and its own deadline (an indicator due in three years is followed until then)."""
    return calendar.followed_months(indicator.window(plan))


def reportable_months(*, indicator: Indicator, plan: Plan) -> list[date]:
    """The months a unit may enter the indicator's figure for (``calendar.reportable_months``): its
    reporting periods (each month, or the quarters' or the year's ends) and the months followed
    after its deadline."""
    return calendar.reportable_months(indicator.window(plan))


def unit_target(*, indicator: Indicator, assignment: Assignment) -> Decimal | None:
    """The target a unit is measured against, or None where it has none of its own.

    An additive figure belongs to a unit only once the office splits it (任务分解); a rate level,
    a milestone and a figure the lead unit alone reports apply to the unit as they stand."""
    if indicator.aggregation == Aggregation.SUM:
        return assignment.target
    return indicator.target


class Reported(NamedTuple):
    """A counted submission, as the computation reads it (a row of ``values_list``, no model)."""

    pk: int
    unit_id: int
    month: date
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    stage: int | None
    late: bool


@dataclass(frozen=True)
class Figure:
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    stage: int | None = None

    @classmethod
    def of(cls, submission: Submission | Reported | None) -> Figure:
        if submission is None:
            return cls()
        return cls(submission.value, submission.numerator, submission.denominator, submission.stage)

    @property
    def empty(self) -> bool:
        return self.value is None and self.numerator is None and self.denominator is None and self.stage is None


def _assess(indicator: Indicator, plan: Plan, target: Decimal | None, figure: Figure, judged: date) -> rules.Assessment:
    # Rates reported as numerator and denominator are measured by their ratio; a unit that gave
    # only the level (or a lead-reported level) by its value.
    use_ratio = indicator.kind == IndicatorKind.RATE and indicator.rate_basis == RateBasis.RATIO
    return rules.assess(
        kind=indicator.kind,
        direction=indicator.direction,
        target=target,
        tolerance=indicator.tolerance,
        start=indicator.window_start(plan),
        deadline=indicator.deadline,
        as_of=judged,
        value=figure.value,
        numerator=figure.numerator if use_ratio else None,
        denominator=figure.denominator if use_ratio else None,
        stage=figure.stage,
        stages=indicator.stage_list,
        baseline=indicator.baseline,
        monthly_plan=indicator.monthly_plan,
        planned_start=indicator.planned_start,
        bands=plan.bands,
    )


def _fill(
    row: UnitProgress | CityProgress, indicator, plan, target, figure: Figure, judged: date, measured: bool
) -> None:
    """A row's figure and, where there is a target to judge it by, its standing as of ``judged``
    (``calendar.judged_on``: the end of the indicator's latest reporting period)."""
    row.value, row.numerator, row.denominator = figure.value, figure.numerator, figure.denominator
    row.stage = figure.stage
    row.target = target
    if measured:
        a = _assess(indicator, plan, target, figure, judged)
        row.expected, row.completion, row.light = a.expected, a.completion, a.light.value
        row.overdue, row.not_started = a.overdue, a.not_started
    else:
        row.expected = rules.expected_progress(
            start=indicator.window_start(plan),
            deadline=indicator.deadline,
            as_of=judged,
            monthly_plan=indicator.monthly_plan,
            level=indicator.kind in rules.LEVEL_KINDS,
        )
        row.completion, row.light, row.overdue, row.not_started = None, "", False, False


def city_figure(*, indicator: Indicator, figures: Sequence[Figure]) -> Figure:
    """The city's figure from the units' figures of one month (carried forward)."""
    reported = [f for f in figures if not f.empty]
    if not reported:
        return Figure()
    if indicator.is_staged:
        # A milestone or a qualitative task shared by several units is as far as the slowest of
        # them; a unit that has not reported yet has not started.
        return Figure(stage=min(f.stage or 0 for f in figures))
    if indicator.kind == IndicatorKind.GROWTH:
        # A growth rate is the statistics' own city figure, reported by one unit (aggregation lead).
        values = [f.value for f in reported if f.value is not None]
        return Figure(value=values[0]) if len(values) == 1 else Figure()
    if indicator.kind == IndicatorKind.RATE:
        if indicator.rate_basis == RateBasis.RATIO:
            num, den = rules.city_rate(
                numerators=[f.numerator for f in reported], denominators=[f.denominator for f in reported]
            )
            level = (num / den * 100) if num is not None and den else None
            return Figure(value=level, numerator=num, denominator=den)
        levels = [f.value for f in reported if f.value is not None]
        # Levels without their bases can only be averaged; the office is told so in the docs.
        return Figure(value=sum(levels, Decimal(0)) / len(levels)) if levels else Figure()
    values = [f.value for f in reported if f.value is not None]
    return Figure(value=sum(values, Decimal(0))) if values else Figure()


def _compute(
    *,
    indicator: Indicator,
    plan: Plan,
    assignments: Iterable[Assignment],
    submissions: Iterable[Submission | Reported],
    only_unit_id: int | None = None,
) -> tuple[list[UnitProgress], list[CityProgress]]:
    window = indicator.window(plan)
    months = calendar.followed_months(window)
    periods = set(calendar.periods(window))
    judged_on = {month: calendar.judged_on(month, window) for month in months}
    assignments = list(assignments)
    by_unit: dict[int, dict[date, Submission | Reported]] = defaultdict(dict)
    for s in submissions:
        by_unit[s.unit_id][s.month] = s
    unit_rows: list[UnitProgress] = []
    carried: dict[int, Figure] = {a.unit_id: Figure() for a in assignments}
    per_month_figures: dict[date, list[Figure]] = {}
    per_month_reported: dict[date, tuple[int, int]] = {}
    for month in months:
        reported = on_time = 0
        for a in assignments:
            sub = by_unit[a.unit_id].get(month)
            if sub is not None:
                carried[a.unit_id] = Figure.of(sub)
                reported += 1
                on_time += not sub.late
            if only_unit_id is None or a.unit_id == only_unit_id:
                target = unit_target(indicator=indicator, assignment=a)
                row = UnitProgress(
                    indicator_id=indicator.pk,
                    unit_id=a.unit_id,
                    month=month,
                    period=month in periods,
                    reported=sub is not None,
                    late=bool(sub and sub.late),
                    submission_id=sub.pk if sub else None,
                )
                measured = rules.is_judged(
                    kind=indicator.kind, target=target, target_confirmed=indicator.target_confirmed
                )
                _fill(row, indicator, plan, target, carried[a.unit_id], judged_on[month], measured)
                unit_rows.append(row)
        per_month_figures[month] = list(carried.values())
        per_month_reported[month] = (reported, on_time)
    city_rows = []
    for month in months:
        row = CityProgress(
            indicator_id=indicator.pk,
            month=month,
            units_expected=len(assignments),
            units_reported=per_month_reported[month][0],
            units_on_time=per_month_reported[month][1],
        )
        figure = city_figure(indicator=indicator, figures=per_month_figures[month])
        # Nobody to report it (a unit group still without members): nothing to judge yet.
        measured = bool(assignments) and rules.is_judged(
            kind=indicator.kind, target=indicator.target, target_confirmed=indicator.target_confirmed
        )
        _fill(row, indicator, plan, indicator.target, figure, judged_on[month], measured)
        city_rows.append(row)
    return unit_rows, city_rows


def _save(unit_rows: list[UnitProgress], city_rows: list[CityProgress]) -> None:
    UnitProgress.objects.bulk_create(
        unit_rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["indicator", "unit", "month"],
        update_fields=[*PROGRESS_FIELDS, "period", "reported", "late", "submission"],
    )
    CityProgress.objects.bulk_create(
        city_rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["indicator", "month"],
        update_fields=[*PROGRESS_FIELDS, "units_expected", "units_reported", "units_on_time"],
    )


def progress_refresh(*, indicator_id: int, unit_id: int | None = None) -> None:
    """Recompute one indicator's progress rows (one unit's, or every unit's) and the city's.

    Call it inside the transaction that changes a submission, after the change. It locks the
    indicator row first, so two units saving figures of the same indicator at once recompute the
    city total one after the other and the second sees the first's figure."""
    with transaction.atomic():
        indicator = (
            Indicator.objects.select_for_update(of=("self",)).select_related("task__project__plan").get(pk=indicator_id)
        )
        plan = indicator.task.project.plan
        assignments = list(indicator.assignments.all())
        submissions = Submission.objects.filter(indicator_id=indicator_id, status__in=COUNTED_STATUSES).only(
            "id", "unit_id", "month", "value", "numerator", "denominator", "stage", "late"
        )
        unit_rows, city_rows = _compute(
            indicator=indicator, plan=plan, assignments=assignments, submissions=submissions, only_unit_id=unit_id
        )
        # Units no longer assigned keep no rows.
        UnitProgress.objects.filter(indicator_id=indicator_id).exclude(
            unit_id__in=[a.unit_id for a in assignments]
        ).delete()
        _save(unit_rows, city_rows)


def progress_rebuild(*, plan: Plan) -> int:
    """Recompute every progress row of a plan from its submissions; returns the rows written.

    Set-based: a fixed number of queries per plan (the plan's rows deleted, its indicators,
    assignments and counted submissions read once each), and the rows written with the database's
    bulk path (COPY on PostgreSQL), so that a province's plans rebuild in minutes, not hours.
    Memory holds one plan's figures at a time."""
    with transaction.atomic():
        UnitProgress.objects.filter(indicator__task__project__plan=plan).delete()
        CityProgress.objects.filter(indicator__task__project__plan=plan).delete()
        indicators = list(Indicator.objects.filter(task__project__plan=plan).select_related("task").order_by("pk"))
        assignments: dict[int, list[Assignment]] = defaultdict(list)
        for a in Assignment.objects.filter(indicator__task__project__plan=plan).order_by(
            "indicator_id", "position", "id"
        ):
            assignments[a.indicator_id].append(a)
        reported: dict[int, list[Reported]] = defaultdict(list)
        rows = (
            Submission.objects.filter(indicator__task__project__plan=plan, status__in=COUNTED_STATUSES)
            .order_by()
            .values_list("indicator_id", *Reported._fields)
        )
        for indicator_id, *fields in rows.iterator(chunk_size=5000):
            reported[indicator_id].append(Reported(*fields))
        unit_batch: list[UnitProgress] = []
        city_batch: list[CityProgress] = []
        written = 0
        for indicator in indicators:
            unit_rows, city_rows = _compute(
                indicator=indicator,
                plan=plan,
                assignments=assignments.get(indicator.pk, []),
                submissions=reported.pop(indicator.pk, []),
            )
            unit_batch += unit_rows
            city_batch += city_rows
            written += len(unit_rows) + len(city_rows)
            if len(unit_batch) >= REBUILD_BATCH:
                _insert_fresh(unit_batch, city_batch)
                unit_batch, city_batch = [], []
        _insert_fresh(unit_batch, city_batch)
    return written


# Rows kept in memory before they are written during a rebuild.
REBUILD_BATCH = 20_000
UNIT_COLUMNS = ["indicator_id", "unit_id", "month", *PROGRESS_FIELDS, "period", "reported", "late", "submission_id"]
CITY_COLUMNS = ["indicator_id", "month", *PROGRESS_FIELDS, "units_expected", "units_reported", "units_on_time"]


def _insert_fresh(unit_rows: list[UnitProgress], city_rows: list[CityProgress]) -> None:
    """Insert rows known to be new (their plan's rows were just deleted)."""
    bulk_insert(
        model=UnitProgress, fields=UNIT_COLUMNS, rows=([getattr(r, f) for f in UNIT_COLUMNS] for r in unit_rows)
    )
    bulk_insert(
        model=CityProgress, fields=CITY_COLUMNS, rows=([getattr(r, f) for f in CITY_COLUMNS] for r in city_rows)
    )
