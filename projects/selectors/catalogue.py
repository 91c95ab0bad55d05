"""Reads of the plan catalogue."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from projects.models import (
    Assignment,
    Frequency,
    Indicator,
    IndicatorGroup,
    Plan,
    RateBasis,
    Task,
    TaskGroup,
    TaskUnit,
    TaskUnitRole,
    Unit,
    UnitGroup,
    UnitGroupMember,
)
from projects.planfile import FORMAT_VERSION

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

    # plan_months alone decides: a plan issued mid-month (the measures of 5 June) is followed in
    # that month, and a task valid from before the plan's start is followed from its own start.
    return [p for p in plans if month in plan_months(p)]


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


def tasks_of_plan(plan: Plan) -> QuerySet[Task]:
    """A plan's tasks in plan order, with what ``task_export`` reads."""
    return tasks_for_export().filter(project__plan=plan)


def tasks_for_export() -> QuerySet[Task]:
    """Tasks in plan order, with what ``task_export`` reads."""
    return (
        Task.objects.select_related("project")
        .prefetch_related(
            Prefetch("task_units", queryset=TaskUnit.objects.select_related("unit").order_by("position")),
            Prefetch("indicators", queryset=indicators_for_export()),
        )
        .order_by("project__plan", "project__number", "number", "pk")
    )


def indicators_for_export() -> QuerySet[Indicator]:
    """Indicators with what ``indicator_export`` reads."""
    return Indicator.objects.select_related("parent").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("unit"))
    )


def indicator_export(ind: Indicator) -> dict[str, Any]:
    """One indicator in the exchange shape of ``export_plan``."""
    return {
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


def task_export(task: Task, *, indicators: bool = True) -> dict[str, Any]:
    """One task in the exchange shape of ``export_plan`` (with its indicators, or without)."""
    roles = {TaskUnitRole.LEAD: [], TaskUnitRole.COOPERATING: []}
    for tu in task.task_units.all():
        roles[tu.role].append(tu.unit.name)
    shape: dict[str, Any] = {
        "number": task.number,
        "text": task.text,
        "lead_units": roles[TaskUnitRole.LEAD],
        "cooperating_units": roles[TaskUnitRole.COOPERATING],
    }
    if indicators:
        shape["indicators"] = [indicator_export(ind) for ind in task.indicators.all()]
    return shape


def plan_export(*, plan: Plan) -> dict[str, Any]:
    """The plan in the exchange shape of ``export_plan`` (a contract: keep it stable)."""
    projects: dict[int, dict[str, Any]] = {}
    for project in plan.projects.order_by("number"):
        projects[project.pk] = {"number": project.number, "title": project.title, "tasks": []}
    for task in tasks_of_plan(plan):
        projects[task.project_id]["tasks"].append(task_export(task))
    return {"year": plan.year, "document": plan.document, "kind": plan.kind, "projects": list(projects.values())}


# --- the plan as a plan file -------------------------------------------------------------------


def _named(entries: list[tuple[int, str]]) -> list[str]:
    return [name for _position, name in sorted(entries, key=lambda e: e[0])]


def plan_file(*, plan: Plan) -> dict[str, Any]:
    """The plan as a plan file (docs/plan-format.md, format 2) that ``load_plan`` accepts and that
    reproduces the plan: loading it into a database holding the plan changes nothing, into an empty
    one gives the same plan. A fixed number of queries."""
    groups = list(
        UnitGroup.objects.filter(plan=plan).prefetch_related(
            Prefetch("memberships", queryset=UnitGroupMember.objects.select_related("unit").order_by("position", "id"))
        )
    )
    tasks = list(
        Task.objects.filter(project__plan=plan)
        .select_related("project")
        .prefetch_related(
            Prefetch("task_units", queryset=TaskUnit.objects.select_related("unit").order_by("position", "id")),
            Prefetch("task_groups", queryset=TaskGroup.objects.select_related("group")),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("parent")
                .order_by("position", "id")
                .prefetch_related(
                    Prefetch(
                        "assignments", queryset=Assignment.objects.select_related("unit").order_by("position", "id")
                    ),
                    Prefetch("reporting_groups", queryset=IndicatorGroup.objects.select_related("group")),
                ),
            ),
        )
        .order_by("project__number", "number")
    )
    used = Unit.objects.filter(
        Q(task_roles__task__project__plan=plan)
        | Q(assignments__indicator__task__project__plan=plan)
        | Q(group_memberships__group__plan=plan)
    ).distinct()
    lights = {
        "yellow_gap": number(plan.yellow_gap),
        "red_gap": number(plan.red_gap),
        "milestone_grace_months": plan.milestone_grace_months,
        "overshoot_confirm_percent": plan.overshoot_confirm_percent,
    }
    head: dict[str, Any] = {
        "year": plan.year,
        "document": plan.document,
        "title": plan.title,
        "kind": plan.kind,
        "issuing_body": plan.issuing_body,
        "issued_on": plan.issued_on.isoformat(),
        "start": plan.start.isoformat(),
        "default_deadline": plan.default_deadline.isoformat(),
    }
    if plan.validity_text:
        head["validity_text"] = plan.validity_text
    head["due_day"] = plan.due_day
    head["lights"] = lights
    if plan.source:
        head["source"] = plan.source
    if plan.notes:
        head["notes"] = plan.notes
    out: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "plan": head,
        "units": [{"name": u.name, "kind": u.kind} for u in used.order_by("position", "id")],
    }
    if groups:
        out["unit_groups"] = [{"name": g.name, "members": [m.unit.name for m in g.memberships.all()]} for g in groups]
    projects: dict[int, dict[str, Any]] = {}
    for project in plan.projects.order_by("number"):
        entry: dict[str, Any] = {"number": project.number, "title": project.title}
        if project.text:
            entry["text"] = project.text
        entry["tasks"] = []
        projects[project.pk] = entry
    for task in tasks:
        projects[task.project_id]["tasks"].append(_task_file(task))
    out["projects"] = list(projects.values())
    return out


def plan_file_data(*, plan: Plan) -> dict[str, Any]:
    """``plan_file`` as ``load_plan`` reads it (numbers as Decimal, exact): what an edit or a copy
    changes before it goes through the same checks."""
    return json.loads(json.dumps(plan_file(plan=plan), ensure_ascii=False), parse_float=Decimal)


def _task_file(task: Task) -> dict[str, Any]:
    roles: dict[str, list[tuple[int, str]]] = {TaskUnitRole.LEAD: [], TaskUnitRole.COOPERATING: []}
    for tu in task.task_units.all():
        if tu.via_group_id is None:  # a group's member stands in the file as its group
            roles[tu.role].append((tu.position, tu.unit.name))
    for tg in task.task_groups.all():
        roles[tg.role].append((tg.position, tg.group.name))
    entry: dict[str, Any] = {
        "number": task.number,
        "text": task.text,
        "lead_units": _named(roles[TaskUnitRole.LEAD]),
        "cooperating_units": _named(roles[TaskUnitRole.COOPERATING]),
    }
    if task.lead_units_text:
        entry["lead_units_text"] = task.lead_units_text
    if task.cooperating_units_text:
        entry["cooperating_units_text"] = task.cooperating_units_text
    if task.valid_from:
        entry["valid_from"] = task.valid_from.isoformat()
    if task.valid_until:
        entry["valid_until"] = task.valid_until.isoformat()
    if task.validity_text:
        entry["validity_text"] = task.validity_text
    entry["indicators"] = [_indicator_file(ind) for ind in task.indicators.all()]
    return entry


def _indicator_file(ind: Indicator) -> dict[str, Any]:  # noqa: C901 - one key after another, in the format's order
    out: dict[str, Any] = {
        "code": ind.code,
        "name": ind.name,
        "kind": ind.kind,
        "unit": ind.unit_of_measure,
        "target": number(ind.target),
    }
    if not ind.target_confirmed:
        out["target_confirmed"] = False
    out["direction"] = ind.direction
    if ind.tolerance:
        out["tolerance"] = number(ind.tolerance)
    if ind.frequency != Frequency.MONTHLY:
        out["frequency"] = ind.frequency
    if ind.start:
        out["start"] = ind.start.isoformat()
    out["deadline"] = ind.deadline.isoformat()
    out["deadline_text"] = ind.deadline_text
    out["parent"] = ind.parent.code if ind.parent else None
    for key in ("stock_target", "baseline"):
        if getattr(ind, key) is not None:
            out[key] = number(getattr(ind, key))
    if ind.base_year is not None:
        out["base_year"] = ind.base_year
    if ind.base_value is not None:
        out["base_value"] = number(ind.base_value)
    if ind.base_unit:
        out["base_unit"] = ind.base_unit
    if ind.base_text:
        out["base_text"] = ind.base_text
    if ind.figure_unit:
        out["figure_unit"] = ind.figure_unit
    out["aggregation"] = ind.aggregation
    if ind.rate_basis != RateBasis.RATIO:
        out["rate_basis"] = ind.rate_basis
    reporters = [(a.position, a.unit.name) for a in ind.assignments.all() if a.via_group_id is None]
    reporters += [(g.position, g.group.name) for g in ind.reporting_groups.all()]
    out["reporting_units"] = _named(reporters)
    if ind.planned_start:
        out["planned_start"] = ind.planned_start.isoformat()
    if ind.stages:
        out["stages"] = ind.stages
    if ind.monthly_plan:
        out["monthly_plan"] = ind.monthly_plan
    out["source_text"] = ind.source_text
    allocations = {
        a.unit.name: number(a.target) for a in ind.assignments.all() if a.target is not None and a.via_group_id is None
    }
    if allocations:
        out["allocations"] = allocations
    return out


def unit_group_warnings(*, plan: Plan) -> list[str]:
    """What the office must be told about the plan's unit groups: a group without members, and the
    items it leaves without anyone to report them."""
    warnings = []
    for group in UnitGroup.objects.filter(plan=plan, memberships__isnull=True).order_by("position", "id"):
        reported = Indicator.objects.filter(reporting_groups__group=group)
        warnings.append(
            _(
                "单位组“%(group)s”尚未指定成员单位：由它报送的 %(total)s 个指标中 %(n)s 个暂无报送单位，"
                "请督查室填入具体部门"
            )
            % {
                "group": group.name,
                "total": reported.count(),
                "n": reported.filter(assignments__isnull=True).count(),
            }
        )
    return warnings
