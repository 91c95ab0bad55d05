"""Synthetic province-scale data for benchmarks (``manage.py generate_load``).

Deterministic: the same scale and seed give the same rows. Scale M is a province: one plan per
city, each a three-year plan whose indicators are reported monthly by about eight units for 36
months (about 1,100 indicators and 320,000 submissions in all); L is ten times M. Rows are written
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


@dataclass(frozen=True)
class Scale:
    cities: int
    projects_per_city: int = 10
    tasks_per_project: int = 2
    indicators_per_task: int = 3  # plus one extra on the first task, 61 a city
    counties_per_city: int = 8
    months: int = 36


# T (tiny) exists for the benchmark runner's own smoke test.
SCALES = {"T": Scale(cities=2, months=12), "M": Scale(cities=18), "L": Scale(cities=180)}
# Kinds by share: most figures are additive counts and amounts reported by every county.
KIND_CYCLE = ["count", "count", "count", "amount", "count", "rate", "count", "milestone", "count", "amount"]


@dataclass
class GeneratedCounts:
    plans: int = 0
    indicators: int = 0
    assignments: int = 0
    submissions: int = 0
    progress_rows: int = 0


def _months(start: date, count: int) -> list[date]:
    return [calendar.add_months(start, i) for i in range(count)]


def generate_province(*, scale: Scale, seed: int = 2022, with_progress: bool = True) -> GeneratedCounts:
    """Write ``scale.cities`` synthetic three-year plans with their figures."""
    counts = GeneratedCounts()
    start = date(2022, 1, 1)
    months = _months(start, scale.months)
    deadline = calendar.month_end(months[-1])
    for city in range(1, scale.cities + 1):
        rng = random.Random(f"{seed}-{city}")  # noqa: S311 - synthetic data, not security
        with transaction.atomic():
            plan = _city_plan(city, start, deadline, scale, rng, counts)
            _city_submissions(plan, months, rng, counts)
        if with_progress:
            counts.progress_rows += progress_rebuild(plan=plan)
        counts.plans += 1
    return counts


def _city_plan(city: int, start: date, deadline: date, scale: Scale, rng: random.Random, counts) -> Plan:
    plan = Plan.objects.create(
        year=2022, document=f"豫模拟〔2022〕{city}号", title=f"模拟第{city}市民生实事三年行动方案",
        issuing_body=f"模拟第{city}市人民政府办公室", issued_on=start, start=start, default_deadline=deadline,
    )  # fmt: skip
    counties = Unit.objects.bulk_create(
        [
            Unit(name=f"模拟{city}市第{k}县政府", kind=UnitKind.COUNTY, position=k)
            for k in range(1, scale.counties_per_city + 1)
        ]
    )
    departments = Unit.objects.bulk_create(
        [Unit(name=f"模拟{city}市第{k}局", kind=UnitKind.DEPARTMENT, position=100 + k) for k in range(1, 6)]
    )
    projects = Project.objects.bulk_create(
        [Project(plan=plan, number=n, title=f"第{n}项民生实事") for n in range(1, scale.projects_per_city + 1)]
    )
    _city_people(city, [*counties, *departments], projects)
    tasks = Task.objects.bulk_create(
        [
            Task(project=p, number=t, text=f"模拟任务：第{p.number}项第{t}个主要任务的原文。")
            for p in projects
            for t in range(1, scale.tasks_per_project + 1)
        ]
    )
    task_units, indicators, reporters = [], [], []
    kind_index = 0
    for ti, task in enumerate(tasks):
        lead = departments[ti % len(departments)]
        task_units.append(TaskUnit(task=task, unit=lead, role=TaskUnitRole.LEAD, position=0))
        task_units += [
            TaskUnit(task=task, unit=c, role=TaskUnitRole.LEAD, position=i + 1) for i, c in enumerate(counties)
        ]
        per_task = scale.indicators_per_task + (1 if ti == 0 else 0)
        for n in range(1, per_task + 1):
            kind = KIND_CYCLE[kind_index % len(KIND_CYCLE)]
            kind_index += 1
            indicators.append(_indicator(task, n, kind, deadline, rng))
            reporters.append([lead] if kind == "milestone" else counties)
    TaskUnit.objects.bulk_create(task_units)
    indicators = Indicator.objects.bulk_create(indicators)
    assignments = []
    for indicator, units in zip(indicators, reporters, strict=True):
        parts = (
            _split(indicator.target, len(units)) if indicator.aggregation == Aggregation.SUM else [None] * len(units)
        )
        assignments += [
            Assignment(indicator=indicator, unit=u, target=part, position=i)
            for i, (u, part) in enumerate(zip(units, parts, strict=True))
        ]
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    counts.indicators += len(indicators)
    counts.assignments += len(assignments)
    return plan


def _city_people(city: int | str, units: list[Unit], projects: list[Project]) -> None:
    """One reporting account per unit and a leader over the city's projects, so that the alert scan
    has people to tell (inbox messages, e-mails) as it would in a real province. Nobody can log in
    with these accounts: the load test sets passwords on the ones it uses."""
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
    """The same accounts for an existing plan (scale S, the real 2022 plan): one per reporting unit
    and a leader over every project."""
    units = list(Unit.objects.filter(assignments__indicator__task__project__plan=plan).distinct().order_by("pk"))
    _city_people(f"p{plan.pk}", units, list(plan.projects.all()))


def _indicator(task: Task, n: int, kind: str, deadline: date, rng: random.Random) -> Indicator:
    code = f"{task.project.number}.{task.number}.{n}"
    common = {"task": task, "code": code, "position": n, "deadline": deadline, "deadline_text": "三年内"}
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


def _city_submissions(plan: Plan, months: list[date], rng: random.Random, counts) -> None:
    """Every unit's monthly figures, written straight to the table (``bulk_insert``): 17,000 rows a
    city would otherwise spend most of the generation in the ORM's insert compiler."""
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
