"""Reads of the plan catalogue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from projects.models import Assignment, Indicator, Plan, Task, TaskUnit, TaskUnitRole


def plan_for_year(*, year: int, document: str | None = None) -> Plan:
    """The plan of a year; with several, the document number picks one."""
    plans = Plan.objects.filter(year=year)
    if document:
        plans = plans.filter(document=document)
    return plans.get()


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
