"""Reads that feed the dashboards, the lists and the monthly bulletin.

Every function takes a plan and a month (its first day; figures are as of the month's end) and
reads the precomputed progress tables (``UnitProgress``, ``CityProgress``), never the submissions,
so that its cost does not grow with the history. Each runs a fixed number of SQL queries whatever
the number of indicators, units and months (tests/dashboards/test_query_counts.py).

How groups are measured (docs/dashboards.md says the same for the office):

- A task's or a project's completion is the mean, over its measured indicators, of the city
  completion capped at 100; every indicator weighs the same; an indicator with no figure yet counts
  as 0; parts ("其中", an indicator with a parent) are left out, their parent already counts them.
  Measured: a kind of ``rules.MEASURED_KINDS`` (not a qualitative task, which is tracked by stage
  and narrative) with a confirmed target; a group says how many of its items are measured
  (``Standing.indicators`` of ``Standing.main``), and a group with none has no completion.
- Its expected progress is the mean of the same indicators' expected progress.
- Its light is ``rules.light`` on those two means with the plan's bands; the deadline is the
  latest of its indicators' deadlines.
- The plan's overall completion and expected progress are the means of its measured projects'
  (each project of the plan weighs the same: the plan promises ten things, not sixty figures);
  ``Standing.groups_measured`` of ``Standing.groups`` say how many.
- Counts of red, yellow and overdue items count every indicator, parts included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from projects import calendar, permissions, rules
from projects.models import (
    Assignment,
    CityProgress,
    Evidence,
    Indicator,
    IndicatorKind,
    Plan,
    Project,
    Submission,
    Task,
    TaskUnit,
    TaskUnitRole,
    Unit,
    UnitKind,
    UnitProgress,
    User,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
RED, YELLOW, GREEN = rules.Light.RED.value, rules.Light.YELLOW.value, rules.Light.GREEN.value

# Counties and the two development-zone committees report figures; lead units among the others
# review their tasks and may follow them on the dashboards.
REPORTING_KINDS = (UnitKind.COUNTY, UnitKind.COMMITTEE)

PERCENT = DecimalField(max_digits=9, decimal_places=2)
MAIN = Q(indicator__parent__isnull=True)
# Items that enter averages: not parts, of a measured kind, with a confirmed target.
MEASURED = MAIN & Q(indicator__kind__in=rules.MEASURED_KINDS, indicator__target_confirmed=True)
# A unit's row of a month that is one of the indicator's reporting periods: only there is a figure
# expected of it, missing or late (calendar.periods, kept in UnitProgress.period).
OWED = Q(period=True)
# min(completion, 100), nothing reported = 0: overshooting one figure cannot hide another's lag.
CAPPED = Case(
    When(completion__isnull=True, then=Value(ZERO)),
    When(completion__gt=HUNDRED, then=Value(HUNDRED)),
    default=F("completion"),
    output_field=PERCENT,
)


def pct(value: Decimal | float | None) -> Decimal | None:
    """A percentage rounded as the rules round them (two places, half up)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


# --- who sees what ---------------------------------------------------------------------------


def sees_everything(user: User) -> bool:
    """The supervision office and the city leaders see every dashboard."""
    return bool(user.is_authenticated and (user.is_office or user.is_leader))


def unit_visible(*, user: User, unit: Unit) -> bool:
    return sees_everything(user) or (user.is_authenticated and user.unit_id == unit.pk)


def task_visible(*, user: User, task: Task) -> bool:
    """Besides the office and leaders, the units that lead the task and review it (a department or
    company, not a county government or committee, which only report their own figures)."""
    if sees_everything(user):
        return True
    if not user.is_authenticated or user.unit_id is None:
        return False
    return (
        TaskUnit.objects.filter(task=task, unit_id=user.unit_id, role=TaskUnitRole.LEAD)
        .exclude(unit__kind__in=REPORTING_KINDS)
        .exists()
    )


# --- plans and months ------------------------------------------------------------------------


def plans() -> QuerySet[Plan]:
    return Plan.objects.order_by("-year", "-issued_on", "-pk")


def plan_months(plan: Plan) -> list[date]:
    """Every month that any indicator of the plan is followed in (``calendar.followed_months``), from
    the earliest start to the latest deadline: 2022-01 to 2024-12 for the 2022 plan, whose 三年内
    items run to 2024. One query."""
    indicators = (
        Indicator.objects.filter(task__project__plan=plan)
        .select_related("task")
        .only("start", "deadline", "frequency", "task__valid_from", "task__valid_until")
    )
    windows = [i.window(plan) for i in indicators]
    edges = [plan.start, plan.default_deadline]
    edges += [m for w in windows for m in (w.first, w.followed_until)]
    return calendar.span(edges)


def default_month(*, plan: Plan, today: date, months: Sequence[date] | None = None) -> date:
    """The month a dashboard opens on: the reporting month as of ``today`` (``calendar.
    landing_month``: the latest month whose due day has passed), from the plan's first month to
    the month of its default deadline (2022-12 for the 2022 plan: its 三年内 items are looked at in
    2023 and 2024 by choosing those months).

    A figure sent early for a later month does not move it: until that month's due day, its
    figures are still coming in."""
    months = plan_months(plan) if months is None else months
    last = calendar.month_of(plan.default_deadline)
    return calendar.landing_month(months=[m for m in months if m <= last], today=today, due_day=plan.due_day)


def has_demo_data(*, plan: Plan, month: date) -> bool:
    """Whether the figures of ``plan`` as of ``month`` include demo figures (``seed_demo``): the
    pages then carry the 演示数据 ribbon, as the reporting pages do."""
    return Submission.objects.filter(indicator__task__project__plan=plan, month__lte=month, is_demo=True).exists()


# --- standings of groups of indicators -------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """How a group of indicators (a task, a project, the plan) stands at a month's end."""

    completion: Decimal | None = None
    expected: Decimal | None = None
    light: str = ""
    indicators: int = 0  # indicators measured (parts left out; MEASURED)
    main: int = 0  # indicators, measured or not (parts left out): "indicators of main measured"
    items: int = 0  # indicators counted for red/yellow/overdue (parts included)
    red: int = 0
    yellow: int = 0
    overdue: int = 0
    deadline: date | None = None
    groups: int = 0  # a combined standing: the groups (projects) it is the mean of …
    groups_measured: int = 0  # … and those with something measured

    @property
    def unmeasured(self) -> int:
        """Items tracked by stage and narrative (or with targets still to confirm), not averaged."""
        return self.main - self.indicators

    @property
    def gap(self) -> Decimal | None:
        """Points behind expected progress (negative: ahead)."""
        if self.completion is None or self.expected is None:
            return None
        return self.expected - self.completion

    @property
    def ahead(self) -> bool:
        """At or ahead of schedule, with something done (0 % against 0 % is not ahead)."""
        gap = self.gap
        return gap is not None and gap <= 0 and self.completion > 0


def _standing_aggregates() -> dict[str, Any]:
    return {
        "g_completion": Avg(CAPPED, filter=MEASURED),
        "g_expected": Avg("expected", filter=MEASURED),
        "g_deadline": Max("indicator__deadline", filter=MEASURED),
        "g_indicators": Count("id", filter=MEASURED),
        "g_main": Count("id", filter=MAIN),
        "g_items": Count("id"),
        "g_red": Count("id", filter=Q(light=RED)),
        "g_yellow": Count("id", filter=Q(light=YELLOW)),
        "g_overdue": Count("id", filter=Q(overdue=True)),
    }


def _standing(row: dict[str, Any] | None, *, as_of: date, bands: rules.Bands) -> Standing:
    if not row:
        return Standing()
    counts = {k: row[f"g_{k}"] for k in ("main", "items", "red", "yellow", "overdue")}
    if not row["g_indicators"]:
        return Standing(**counts)
    completion, expected = pct(row["g_completion"]), pct(row["g_expected"])
    deadline = row["g_deadline"]
    light = rules.light(expected=expected, completion=completion, deadline=deadline, as_of=as_of, bands=bands)
    return Standing(
        completion=completion,
        expected=expected,
        light=light.value,
        indicators=row["g_indicators"],
        deadline=deadline,
        **counts,
    )


def _combined(standings: Sequence[Standing], *, as_of: date, bands: rules.Bands) -> Standing:
    """The mean of groups' standings, each group weighing the same."""
    measured = [s for s in standings if s.completion is not None]
    counts = {
        k: sum(getattr(s, k) for s in standings) for k in ("indicators", "main", "items", "red", "yellow", "overdue")
    }
    counts.update(groups=len(standings), groups_measured=len(measured))
    if not measured:
        return Standing(**counts)
    completion = pct(sum((s.completion for s in measured), ZERO) / len(measured))
    expected = pct(sum((s.expected for s in measured), ZERO) / len(measured))
    deadline = max(s.deadline for s in measured)
    light = rules.light(expected=expected, completion=completion, deadline=deadline, as_of=as_of, bands=bands)
    return Standing(completion=completion, expected=expected, light=light.value, deadline=deadline, **counts)


def group_standings(*, plan: Plan, month: date, by: str, scope: Q | None = None) -> dict[int, Standing]:
    """Standings grouped by ``by`` ("project" or "task"), one query."""
    key = {"project": "indicator__task__project_id", "task": "indicator__task_id"}[by]
    rows = (
        CityProgress.objects.filter(indicator__task__project__plan=plan, month=month)
        .filter(scope or Q())
        .values(key)
        .order_by()
        .annotate(**_standing_aggregates())
    )
    as_of = calendar.as_of(month)
    return {row[key]: _standing(row, as_of=as_of, bands=plan.bands) for row in rows}


def scope_standing(*, plan: Plan, month: date, scope: Q) -> Standing:
    """One group's standing (a task, a project), one query."""
    row = (
        CityProgress.objects.filter(indicator__task__project__plan=plan, month=month)
        .filter(scope)
        .aggregate(**_standing_aggregates())
    )
    return _standing(row, as_of=calendar.as_of(month), bands=plan.bands)


# --- the overview ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reporting:
    """This month's reporting: figures expected of the units, reported, on time."""

    month: date
    due: date
    expected: int = 0
    reported: int = 0
    late: int = 0

    @property
    def on_time(self) -> int:
        return self.reported - self.late

    @property
    def missing(self) -> int:
        return self.expected - self.reported

    @property
    def rate(self) -> Decimal | None:
        return pct(Decimal(self.reported) * HUNDRED / self.expected) if self.expected else None

    @property
    def on_time_rate(self) -> Decimal | None:
        return pct(Decimal(self.on_time) * HUNDRED / self.expected) if self.expected else None


@dataclass(frozen=True)
class UnitItems:
    """The units' own items (one unit, one indicator) by light at a month's end."""

    items: int = 0
    rated: int = 0
    red: int = 0
    yellow: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    standing: Standing
    mine: bool = False  # in the leader's portfolio


@dataclass(frozen=True)
class Overview:
    plan: Plan
    month: date
    as_of: date
    overall: Standing
    projects: list[ProjectRow]
    reporting: Reporting
    unit_items: UnitItems
    has_portfolio: bool = False

    @property
    def mine(self) -> list[ProjectRow]:
        return [p for p in self.projects if p.mine]

    @property
    def others(self) -> list[ProjectRow]:
        return [p for p in self.projects if not p.mine]


def _reporting_and_items(*, plan: Plan, month: date) -> tuple[Reporting, UnitItems]:
    # Aliases differ from the field names: Django refuses an aggregate named like a field it counts.
    row = UnitProgress.objects.filter(indicator__task__project__plan=plan, month=month).aggregate(
        n_items=Count("id"),
        n_expected=Count("id", filter=OWED),
        n_reported=Count("id", filter=OWED & Q(reported=True)),
        n_late=Count("id", filter=OWED & Q(reported=True, late=True)),
        n_rated=Count("id", filter=~Q(light="")),
        n_red=Count("id", filter=Q(light=RED)),
        n_yellow=Count("id", filter=Q(light=YELLOW)),
        n_overdue=Count("id", filter=Q(overdue=True)),
    )
    reporting = Reporting(
        month=month,
        due=plan.due_date(month),
        expected=row["n_expected"],
        reported=row["n_reported"],
        late=row["n_late"],
    )
    items = UnitItems(
        items=row["n_items"], rated=row["n_rated"], red=row["n_red"], yellow=row["n_yellow"], overdue=row["n_overdue"]
    )
    return reporting, items


def overview(*, plan: Plan, month: date, user: User | None = None) -> Overview:
    """Everything the overview and the bulletin's first part show; four queries (five for a leader)."""
    as_of = calendar.as_of(month)
    portfolio: set[int] = set()
    if user is not None and user.is_authenticated and user.is_leader:
        portfolio = set(user.portfolio.filter(plan=plan).values_list("id", flat=True))
    standings = group_standings(plan=plan, month=month, by="project")
    rows = [
        ProjectRow(project=p, standing=standings.get(p.pk, Standing()), mine=p.pk in portfolio)
        for p in plan.projects.order_by("number")
    ]
    # A leader's own projects come first, in the plan's order.
    rows.sort(key=lambda r: (not r.mine, r.project.number))
    reporting, items = _reporting_and_items(plan=plan, month=month)
    return Overview(
        plan=plan,
        month=month,
        as_of=as_of,
        overall=_combined([r.standing for r in rows], as_of=as_of, bands=plan.bands),
        projects=rows,
        reporting=reporting,
        unit_items=items,
        has_portfolio=bool(portfolio),
    )


# The landing shows at most this many plans of the year side by side (a city has three or four);
# the plan list holds the rest.
PORTFOLIO_SHOWN = 12


@dataclass(frozen=True)
class PortfolioRow:
    """One plan of the year as the office lands on it: its overview's first line, as of its own
    reporting month (a work report due on the 20th is a month behind a plan due on the 5th)."""

    plan: Plan
    month: date
    overview: Overview


def portfolio(*, plans: Sequence[Plan], today: date) -> list[PortfolioRow]:
    """The plans of the latest year among ``plans`` (at most ``PORTFOLIO_SHOWN``, in the order
    given), each with its overview as of its default month; five queries a plan. Nothing when
    that year has one plan: its overview is the whole picture."""
    year = max((p.year for p in plans), default=None)
    of_the_year = [p for p in plans if p.year == year]
    if len(of_the_year) < 2:
        return []
    rows = []
    for plan in of_the_year[:PORTFOLIO_SHOWN]:
        month = default_month(plan=plan, today=today, months=plan_months(plan))
        rows.append(PortfolioRow(plan=plan, month=month, overview=overview(plan=plan, month=month)))
    return rows


@dataclass(frozen=True)
class TaskRow:
    task: Task
    standing: Standing


def task_rows(*, plan: Plan, month: date, project: Project | None = None) -> list[TaskRow]:
    """Every task of the plan (or of one project) with its standing; two queries."""
    scope = Q(indicator__task__project=project) if project else None
    standings = group_standings(plan=plan, month=month, by="task", scope=scope)
    tasks = Task.objects.filter(project__plan=plan).select_related("project").order_by("project__number", "number")
    if project is not None:
        tasks = tasks.filter(project=project)
    return [TaskRow(task=t, standing=standings.get(t.pk, Standing())) for t in tasks]


# --- curves ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurvePoint:
    month: date
    actual: Decimal | None  # None after the as-of month: not known yet
    expected: Decimal | None


def progress_curve(*, plan: Plan, month: date, scope: Q) -> list[CurvePoint]:
    """A group's completion against its expected progress, month by month (one query).

    Completion and expected progress as for ``Standing``; actual values stop at ``month``."""
    rows = (
        CityProgress.objects.filter(
            indicator__task__project__plan=plan, month__lte=max(plan.default_deadline, calendar.as_of(month))
        )
        .filter(scope & MEASURED)
        .values("month")
        .order_by("month")
        .annotate(c_completion=Avg(CAPPED), c_expected=Avg("expected"))
    )
    return [
        CurvePoint(
            month=r["month"],
            actual=pct(r["c_completion"]) if r["month"] <= month else None,
            expected=pct(r["c_expected"]),
        )
        for r in rows
    ]


def in_figures(indicator: Indicator) -> bool:
    """Whether an indicator's curve is drawn in its own unit (a count or amount towards a target, a
    growth rate against its target) rather than in percent."""
    if indicator.kind == IndicatorKind.GROWTH:
        return indicator.target is not None
    return (
        indicator.kind in (IndicatorKind.COUNT, IndicatorKind.AMOUNT)
        and indicator.direction == rules.Direction.AT_LEAST
        and indicator.target is not None
    )


def indicator_curve(*, indicator: Indicator, plan: Plan, month: date) -> list[CurvePoint]:
    """One indicator's city figure against its expected figure, month by month (one query).

    In the indicator's own unit for counts and amounts (expected figure = baseline + expected % of
    the way to the target), else completion against expected progress in percent."""
    rows = (
        CityProgress.objects.filter(indicator=indicator)
        .order_by("month")
        .values("month", "value", "completion", "expected")
    )
    figures = in_figures(indicator)
    base = indicator.baseline or ZERO
    points = []
    for r in rows:
        if figures and indicator.kind == IndicatorKind.GROWTH:
            # A growth rate against its target, a level at every period end (rules.LEVEL_KINDS).
            actual = r["value"] if r["month"] <= month else None
            expected = indicator.target
        elif figures:
            actual = r["value"] if r["month"] <= month else None
            expected = base + (indicator.target - base) * r["expected"] / HUNDRED
        else:
            actual = r["completion"] if r["month"] <= month else None
            expected = r["expected"]
        points.append(CurvePoint(month=r["month"], actual=actual, expected=expected))
    return points


# --- rows of one month -----------------------------------------------------------------------


def city_rows(*, plan: Plan, month: date, scope: Q) -> list[CityProgress]:
    """The city's standing on each indicator of a scope (one query)."""
    return list(
        CityProgress.objects.filter(indicator__task__project__plan=plan, month=month)
        .filter(scope)
        .select_related("indicator__task__project", "indicator__parent")
        .order_by("indicator__task__project__number", "indicator__task__number", "indicator__position")
    )


def unit_rows(*, plan: Plan, month: date, scope: Q) -> list[UnitProgress]:
    """Each reporting unit's standing on each indicator of a scope, with its allocation, the
    month's submission (narratives) and its evidence: two queries."""
    allocation = Assignment.objects.filter(indicator=OuterRef("indicator_id"), unit=OuterRef("unit_id")).values(
        "target"
    )[:1]
    return list(
        UnitProgress.objects.filter(indicator__task__project__plan=plan, month=month)
        .filter(scope)
        .select_related("unit", "indicator__task__project", "submission")
        .prefetch_related(Prefetch("submission__evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")))
        .annotate(allocation=Subquery(allocation, output_field=DecimalField(max_digits=18, decimal_places=4)))
        .order_by(
            "indicator__task__project__number",
            "indicator__task__number",
            "indicator__position",
            "unit__position",
            "unit__pk",
        )
    )


HISTORY_LIMIT = 30


def submission_history(*, scope: Q, user: User, limit: int = HISTORY_LIMIT) -> list[Any]:
    """The latest changes to the submissions of a scope (django-simple-history) that ``user`` may
    read (``permissions.history_visible_q``: a reviewer sees what was sent, never a unit's drafts),
    one query."""
    return list(
        Submission.history.filter(scope)
        .filter(permissions.history_visible_q(user))
        .select_related("unit", "indicator", "history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )


# --- the county view, the ranking and a unit's page ------------------------------------------


UNIT_GROUPS = {
    "county": REPORTING_KINDS,
    "other": tuple(k for k in UnitKind.values if k not in REPORTING_KINDS),
}


def _reporting_units(plan: Plan, kinds: Iterable[str] | None) -> QuerySet[Unit]:
    units = Unit.objects.filter(assignments__indicator__task__project__plan=plan).distinct()
    if kinds is not None:
        units = units.filter(kind__in=list(kinds))
    return units.order_by("position", "pk")


@dataclass
class RankingRow:
    unit: Unit
    score: Decimal | None  # None: no item of its own is measured
    rated: int = 0  # items with a target of their own (the ranking's weights)
    items: int = 0  # items it reports this month
    reported: int = 0
    late: int = 0
    red: int = 0
    rank: int | None = None

    @property
    def missing(self) -> int:
        return self.items - self.reported


@dataclass
class CountyView:
    plan: Plan
    month: date
    units: list[Unit]
    indicators: list[Indicator]
    # (unit id, indicator id) -> the unit's progress row
    cells: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    ranking: list[RankingRow] = field(default_factory=list)


RANKING_WEIGHT = Decimal(1)


def _rank(rows: list[RankingRow]) -> list[RankingRow]:
    """Highest score first; equal scores share a rank; units without a score come last, unranked."""
    scored = sorted((r for r in rows if r.score is not None), key=lambda r: -r.score)
    previous, rank = None, 0
    for index, row in enumerate(scored, start=1):
        if row.score != previous:
            rank, previous = index, row.score
        row.rank = rank
    return scored + [r for r in rows if r.score is None]


def county_view(*, plan: Plan, month: date, group: str = "county") -> CountyView:
    """The units × indicators matrix of a month, and the ranking of the units (three queries).

    Ranking score (docs/ranking.md): ``rules.weighted_score`` over the unit's items that have a
    target of their own (an allocation of an additive figure, a rate level, a lead-reported figure
    or a milestone), each weighing 1; completion capped at 100; an item not reported counts as 0;
    parts ("其中") are left out as in the project figures."""
    units = list(_reporting_units(plan, UNIT_GROUPS.get(group)))
    unit_ids = [u.pk for u in units]
    rows = list(
        UnitProgress.objects.filter(indicator__task__project__plan=plan, month=month, unit_id__in=unit_ids)
        .values(
            "unit_id",
            "indicator_id",
            "value",
            "target",
            "completion",
            "expected",
            "light",
            "period",
            "reported",
            "late",
            "overdue",
            parent_id=F("indicator__parent_id"),
            kind=F("indicator__kind"),
        )
        .order_by()
    )
    indicator_ids = {r["indicator_id"] for r in rows}
    indicators = list(
        Indicator.objects.filter(pk__in=indicator_ids)
        .select_related("task__project")
        .order_by("task__project__number", "task__number", "position")
    )
    view = CountyView(plan=plan, month=month, units=units, indicators=indicators)
    by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        view.cells[(r["unit_id"], r["indicator_id"])] = r
        by_unit[r["unit_id"]].append(r)
    ranking = []
    for unit in units:
        mine = by_unit.get(unit.pk, [])
        # Qualitative items have a light (their stage against time) but no figure to rank by.
        rated = [r for r in mine if r["light"] and r["parent_id"] is None and rules.is_measured(r["kind"])]
        owed = [r for r in mine if r["period"]]
        ranking.append(
            RankingRow(
                unit=unit,
                score=rules.weighted_score(completions=[(r["completion"], RANKING_WEIGHT) for r in rated]),
                rated=len(rated),
                items=len(owed),
                reported=sum(r["reported"] for r in owed),
                late=sum(r["reported"] and r["late"] for r in owed),
                red=sum(r["light"] == RED for r in mine),
            )
        )
    view.ranking = _rank(ranking)
    return view


@dataclass
class OwedItem:
    """One indicator a unit reports: where it stands and which months it has not reported."""

    progress: UnitProgress
    allocation: Decimal | None
    last_reported: date | None
    missing_months: list[date]


def unit_owes(*, plan: Plan, unit: Unit, month: date, today: date) -> list[OwedItem]:
    """What a unit owes as of a month: its indicators with targets, last figures, lights and the
    months up to ``month`` it owes and has not reported (``calendar.owed_months``: reporting periods
    whose due day has passed by ``today``; a month still open for reporting is not owed yet).
    Three queries."""
    base = UnitProgress.objects.filter(indicator__task__project__plan=plan, unit=unit)
    allocation = Assignment.objects.filter(indicator=OuterRef("indicator_id"), unit=OuterRef("unit_id")).values(
        "target"
    )[:1]
    last = {
        r["indicator_id"]: r["last_reported"]
        for r in base.filter(month__lte=month)
        .values("indicator_id")
        .order_by()
        .annotate(last_reported=Max("month", filter=Q(reported=True)))
    }
    unreported: dict[int, set[date]] = defaultdict(set)
    for indicator_id, m in base.filter(month__lte=month, reported=False).values_list("indicator_id", "month"):
        unreported[indicator_id].add(m)
    current = list(
        base.filter(month=month)
        .select_related("indicator__task__project")
        .annotate(allocation=Subquery(allocation, output_field=DecimalField(max_digits=18, decimal_places=4)))
        .order_by("indicator__task__project__number", "indicator__task__number", "indicator__position")
    )
    items = []
    for p in current:
        owed = calendar.owed_months(p.indicator.window(plan), today=today, due_day=plan.due_day, upto=month)
        items.append(
            OwedItem(
                progress=p,
                allocation=p.allocation,
                last_reported=last.get(p.indicator_id),
                missing_months=[m for m in owed if m in unreported[p.indicator_id]],
            )
        )
    return items


# --- lists of items: lagging, overdue, missing -----------------------------------------------

CITY = _("全市")


def _item_columns(*, city: bool) -> dict[str, Any]:
    """The columns of an item row, the same for a unit's row and the city's, so that the two
    can be listed together (a UNION, sorted and paginated in SQL)."""
    return {
        "level": Value("city" if city else "unit", output_field=CharField()),
        "item_indicator": F("indicator_id"),
        "code": F("indicator__code"),
        "indicator_name": F("indicator__name"),
        "indicator_kind": F("indicator__kind"),
        "measure": F("indicator__unit_of_measure"),
        "project_id": F("indicator__task__project_id"),
        "project_number": F("indicator__task__project__number"),
        "project_title": F("indicator__task__project__title"),
        "task_id": F("indicator__task_id"),
        "task_number": F("indicator__task__number"),
        "position": F("indicator__position"),
        "unit_pk": Value(None, output_field=IntegerField()) if city else F("unit_id"),
        "unit_name": Value(str(CITY), output_field=CharField()) if city else F("unit__name"),
        "unit_position": Value(-1, output_field=IntegerField()) if city else F("unit__position"),
        "item_month": F("month"),
        "item_value": F("value"),
        "item_stage": F("stage"),
        "indicator_stages": F("indicator__stages"),
        "item_target": F("target"),
        "item_completion": F("completion"),
        "item_expected": F("expected"),
        "gap": ExpressionWrapper(F("expected") - Coalesce(F("completion"), Value(ZERO)), output_field=PERCENT),
        "item_light": F("light"),
        "item_overdue": F("overdue"),
        "item_not_started": F("not_started"),
        "deadline": F("indicator__deadline"),
        "deadline_text": F("indicator__deadline_text"),
        "item_reported": Value(None, output_field=BooleanField()) if city else F("reported"),
        "item_late": Value(None, output_field=BooleanField()) if city else F("late"),
    }


def unit_item_rows(queryset: QuerySet[UnitProgress]) -> QuerySet:
    return queryset.values(**_item_columns(city=False))


def city_item_rows(queryset: QuerySet[CityProgress]) -> QuerySet:
    return queryset.values(**_item_columns(city=True))


def item_rows(*, units: QuerySet[UnitProgress] | None, city: QuerySet[CityProgress] | None) -> QuerySet:
    """Unit items and city items as one list of dicts (UNION ALL), still a queryset: the table sorts
    and paginates it in SQL."""
    parts = []
    if units is not None:
        parts.append(unit_item_rows(units))
    if city is not None:
        parts.append(city_item_rows(city))
    if not parts:
        return unit_item_rows(UnitProgress.objects.none())
    first, *rest = parts
    return first.union(*rest, all=True) if rest else first


def month_progress(*, plan: Plan, month: date) -> tuple[QuerySet[UnitProgress], QuerySet[CityProgress]]:
    """Both progress tables restricted to a plan and a month: the lists' starting point."""
    return (
        UnitProgress.objects.filter(indicator__task__project__plan=plan, month=month),
        CityProgress.objects.filter(indicator__task__project__plan=plan, month=month),
    )


def lagging(queryset: QuerySet) -> QuerySet:
    """Items behind schedule: a yellow or red light."""
    return queryset.filter(light__in=[YELLOW, RED])


def overdue(queryset: QuerySet) -> QuerySet:
    """Items past their deadline and not done."""
    return queryset.filter(overdue=True)


def missing(queryset: QuerySet[UnitProgress], *, status: str = "missing") -> QuerySet[UnitProgress]:
    """Figures owed for the month (a reporting period of the indicator) and not reported
    ("missing"), reported late ("late"), or either ("any")."""
    conditions = {
        "missing": Q(reported=False),
        "late": Q(reported=True, late=True),
        "any": Q(reported=False) | Q(late=True),
    }
    return queryset.filter(OWED).filter(conditions.get(status, conditions["missing"]))


# --- the bulletin ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LateUnit:
    unit: Unit
    expected: int
    missing: int
    late: int


def late_units(*, plan: Plan, month: date) -> list[LateUnit]:
    """Units that did not report every figure of the month on time (two queries)."""
    rows = list(
        UnitProgress.objects.filter(OWED, indicator__task__project__plan=plan, month=month)
        .values("unit_id")
        .order_by()
        .annotate(
            n_items=Count("id"),
            n_missing=Count("id", filter=Q(reported=False)),
            n_late=Count("id", filter=Q(reported=True, late=True)),
        )
        .filter(Q(n_missing__gt=0) | Q(n_late__gt=0))
    )
    units = Unit.objects.in_bulk([r["unit_id"] for r in rows])
    result = [LateUnit(units[r["unit_id"]], r["n_items"], r["n_missing"], r["n_late"]) for r in rows]
    return sorted(result, key=lambda r: (-r.missing, -r.late, r.unit.position, r.unit.pk))


def red_items(*, plan: Plan, month: date) -> list[dict[str, Any]]:
    """The red list: every red item of the month, the city's and the units' (one query)."""
    units, city = month_progress(plan=plan, month=month)
    rows = item_rows(units=units.filter(light=RED), city=city.filter(light=RED))
    return list(rows.order_by("project_number", "task_number", "position", "unit_position", "unit_name"))


@dataclass(frozen=True)
class BulletinData:
    overview: Overview
    tasks: list[TaskRow]
    ranking: list[RankingRow]
    late_units: list[LateUnit]
    red_items: list[dict[str, Any]]

    @property
    def tasks_ahead(self) -> list[TaskRow]:
        rows = [t for t in self.tasks if t.standing.completion is not None and t.standing.ahead]
        return sorted(rows, key=lambda t: t.standing.gap)

    @property
    def tasks_behind(self) -> list[TaskRow]:
        rows = [t for t in self.tasks if t.standing.light in (YELLOW, RED)]
        return sorted(rows, key=lambda t: -t.standing.gap)

    @property
    def projects_ahead(self) -> list[ProjectRow]:
        rows = [p for p in self.overview.projects if p.standing.completion is not None and p.standing.ahead]
        return sorted(rows, key=lambda p: p.standing.gap)

    @property
    def projects_behind(self) -> list[ProjectRow]:
        rows = [p for p in self.overview.projects if p.standing.light in (YELLOW, RED)]
        return sorted(rows, key=lambda p: -p.standing.gap)


def bulletin_data(*, plan: Plan, month: date) -> BulletinData:
    """What the monthly bulletin says, from the same selectors as the overview and the county view."""
    return BulletinData(
        overview=overview(plan=plan, month=month),
        tasks=task_rows(plan=plan, month=month),
        ranking=county_view(plan=plan, month=month, group="county").ranking,
        late_units=late_units(plan=plan, month=month),
        red_items=red_items(plan=plan, month=month),
    )
