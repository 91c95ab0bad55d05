"""Data for the dashboard tests: users of each role, single figures, and whole months of figures.

Figures are written as the reporting service writes them: a Submission row, then
``progress_refresh`` (or ``progress_rebuild`` after many at once), so that the pages read the
progress tables exactly as in production.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from projects import calendar
from projects.models import (
    Aggregation,
    Assignment,
    Indicator,
    IndicatorKind,
    Plan,
    Project,
    RateBasis,
    Role,
    Submission,
    SubmissionStatus,
    Task,
    Unit,
    UnitKind,
    User,
)
from projects.services.catalogue import allocations_set
from projects.services.progress import progress_rebuild, progress_refresh

TZ = ZoneInfo("Asia/Shanghai")
JUNE = date(2022, 6, 1)
# "Today" in most tests: June's figures are due on 5 July.
NOW = datetime(2022, 7, 10, 9, 0, tzinfo=TZ)
PASSWORD = "dash-test-password-1"


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


def report(code: str, unit_name: str, month: date, *, status=SubmissionStatus.SUBMITTED, late=False, **fields):
    """One unit's figure for one month, and the progress tables refreshed as the service does."""
    indicator = Indicator.objects.get(code=code)
    who = unit(unit_name)
    sub, _ = Submission.objects.update_or_create(
        indicator=indicator, unit=who, month=month, defaults={"status": status, "late": late, **fields}
    )
    progress_refresh(indicator_id=indicator.pk, unit_id=who.pk)
    return sub


def make_user(username: str, role: str, unit_name: str | None = None) -> User:
    return User.objects.create_user(
        username,
        password=PASSWORD,
        role=role,
        unit=unit(unit_name) if unit_name else None,
        first_name=username,
    )


@pytest.fixture
def office(plan_2022) -> User:
    return make_user("office-dash", Role.OFFICE)


@pytest.fixture
def leader(plan_2022) -> User:
    user = make_user("leader-dash", Role.LEADER)
    user.portfolio.add(*Project.objects.filter(plan=plan_2022, number__in=[6, 10]))
    return user


@pytest.fixture
def county_user(plan_2022) -> User:
    return make_user("hubin-dash", Role.UNIT, "湖滨区政府")


@pytest.fixture
def department_user(plan_2022) -> User:
    # 市住房城乡建设局 leads the tasks of project 2 (and reviews them).
    return make_user("zhujian-dash", Role.UNIT, "市住房城乡建设局")


def split_evenly(plan: Plan) -> None:
    """Give every additive indicator's reporting units equal shares of its target (任务分解)."""
    for indicator in Indicator.objects.filter(task__project__plan=plan, aggregation=Aggregation.SUM).exclude(
        target__isnull=True
    ):
        units = list(indicator.assignments.values_list("unit_id", flat=True))
        share = (indicator.target / len(units)).quantize(Decimal("0.0001"))
        targets = {u: share for u in units}
        targets[units[-1]] = indicator.target - share * (len(units) - 1)
        allocations_set(indicator=indicator, targets=targets)


def figures_for(indicator: Indicator, assignment: Assignment, index: int, months: int, units: int) -> dict:
    """A plausible cumulative figure for the ``index``-th month: units progress at different paces."""
    pace = Decimal(80 + (assignment.unit_id * 7) % 40) / 100  # 0.80 .. 1.19 of schedule
    share = min(Decimal(1), pace * index / months)
    if indicator.kind == IndicatorKind.MILESTONE:
        last = len(indicator.stage_list) - 1
        return {"stage": min(last, int(share * last))}
    if indicator.kind == IndicatorKind.RATE:
        level = (indicator.target or Decimal(50)) * share
        if indicator.rate_basis == RateBasis.RATIO:
            return {"numerator": (level * 10).quantize(Decimal(1)), "denominator": Decimal(1000)}
        return {"value": level.quantize(Decimal("0.01"))}
    target = assignment.target or (indicator.target or Decimal(100)) / max(1, units)
    return {"value": (target * share).quantize(Decimal("0.01"))}


def fill_months(plan: Plan, months: Iterable[date], *, skip_every: int = 7) -> int:
    """Figures from every reporting unit for every indicator and month (a few left missing, a few
    late), written in bulk and then the progress tables rebuilt. Returns the submissions made."""
    months = sorted(months)
    assignments = list(
        Assignment.objects.filter(indicator__task__project__plan=plan).select_related("indicator").order_by("pk")
    )
    units = Counter(a.indicator_id for a in assignments)
    rows = []
    for a in assignments:
        for i, month in enumerate(months, start=1):
            n = a.pk + i
            if n % skip_every == 0:
                continue  # not reported this month
            rows.append(
                Submission(
                    indicator=a.indicator,
                    unit_id=a.unit_id,
                    month=month,
                    status=SubmissionStatus.SUBMITTED,
                    late=n % 5 == 0,
                    progress_text=f"{a.indicator.name}按计划推进",
                    **figures_for(a.indicator, a, i, 12, units[a.indicator_id]),
                )
            )
    Submission.objects.bulk_create(rows, batch_size=1000)
    progress_rebuild(plan=plan)
    return len(rows)


def add_synthetic(plan: Plan, *, indicators: int, units: int) -> None:
    """More indicators (counts, split among the units) and more county-level units, to show that a
    page's queries do not grow with the data."""
    extra_units = [
        Unit.objects.create(name=f"测试县{i}政府", kind=UnitKind.COUNTY, position=900 + i) for i in range(units)
    ]
    counties = list(Unit.objects.filter(kind=UnitKind.COUNTY))
    task = Task.objects.filter(project__plan=plan).order_by("project__number", "number").first()
    for i in range(indicators):
        indicator = Indicator.objects.create(
            task=task,
            code=f"9{i:02d}.1.1",
            position=100 + i,
            name=f"合成指标{i}",
            kind=IndicatorKind.COUNT,
            unit_of_measure="个",
            target=Decimal(1000),
            deadline=plan.default_deadline,
            deadline_text="全年",
            aggregation=Aggregation.SUM,
            source_text=f"合成指标{i} 1000个",
        )
        Assignment.objects.bulk_create(
            [
                Assignment(
                    indicator=indicator,
                    unit=u,
                    target=(Decimal(1000) / len(counties)).quantize(Decimal("0.0001")),
                    position=k,
                )
                for k, u in enumerate(counties)
            ]
        )
    assert extra_units


def plan_months_until(plan: Plan, last: date) -> list[date]:
    months, month = [], plan.start.replace(day=1)
    while month <= last:
        months.append(month)
        month = calendar.add_months(month, 1)
    return months
