"""The header's search: units, projects, tasks and indicators by name and code, as each role may see.

What each role finds, and where a hit leads (the pages' own rules decide, so a hit never leads to
a page that answers 404):

- the office and the leaders: every unit (its page), project, task and indicator of the plan;
- a lead department: its own unit, the tasks it leads (``task_visible``) and their indicators,
  and the indicators it reports (its form for the latest month it reports them);
- a county or committee: its own unit and the indicators it reports (its form).

Codes: ``3`` or ``三`` is project 3, ``3.2`` task 3.2, ``3.2.1`` (or its start, ``3.2.``) the
indicators whose code begins so; words match names and the tasks' text. At most ``LIMIT`` hits of
each kind, in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from projects import calendar, permissions
from projects import links as paths
from projects.models import Assignment, Indicator, Plan, Project, Task, TaskUnit, TaskUnitRole, Unit, User
from projects.selectors.dashboards import REPORTING_KINDS, sees_everything

LIMIT = 20
MAX_QUERY = 50
CHINESE_NUMBERS = "一二三四五六七八九十"
PROJECT_CODE = re.compile(r"\d{1,2}|[一二三四五六七八九十]")
TASK_CODE = re.compile(r"(\d{1,2})\.(\d{1,2})")
INDICATOR_CODE = re.compile(r"\d{1,2}\.\d{1,2}\.[\d.]*")


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    link: str


@dataclass
class Results:
    query: str
    units: list[Hit] = field(default_factory=list)
    projects: list[Hit] = field(default_factory=list)
    tasks: list[Hit] = field(default_factory=list)
    indicators: list[Hit] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.units) + len(self.projects) + len(self.tasks) + len(self.indicators)


def clean_query(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY]


def _project_number(q: str) -> int | None:
    if not PROJECT_CODE.fullmatch(q):
        return None
    return int(q) if q.isdigit() else CHINESE_NUMBERS.index(q) + 1


def _visible_tasks(user: User, plan: Plan) -> QuerySet[Task]:
    tasks = Task.objects.filter(project__plan=plan)
    if sees_everything(user):
        return tasks
    unit = permissions.acting_unit(user)
    if unit is None or unit.kind in REPORTING_KINDS:
        return tasks.none()
    led = TaskUnit.objects.filter(unit=unit, role=TaskUnitRole.LEAD).values("task_id")
    return tasks.filter(pk__in=led)


def _latest_month(indicator: Indicator, plan: Plan, today: dt.date) -> dt.date:
    """The month whose form a unit's hit opens: the latest of the indicator's periods that is over."""
    periods = calendar.periods(indicator.window(plan))
    over = [m for m in periods if calendar.is_over(m, today=today)]
    return over[-1] if over else periods[0]


def search(*, user: User, query: str, plan: Plan, today: dt.date) -> Results:
    q = clean_query(query)
    results = Results(query=q)
    if not q:
        return results
    everything = sees_everything(user)
    own = permissions.acting_unit(user)

    units = Unit.objects.filter(name__icontains=q)
    if not everything:
        units = units.filter(pk=own.pk) if own else units.none()
    results.units = [
        Hit(u.name, u.get_kind_display(), paths.unit_page(u.pk, plan_id=plan.pk))
        for u in units.order_by("position", "pk")[:LIMIT]
    ]

    number = _project_number(q)
    if everything:
        projects = Project.objects.filter(plan=plan).filter(Q(title__icontains=q) | Q(number=number or 0))
        results.projects = [
            Hit(f"{CHINESE_NUMBERS[p.number - 1] if p.number <= 10 else p.number}、{p.title}", plan.title,
                paths.project_page(p.pk, plan_id=plan.pk))
            for p in projects.order_by("number")[:LIMIT]
        ]  # fmt: skip

    task_match = Q(text__icontains=q)
    code = TASK_CODE.fullmatch(q)
    if code:
        task_match |= Q(project__number=int(code.group(1)), number=int(code.group(2)))
    tasks = _visible_tasks(user, plan).filter(task_match).select_related("project")
    results.tasks = [
        Hit(f"{t.code} {t.text[:60]}", t.project.title, paths.task_page(t.pk, plan_id=plan.pk))
        for t in tasks.order_by("project__number", "number")[:LIMIT]
    ]

    indicator_match = Q(name__icontains=q)
    if INDICATOR_CODE.fullmatch(q) or TASK_CODE.fullmatch(q):
        indicator_match |= Q(code__startswith=q if INDICATOR_CODE.fullmatch(q) else f"{q}.")
    indicators = (
        Indicator.objects.filter(task__project__plan=plan).filter(indicator_match).select_related("task__project")
    )
    visible_tasks = set(_visible_tasks(user, plan).values_list("pk", flat=True)) if not everything else None
    reported = set(Assignment.objects.filter(unit=own).values_list("indicator_id", flat=True)) if own else set()
    hits = []
    for i in indicators.order_by("task__project__number", "task__number", "position"):
        if everything or i.task_id in visible_tasks:
            link = paths.indicator_page(i.pk, plan_id=plan.pk)
        elif i.pk in reported:
            link = paths.report_form(_latest_month(i, plan, today), i.pk)
        else:
            continue
        hits.append(Hit(f"{i.code} {i.name}", f"{i.task.code} {i.task.text[:40]}", link))
        if len(hits) == LIMIT:
            break
    results.indicators = hits
    return results
