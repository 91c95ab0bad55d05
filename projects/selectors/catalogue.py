"""Reads of the plan catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from projects.models import Assignment, Indicator, Plan, Task, TaskUnit, TaskUnitRole, Unit

# --- which plan a command means -----------------------------------------------------------------
# Every command that works on plans picks them here, from its year (or month) and --document: the
# one rule, and the one list of the plans that exist when the choice fails.


class PlanChoiceError(Exception):
    """No plan, or several, answer a command's year (or month) and ``--document``; the message
    lists the plans that exist (year, document, kind, title) so that the user can name one."""


def plans_listing(plans: Iterable[Plan] | None = None) -> str:
    """The plans (every plan by default), one a line, as the commands list them."""
    plans = list(Plan.objects.order_by("-year", "document") if plans is None else plans)
    if not plans:
        return "  " + _("（数据库中还没有方案，请先用 load_plan 导入）")
    line = _("%(year)s  --document %(document)s  （%(kind)s）%(title)s")
    return "\n".join(
        "  " + line % {"year": p.year, "document": p.document, "kind": p.get_kind_display(), "title": p.title}
        for p in plans
    )


def _candidates(*, year: int | None, month: date | None, unit: Unit | None) -> list[Plan]:
    plans = Plan.objects.order_by("-year", "document")
    if year is not None:
        plans = plans.filter(year=year)
    if unit is not None:
        plans = plans.filter(projects__tasks__indicators__assignments__unit=unit).distinct()
    if month is None:
        return list(plans)
    from projects.selectors.dashboards import plan_months  # dashboards reads the catalogue too

    return [p for p in plans.filter(start__lte=month) if month in plan_months(p)]


def _nothing(*, year: int | None, month: date | None, unit: Unit | None, document: str | None) -> PlanChoiceError:
    values = {"year": year, "month": f"{month:%Y-%m}" if month else "", "document": document, "unit": unit}
    if unit is not None and month is not None:
        message = _("%(unit)s 在 %(month)s 没有应报的方案") % values
    elif document and year is not None:
        message = _("%(year)s 年没有文号为 %(document)s 的方案") % values
    elif document and month is not None:
        message = _("没有覆盖 %(month)s、文号为 %(document)s 的方案") % values
    elif document:
        message = _("没有文号为 %(document)s 的方案") % values
    elif year is not None:
        message = _("没有 %(year)s 年的方案") % values
    elif month is not None:
        message = _("没有覆盖 %(month)s 的方案") % values
    else:
        message = _("没有方案")
    if document and unit is not None:
        message += "（" + _("文号 %(document)s") % values + "）"
    return PlanChoiceError(message + "\n" + _("现有方案：") + "\n" + plans_listing())


def _several(plans: list[Plan], *, year: int | None, month: date | None) -> PlanChoiceError:
    values = {"n": len(plans), "year": year, "month": f"{month:%Y-%m}" if month else ""}
    if year is not None:
        message = _("%(year)s 年有 %(n)s 个方案，请用 --document 指定其中一个：") % values
    elif month is not None:
        message = _("%(month)s 有 %(n)s 个方案，请用 --document 指定其中一个：") % values
    else:
        message = _("有 %(n)s 个方案，请用 --document 指定其中一个（文号相同时再用年度区分）：") % values
    return PlanChoiceError(message + "\n" + plans_listing(plans))


def plan_choose(
    *,
    year: int | None = None,
    month: date | None = None,
    document: str | None = None,
    unit: Unit | None = None,
    default_kind: str | None = None,
) -> Plan:
    """The one plan a command means: among the plans of ``year`` (or those followed in ``month``,
    or those ``unit`` reports in; every plan when none is given), the one numbered ``document``;
    without ``document``, the only one, or the only one of ``default_kind``. Raises
    PlanChoiceError listing the plans otherwise."""
    candidates = _candidates(year=year, month=month, unit=unit)
    if document:
        chosen = [p for p in candidates if p.document == document]
    else:
        chosen = candidates
        if len(chosen) > 1 and default_kind:
            chosen = [p for p in chosen if p.kind == default_kind] or chosen
            chosen = chosen if len(chosen) == 1 else candidates
    if len(chosen) == 1:
        return chosen[0]
    if not chosen:
        raise _nothing(year=year, month=month, unit=unit, document=document)
    raise _several(chosen, year=year, month=month)


def plans_choose(*, year: int | None = None, document: str | None = None) -> list[Plan]:
    """Every plan a command that works on many means (seed_demo, scan, rebuild_progress): with
    ``document``, that one plan (as ``plan_choose`` finds it); without, every plan of ``year``, or
    every plan when no year is given. PlanChoiceError when a year or document names no plan."""
    if document:
        return [plan_choose(year=year, document=document)]
    plans = _candidates(year=year, month=None, unit=None)
    if not plans and year is not None:
        raise _nothing(year=year, month=None, unit=None, document=None)
    return plans


def number(value: Decimal | None) -> int | float | None:
    """A Decimal as the plain JSON number a person would write: 60000, 12.5."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value.normalize())


def indicators_of_plan(plan: Plan) -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(task__project__plan=plan)
        .select_related("task__project", "parent")
        .order_by("task__project__number", "task__number", "position")
    )


def plan_export(*, plan: Plan) -> dict[str, Any]:
    """The plan in the exchange shape of ``export_plan`` (a contract: keep it stable)."""
    tasks = (
        Task.objects.filter(project__plan=plan)
        .select_related("project")
        .prefetch_related(
            Prefetch("task_units", queryset=TaskUnit.objects.select_related("unit").order_by("position")),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("parent").prefetch_related(
                    Prefetch("assignments", queryset=Assignment.objects.select_related("unit"))
                ),
            ),
        )
        .order_by("project__number", "number")
    )
    projects: dict[int, dict[str, Any]] = {}
    for project in plan.projects.order_by("number"):
        projects[project.pk] = {"number": project.number, "title": project.title, "tasks": []}
    for task in tasks:
        roles = {TaskUnitRole.LEAD: [], TaskUnitRole.COOPERATING: []}
        for tu in task.task_units.all():
            roles[tu.role].append(tu.unit.name)
        projects[task.project_id]["tasks"].append(
            {
                "number": task.number,
                "text": task.text,
                "lead_units": roles[TaskUnitRole.LEAD],
                "cooperating_units": roles[TaskUnitRole.COOPERATING],
                "indicators": [
                    {
                        "name": ind.name,
                        "target": number(ind.target),
                        "unit": ind.unit_of_measure,
                        "kind": ind.kind,
                        "direction": ind.direction,
                        "deadline": ind.deadline.isoformat(),
                        "deadline_text": ind.deadline_text,
                        "parent": ind.parent.name if ind.parent else None,
                        "reporting_units": [a.unit.name for a in ind.assignments.all()],
                    }
                    for ind in task.indicators.all()
                ],
            }
        )
    return {"year": plan.year, "document": plan.document, "kind": plan.kind, "projects": list(projects.values())}
