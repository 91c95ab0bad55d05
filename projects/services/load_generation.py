"""Synthetic province-scale data for benchmarks (``manage.py generate_load``).

Deterministic: the same scale and seed give the same rows. Scale M is a province of 18 cities,
each holding a portfolio: every year (2022 to 2024) three plans of different kinds over the
city's shared units (a 重点民生实事 plan of 61 indicators reported monthly by the counties, a
government work report's 21 targets and tasks reported by departments, 12 special measures),
about 5,100 indicators and 320,000 monthly submissions in all; L is ten times M. Rows are written
plan by plan, so memory stays flat whatever the scale.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction

from projects import calendar
from projects.models import (
    Aggregation,
    Assignment,
    Indicator,
    IndicatorKind,
    Plan,
    PlanKind,
    Project,
    Role,
    Submission,
    SubmissionStatus,
    Task,
    TaskUnit,
    TaskUnitRole,
    Unit,
    UnitKind,
    User,
)
from projects.services.bulk import bulk_insert
from projects.services.progress import progress_rebuild

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_YEAR = 2022


@dataclass(frozen=True)
class Scale:
    cities: int
    years: int = 3  # each year its own plans, January to December
    counties_per_city: int = 8
    departments_per_city: int = 5

    @property
    def months(self) -> int:
        return 12 * self.years


# T (tiny) exists for the benchmark runner's own smoke test.
SCALES = {"T": Scale(cities=2, years=1), "M": Scale(cities=18), "L": Scale(cities=180)}
# Kinds by share: most figures are additive counts and amounts reported by every county.
KIND_CYCLE = ["count", "count", "count", "amount", "count", "rate", "count", "milestone", "count", "amount"]
# A work report's expected targets: one figure each, reported by one department.
TARGET_CYCLE = ["amount", "rate", "amount", "count", "rate", "amount"]


@dataclass(frozen=True)
class _Shape:
    """One plan of a kind: its projects (title, number of tasks), document number and title."""

    kind: str
    projects: tuple[tuple[str, int], ...]
    document: str
    title: str


SHAPES = [
    _Shape(
        PlanKind.LIVELIHOOD,
        tuple((f"第{n}项民生实事", 2) for n in range(1, 11)),
        "豫模拟〔{year}〕{city}号",
        "模拟第{city}市{year}年重点民生实事工作方案",
    ),
    _Shape(
        PlanKind.WORK_REPORT,
        (("主要预期目标", 12), *((f"第{n}方面重点工作", 3) for n in range(1, 4))),
        "模拟第{city}市{year}年政府工作报告",
        "模拟第{city}市{year}年政府工作报告目标任务",
    ),
    _Shape(
        PlanKind.MEASURES,
        tuple((f"第{n}项措施", 3) for n in range(1, 5)),
        "豫模拟措施〔{year}〕{city}号",
        "模拟第{city}市{year}年专项工作措施",
    ),
]


@dataclass
class GeneratedCounts:
    plans: int = 0
    indicators: int = 0
    assignments: int = 0
    submissions: int = 0
    progress_rows: int = 0


@dataclass(frozen=True)
class _CityUnits:
    counties: list[Unit]
    departments: list[Unit]


def _months(start: date, count: int) -> list[date]:
    return [calendar.add_months(start, i) for i in range(count)]


def generate_province(
    *, scale: Scale, seed: int = 2022, with_progress: bool = True, first_city: int = 1
) -> GeneratedCounts:
    """Write ``scale.cities`` synthetic cities (numbered from ``first_city``), each with its plans of
    every year and their figures."""
    counts = GeneratedCounts()
    for city in range(first_city, first_city + scale.cities):
        with transaction.atomic():
            units = _city_units(city, scale)
        projects: list[Project] = []
        for year in range(FIRST_YEAR, FIRST_YEAR + scale.years):
            for shape in SHAPES:
                projects += _plan_with_figures(city, year, shape, units, seed, counts, with_progress=with_progress)
        _city_people(city, [*units.counties, *units.departments], projects)
    return counts


def city_portfolio_add(*, plan: Plan, seed: int = 2022) -> GeneratedCounts:
    """The other plans of ``plan``'s city and year (scale S: the real 2022 plan): a work report and
    special measures over the plan's own counties and departments, with a year of figures."""
    counts = GeneratedCounts()
    used = Unit.objects.filter(assignments__indicator__task__project__plan=plan).distinct().order_by("position", "pk")
    units = _CityUnits(
        counties=[u for u in used if u.kind == UnitKind.COUNTY],
        departments=list(
            Unit.objects.filter(task_roles__task__project__plan=plan, kind=UnitKind.DEPARTMENT)
            .distinct()
            .order_by("position", "pk")
        ),
    )
    for shape in SHAPES:
        if shape.kind != plan.kind:
            _plan_with_figures(f"p{plan.pk}", plan.year, shape, units, seed, counts, with_progress=True)
    return counts


def _city_units(city: int, scale: Scale) -> _CityUnits:
    counties = Unit.objects.bulk_create(
        [
            Unit(name=f"模拟{city}市第{k}县政府", kind=UnitKind.COUNTY, position=k)
            for k in range(1, scale.counties_per_city + 1)
        ]
    )
    departments = Unit.objects.bulk_create(
        [
            Unit(name=f"模拟{city}市第{k}局", kind=UnitKind.DEPARTMENT, position=100 + k)
            for k in range(1, scale.departments_per_city + 1)
        ]
    )
    return _CityUnits(counties, departments)


def _plan_with_figures(
    city: int | str, year: int, shape: _Shape, units: _CityUnits, seed: int, counts, *, with_progress: bool
) -> list[Project]:
    rng = random.Random(f"{seed}-{city}-{year}-{shape.kind}")  # noqa: S311 - synthetic data, not security
    start = date(year, 1, 1)
    with transaction.atomic():
        plan, projects = _plan(city, year, shape, units, rng, counts)
        _plan_submissions(plan, _months(start, 12), rng, counts)
    if with_progress:
        counts.progress_rows += progress_rebuild(plan=plan)
    counts.plans += 1
    return projects


def _plan(city, year: int, shape: _Shape, units: _CityUnits, rng: random.Random, counts) -> tuple[Plan, list[Project]]:
    start, deadline = date(year, 1, 1), date(year, 12, 31)
    names = {"city": city, "year": year}
    plan = Plan.objects.create(
        year=year, kind=shape.kind, document=shape.document.format(**names), title=shape.title.format(**names),
        issuing_body=f"模拟第{city}市人民政府", issued_on=start, start=start, default_deadline=deadline,
    )  # fmt: skip
    counties, departments = units.counties, units.departments
    projects = Project.objects.bulk_create(
        [Project(plan=plan, number=n, title=title) for n, (title, _tasks) in enumerate(shape.projects, start=1)]
    )
    tasks = Task.objects.bulk_create(
        [
            Task(project=p, number=t, text=f"模拟任务：第{p.number}项第{t}个主要任务的原文。")
            for p, (_title, per_project) in zip(projects, shape.projects, strict=True)
            for t in range(1, per_project + 1)
        ]
    )
    task_units, indicators, reporters = [], [], []
    kind_index = 0
    for ti, task in enumerate(tasks):
        lead = departments[ti % len(departments)]
        task_units.append(TaskUnit(task=task, unit=lead, role=TaskUnitRole.LEAD, position=0))
        by_counties = False
        for kind, n in _task_indicators(shape, task, ti):
            if kind is None:
                kind = KIND_CYCLE[kind_index % len(KIND_CYCLE)]
                kind_index += 1
            # Counties report the figures of livelihood projects and measures; departments the
            # work report's targets and every stage.
            county_figure = shape.kind != PlanKind.WORK_REPORT and kind != "milestone"
            by_counties = by_counties or county_figure
            indicators.append(_indicator(task, n, kind, deadline, rng))
            reporters.append(counties if county_figure else [lead])
        if by_counties:
            task_units += [
                TaskUnit(task=task, unit=c, role=TaskUnitRole.LEAD, position=i + 1) for i, c in enumerate(counties)
            ]
    TaskUnit.objects.bulk_create(task_units)
    indicators = Indicator.objects.bulk_create(indicators)
    assignments = []
    for indicator, reporting in zip(indicators, reporters, strict=True):
        parts = (
            _split(indicator.target, len(reporting))
            if indicator.aggregation == Aggregation.SUM
            else [None] * len(reporting)
        )
        assignments += [
            Assignment(indicator=indicator, unit=u, target=part, position=i)
            for i, (u, part) in enumerate(zip(reporting, parts, strict=True))
        ]
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    counts.indicators += len(indicators)
    counts.assignments += len(assignments)
    return plan, projects


def _task_indicators(shape: _Shape, task: Task, index: int) -> list[tuple[str | None, int]]:
    """(kind, position) of a task's indicators; None: the next kind of KIND_CYCLE."""
    if shape.kind == PlanKind.LIVELIHOOD:
        return [(None, n) for n in range(1, 3 + (1 if index == 0 else 0) + 1)]
    if shape.kind == PlanKind.WORK_REPORT:
        if task.project.number == 1:
            return [(TARGET_CYCLE[index % len(TARGET_CYCLE)], 1)]
        return [("milestone", 1)]
    # Special measures: a county count where the measure has a figure, a stage where it has not.
    return [("count" if index % 2 == 0 else "milestone", 1)]


def _city_people(city: int | str, units: list[Unit], projects: list[Project]) -> None:
    """One reporting account per unit and a leader over the city's projects (of every plan), so that
    the alert scan has people to tell (inbox messages, e-mails) as it would in a real province.
    Nobody can log in with these accounts: the load test sets passwords on the ones it uses."""
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(username=f"sim{city}-u{u.pk}", role=Role.UNIT, unit=u, email=f"u{u.pk}@sim.invalid",
                 password=unusable)
            for u in units
        ]
    )  # fmt: skip
    leader = User.objects.create(
        username=f"sim{city}-leader", role=Role.LEADER, email=f"leader-{city}@sim.invalid", password=unusable
    )
    leader.portfolio.add(*projects)


def plan_people_create(*, plan: Plan) -> None:
    """The same accounts for an existing plan's city (scale S, the real 2022 plan and the plans
    ``city_portfolio_add`` gave its year): one per reporting unit and a leader over every project."""
    plans = Plan.objects.filter(year=plan.year)
    units = list(Unit.objects.filter(assignments__indicator__task__project__plan__in=plans).distinct().order_by("pk"))
    _city_people(f"p{plan.pk}", units, list(Project.objects.filter(plan__in=plans)))


def _indicator(task: Task, n: int, kind: str, deadline: date, rng: random.Random) -> Indicator:
    code = f"{task.project.number}.{task.number}.{n}"
    common = {"task": task, "code": code, "position": n, "deadline": deadline, "deadline_text": "年底前"}
    if kind == "rate":
        return Indicator(
            **common, name=f"模拟比率{code}", kind=IndicatorKind.RATE, unit_of_measure="%",
            target=Decimal(rng.choice([60, 80, 90, 95])), aggregation=Aggregation.RATE, source_text="模拟",
        )  # fmt: skip
    if kind == "milestone":
        return Indicator(
            **common, name=f"模拟节点{code}", kind=IndicatorKind.MILESTONE, unit_of_measure="",
            target=None, aggregation=Aggregation.LEAD, source_text="模拟",
        )  # fmt: skip
    unit = "万元" if kind == "amount" else "个"
    target = Decimal(rng.randrange(8, 400) * 100)
    return Indicator(
        **common, name=f"模拟指标{code}", kind=kind, unit_of_measure=unit, target=target,
        aggregation=Aggregation.SUM, source_text="模拟",
    )  # fmt: skip


def _split(target: Decimal, parts: int) -> list[Decimal]:
    share = (target / parts).quantize(Decimal(1))
    return [share] * (parts - 1) + [target - share * (parts - 1)]


SUBMISSION_FIELDS = [
    "indicator_id", "unit_id", "month", "value", "numerator", "denominator", "stage", "status", "late",
    "submitted_at", "version", "progress_text", "problems_text", "next_steps_text", "explanation",
    "overshoot_confirmed", "review_comment", "is_demo", "signed", "created_at", "updated_at",
]  # fmt: skip


def _plan_submissions(plan: Plan, months: list[date], rng: random.Random, counts) -> None:
    """Every unit's monthly figures, written straight to the table (``bulk_insert``): the ORM's
    insert compiler would otherwise take most of the generation."""
    assignments = list(
        Assignment.objects.filter(indicator__task__project__plan=plan).select_related("indicator").order_by("pk")
    )
    rows = []
    last_month = len(months)
    for a in assignments:
        ind = a.indicator
        pace = rng.uniform(0.55, 1.2)  # this unit's speed against the schedule
        stage = 0
        for i, month in enumerate(months, start=1):
            if rng.random() < 0.04:  # a month without a report
                continue
            share = min(Decimal(1), Decimal(str(pace * i / last_month)))
            due = plan.due_date(month)
            late = rng.random() < 0.05
            submitted = datetime.combine(due + timedelta(days=3 if late else -1), time(10), tzinfo=SHANGHAI)
            value = numerator = denominator = figure_stage = None
            if ind.kind == IndicatorKind.RATE:
                denominator = Decimal(rng.randrange(200, 1000))
                level = min(Decimal(1), share * ind.target / 100 * Decimal("1.05"))
                numerator = (denominator * level).quantize(Decimal(1))
            elif ind.kind == IndicatorKind.MILESTONE:
                stage = min(5, max(stage, int(share * 5)))
                figure_stage = stage
            else:
                value = (a.target * share).quantize(Decimal(1))
            rows.append(
                (
                    ind.pk, a.unit_id, month, value, numerator, denominator, figure_stage,
                    SubmissionStatus.APPROVED.value, late, submitted, 1, "按计划推进", "", "", "", False, "", False,
                    ind.may_be_negative, submitted, submitted,
                )
            )  # fmt: skip
    counts.submissions += bulk_insert(model=Submission, fields=SUBMISSION_FIELDS, rows=rows)
