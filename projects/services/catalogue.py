"""Writes to the plan catalogue: loading a plan file and splitting targets among units."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from projects.allocation import allocation_mismatch
from projects.audit.actions import AuditAction
from projects.audit.services import audit_record
from projects.models import Assignment, Indicator, Plan, PlanKind, Project, Task, TaskUnit, TaskUnitRole, Unit
from projects.planfile import CheckedPlan, PlanFileError
from projects.services.progress import progress_rebuild, progress_refresh


@dataclass
class LoadSummary:
    """What a load did, by table: created, updated, deleted and unchanged rows."""

    plan: Plan | None = None
    counts: Counter = field(default_factory=Counter)

    def note(self, table: str, outcome: str) -> None:
        self.counts[(table, outcome)] += 1

    @property
    def changed(self) -> bool:
        return any(n for (_table, outcome), n in self.counts.items() if outcome != "unchanged")

    def as_dict(self) -> dict[str, int]:
        return {f"{table}.{outcome}": n for (table, outcome), n in sorted(self.counts.items())}

    def lines(self) -> list[str]:
        tables = sorted({t for t, _o in self.counts})
        return [
            f"{t}: "
            + ", ".join(
                f"{o} {self.counts[(t, o)]}"
                for o in ("created", "updated", "deleted", "unchanged")
                if self.counts[(t, o)]
            )
            for t in tables
        ]


def _upsert(model: type[models.Model], summary: LoadSummary, lookup: dict[str, Any], values: dict[str, Any]):
    """Create or update one row, touching the database only when something differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        summary.note(model._meta.model_name, "created")
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
        summary.note(model._meta.model_name, "updated")
    else:
        summary.note(model._meta.model_name, "unchanged")
    return obj


def _delete_stale(queryset: models.QuerySet, summary: LoadSummary, what: str) -> None:
    for obj in queryset:
        try:
            obj.delete()
        except ProtectedError as exc:
            raise PlanFileError(
                [_("%(what)s “%(obj)s” 不在文件中，但已有填报数据，不能删除") % {"what": what, "obj": obj}]
            ) from exc
        summary.note(queryset.model._meta.model_name, "deleted")


def _d(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@transaction.atomic
def plan_load(*, checked: CheckedPlan) -> LoadSummary:
    """Load a checked plan file; the same file loaded twice changes nothing.

    Rows are matched by their natural keys (plan year and document, unit name, project and task
    numbers, indicator code), so ids, and every figure reported against them, survive a reload.
    Anything that fails rolls the whole load back."""
    data = checked.data
    summary = LoadSummary()
    p = data["plan"]
    plan = _upsert(
        Plan,
        summary,
        {"year": p["year"], "document": p["document"]},
        {
            "title": p["title"],
            "kind": p.get("kind", PlanKind.LIVELIHOOD),
            "issuing_body": p["issuing_body"],
            "issued_on": date.fromisoformat(p["issued_on"]),
            "start": date.fromisoformat(p["start"]),
            "default_deadline": date.fromisoformat(p["default_deadline"]),
            "due_day": p.get("due_day", 5),
            "source": p.get("source", ""),
            "notes": p.get("notes", ""),
        },
    )
    summary.plan = plan

    units: dict[str, Unit] = {}
    for position, u in enumerate(data["units"]):
        existing = Unit.objects.filter(name=u["name"]).first()
        # Units are shared by plans: a later plan must not reorder or reclassify them silently.
        if existing is None:
            units[u["name"]] = _upsert(Unit, summary, {"name": u["name"]}, {"kind": u["kind"], "position": position})
        else:
            units[u["name"]] = _upsert(Unit, summary, {"name": u["name"]}, {"kind": u["kind"]})

    project_numbers = []
    for pdata in data["projects"]:
        project = _upsert(Project, summary, {"plan": plan, "number": pdata["number"]}, {"title": pdata["title"]})
        project_numbers.append(pdata["number"])
        task_numbers = []
        for tdata in pdata["tasks"]:
            task = _upsert(
                Task,
                summary,
                {"project": project, "number": tdata["number"]},
                {
                    "text": tdata["text"],
                    "lead_units_text": tdata.get("lead_units_text", ""),
                    "cooperating_units_text": tdata.get("cooperating_units_text", ""),
                },
            )
            task_numbers.append(tdata["number"])
            _load_task_units(task, tdata, units, summary)
            _load_indicators(task, tdata, plan, units, summary)
        _delete_stale(project.tasks.exclude(number__in=task_numbers), summary, _("任务"))
    _delete_stale(plan.projects.exclude(number__in=project_numbers), summary, _("民生实事"))
    if summary.changed:
        # Targets, deadlines or reporting units may have changed: progress follows in the same transaction.
        progress_rebuild(plan=plan)
    audit_record(action=AuditAction.PLAN_LOAD, obj=plan, detail={"changed": summary.changed, **summary.as_dict()})
    return summary


def _load_task_units(task: Task, tdata: dict, units: dict[str, Unit], summary: LoadSummary) -> None:
    wanted = [(name, TaskUnitRole.LEAD, i) for i, name in enumerate(tdata["lead_units"])]
    wanted += [(name, TaskUnitRole.COOPERATING, i) for i, name in enumerate(tdata["cooperating_units"])]
    for name, role, position in wanted:
        _upsert(TaskUnit, summary, {"task": task, "unit": units[name]}, {"role": role, "position": position})
    names = [name for name, _role, _pos in wanted]
    _delete_stale(task.task_units.exclude(unit__name__in=names), summary, _("任务单位"))


def _load_indicators(task: Task, tdata: dict, plan: Plan, units: dict[str, Unit], summary: LoadSummary) -> None:
    by_code: dict[str, Indicator] = {}
    # Parents first, so that a part can point at its whole.
    ordered = sorted(enumerate(tdata["indicators"]), key=lambda pair: pair[1].get("parent") is not None)
    for position, idata in ordered:
        parent = by_code.get(idata.get("parent")) if idata.get("parent") else None
        indicator = _upsert(
            Indicator,
            summary,
            {"task": task, "code": idata["code"]},
            {
                "position": position,
                "name": idata["name"],
                "kind": idata["kind"],
                "unit_of_measure": idata["unit"],
                "target": _d(idata["target"]),
                "direction": idata["direction"],
                "deadline": date.fromisoformat(idata["deadline"]),
                "deadline_text": idata["deadline_text"],
                "parent": parent,
                "stock_target": _d(idata.get("stock_target")),
                "baseline": _d(idata.get("baseline")),
                "aggregation": idata["aggregation"],
                "rate_basis": idata.get("rate_basis", "ratio"),
                "planned_start": date.fromisoformat(idata["planned_start"]) if idata.get("planned_start") else None,
                "stages": _jsonable(idata.get("stages")),
                "monthly_plan": _jsonable(idata.get("monthly_plan")),
                "source_text": idata["source_text"],
            },
        )
        by_code[idata["code"]] = indicator
        allocations = idata.get("allocations") or {}
        for i, name in enumerate(idata["reporting_units"]):
            values = {"position": i}
            # A file without allocations leaves the office's own split (made in the admin) alone.
            if allocations:
                values["target"] = _d(allocations.get(name))
            _upsert(Assignment, summary, {"indicator": indicator, "unit": units[name]}, values)
        _delete_stale(indicator.assignments.exclude(unit__name__in=idata["reporting_units"]), summary, _("报送单位"))
    _delete_stale(task.indicators.exclude(code__in=list(by_code)), summary, _("指标"))


def _jsonable(value: Any) -> Any:
    """Decimals from the parser become plain numbers, so stored JSON compares equal on reload."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@transaction.atomic
def allocations_set(*, indicator: Indicator, targets: dict[int, Decimal | None]) -> None:
    """Set the split of an indicator's target among its reporting units (keyed by unit id).

    For an additive indicator the parts must add up to the city target; otherwise nothing is
    saved and the reason is raised as a ValidationError in the user's language."""
    assignments = {a.unit_id: a for a in indicator.assignments.select_for_update()}
    unknown = set(targets) - set(assignments)
    if unknown:
        raise ValidationError(_("只能给该指标的报送单位分解目标"))
    if indicator.is_additive and indicator.target is not None:
        message = allocation_mismatch(target=indicator.target, parts=targets.values(), unit=indicator.unit_of_measure)
        if message:
            raise ValidationError(message)
    changed = {}
    for unit_id, target in targets.items():
        assignment = assignments[unit_id]
        if assignment.target != target:
            changed[str(unit_id)] = {"from": assignment.target, "to": target}
            assignment.target = target
            assignment.save(update_fields=["target"])
    progress_refresh(indicator_id=indicator.pk)
    audit_record(action=AuditAction.ALLOCATION_SET, obj=indicator, detail={"changed": changed})
