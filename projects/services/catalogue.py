"""Writes to the plan catalogue: loading a plan file and splitting targets among units."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from projects import calendar
from projects.allocation import allocation_mismatch
from projects.audit.actions import AuditAction
from projects.audit.services import audit_record
from projects.models import (
    Assignment,
    Frequency,
    Indicator,
    IndicatorGroup,
    Plan,
    PlanKind,
    Project,
    RateBasis,
    Task,
    TaskGroup,
    TaskUnit,
    TaskUnitRole,
    Unit,
    UnitGroup,
    UnitGroupMember,
    UnitKind,
    User,
)
from projects.planfile import CheckedPlan, PlanFileError
from projects.services.progress import progress_rebuild, progress_refresh


@dataclass
class LoadSummary:
    """What a load did, by table: created, updated, deleted and unchanged rows."""

    plan: Plan | None = None
    counts: Counter = field(default_factory=Counter)
    unit_changes: list[str] = field(default_factory=list)  # shared units changed with update_units

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


def _unit_problems(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    """What loading the file would change in the units other plans share, each named with its place,
    and the clashes that no flag allows (a group named like an existing unit)."""
    changes: list[str] = []
    clashes: list[str] = []
    existing = {u.name: u for u in Unit.objects.filter(name__in=[u["name"] for u in data["units"]])}
    kinds = dict(UnitKind.choices)
    for i, u in enumerate(data["units"]):
        unit = existing.get(u["name"])
        if unit is not None and unit.kind != u["kind"]:
            plans = (
                Plan.objects.filter(projects__tasks__task_units__unit=unit)
                .exclude(year=data["plan"]["year"], document=data["plan"]["document"])
                .distinct()
                .count()
            )
            changes.append(
                f"units[{i}].kind: "
                + _("单位“%(name)s”已存在，类别为“%(old)s”，文件写作“%(new)s”；其他 %(plans)s 个方案也使用该单位")
                % {"name": unit.name, "old": kinds.get(unit.kind, unit.kind), "new": kinds[u["kind"]], "plans": plans}
            )
    group_names = [g["name"] for g in data.get("unit_groups", [])]
    for name in Unit.objects.filter(name__in=group_names).values_list("name", flat=True):
        g = group_names.index(name)
        clashes.append(f"unit_groups[{g}].name: " + _("已有同名单位：%(name)s，单位组须另取名称") % {"name": name})
    return changes, clashes


@transaction.atomic
def plan_load(
    *,
    checked: CheckedPlan,
    update_units: bool = False,
    action: str = AuditAction.PLAN_LOAD,
    actor: User | None = None,
    expect: Plan | None = None,
    revision: int | None = None,
    detail: dict[str, Any] | None = None,
) -> LoadSummary:
    """Load a checked plan file; the same file loaded twice changes nothing.

    Rows are matched by their natural keys (plan year and document, unit name, project and task
    numbers, indicator code, group name), so ids, and every figure reported against them, survive a
    reload. Units are shared by plans: a file that would change one (its kind) is refused, naming
    the change, unless ``update_units``. ``expect`` (an edit of a plan) refuses a file of another
    plan, ``revision`` one made on an older revision of it. Anything that fails rolls the whole load
    back."""
    data = checked.data
    summary = LoadSummary()
    p = data["plan"]
    changes, clashes = _unit_problems(data)
    if clashes or (changes and not update_units):
        hint = [_("如确需修改共用单位，请使用 --update-units（或在编辑页勾选“同时修改共用单位”）")] if changes else []
        raise PlanFileError(clashes + ([] if update_units else changes) + ([] if update_units else hint))
    summary.unit_changes = changes
    if expect is not None:
        if (p["year"], p["document"]) != (expect.year, expect.document):
            raise PlanFileError(
                [
                    "plan.document: "
                    + _("文件是 %(year)s 年 %(document)s，不是正在编辑的方案 %(plan)s")
                    % {"year": p["year"], "document": p["document"], "plan": f"{expect.year} {expect.document}"}
                ]
            )
        locked = Plan.objects.select_for_update().get(pk=expect.pk)
        if revision is not None and locked.revision != revision:
            raise PlanFileError(
                [
                    _(
                        "方案已在您打开页面后被修改（当前为第 %(now)s 版，您的页面基于第 %(old)s 版），"
                        "未作改动；请刷新后重新编辑"
                    )
                    % {"now": locked.revision, "old": revision}
                ]
            )
    values = {
        "title": p["title"],
        "kind": p.get("kind", PlanKind.LIVELIHOOD),
        "issuing_body": p["issuing_body"],
        "issued_on": date.fromisoformat(p["issued_on"]),
        "start": date.fromisoformat(p["start"]),
        "default_deadline": date.fromisoformat(p["default_deadline"]),
        "due_day": p.get("due_day", calendar.DEFAULT_DUE_DAY),
        "validity_text": p.get("validity_text", ""),
        "source": p.get("source", ""),
        "notes": p.get("notes", ""),
    }
    # The light bands are the office's settings: a file that does not give them leaves them alone.
    values.update({k: _d(v) if k.endswith("_gap") else v for k, v in p.get("lights", {}).items()})
    plan = _upsert(Plan, summary, {"year": p["year"], "document": p["document"]}, values)
    summary.plan = plan

    units: dict[str, Unit] = {}
    for position, u in enumerate(data["units"]):
        existing = Unit.objects.filter(name=u["name"]).first()
        # Units are shared by plans: a later plan does not reorder them; their kind changes only on request.
        if existing is None:
            units[u["name"]] = _upsert(Unit, summary, {"name": u["name"]}, {"kind": u["kind"], "position": position})
        else:
            units[u["name"]] = _upsert(Unit, summary, {"name": u["name"]}, {"kind": u["kind"]})

    groups: dict[str, tuple[UnitGroup, list[Unit]]] = {}
    for position, g in enumerate(data.get("unit_groups", [])):
        group = _upsert(UnitGroup, summary, {"plan": plan, "name": g["name"]}, {"position": position})
        members = [units[name] for name in g.get("members", [])]
        for i, unit in enumerate(members):
            _upsert(UnitGroupMember, summary, {"group": group, "unit": unit}, {"position": i})
        _delete_stale(group.memberships.exclude(unit__in=members), summary, _("单位组成员"))
        groups[g["name"]] = (group, members)

    project_numbers = []
    for pdata in data["projects"]:
        project = _upsert(
            Project,
            summary,
            {"plan": plan, "number": pdata["number"]},
            {"title": pdata["title"], "text": pdata.get("text", "")},
        )
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
                    "valid_from": _day(tdata.get("valid_from")),
                    "valid_until": _day(tdata.get("valid_until")),
                    "validity_text": tdata.get("validity_text", ""),
                },
            )
            task_numbers.append(tdata["number"])
            _load_task_units(task, tdata, units, groups, summary)
            _load_indicators(task, tdata, units, groups, summary)
        _delete_stale(project.tasks.exclude(number__in=task_numbers), summary, _("任务"))
    _delete_stale(plan.projects.exclude(number__in=project_numbers), summary, _("项目"))
    _delete_stale(plan.unit_groups.exclude(name__in=list(groups)), summary, _("单位组"))
    if summary.changed:
        # Targets, deadlines, frequencies or reporting units may have changed: progress follows in
        # the same transaction; edit forms made on the older plan are refused from now on.
        Plan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1)
        plan.refresh_from_db(fields=["revision"])
        progress_rebuild(plan=plan)
    audit_record(
        action=action,
        actor=actor,
        obj=plan,
        detail={
            **(detail or {}),
            "changed": summary.changed,
            "revision": plan.revision,
            "unit_changes": changes,
            **summary.as_dict(),
        },
    )
    return summary


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _entries(
    names: list[str], units: dict[str, Unit], groups: dict[str, tuple[UnitGroup, list[Unit]]], direct: set[str]
) -> tuple[list[tuple[Unit, int, UnitGroup | None]], list[tuple[UnitGroup, int]]]:
    """A list of unit and group names as rows: (unit, position, via group) with each group's
    members at the group's place, unless the list (``direct``) names the member itself; and
    (group, position) for the groups."""
    rows: list[tuple[Unit, int, UnitGroup | None]] = []
    placed: list[tuple[UnitGroup, int]] = []
    seen: set[str] = set()
    for position, name in enumerate(names):
        if name in groups:
            group, members = groups[name]
            placed.append((group, position))
            for member in members:
                if member.name not in direct and member.name not in seen:
                    rows.append((member, position, group))
                    seen.add(member.name)
        else:
            rows.append((units[name], position, None))
            seen.add(name)
    return rows, placed


def _load_task_units(task: Task, tdata: dict, units, groups, summary: LoadSummary) -> None:
    direct = {n for n in tdata["lead_units"] + tdata["cooperating_units"] if n not in groups}
    kept_units: list[Unit] = []
    kept_groups: list[UnitGroup] = []
    seen: set[int] = set()
    for role, names in (
        (TaskUnitRole.LEAD, tdata["lead_units"]),
        (TaskUnitRole.COOPERATING, tdata["cooperating_units"]),
    ):
        rows, placed = _entries(names, units, groups, direct)
        for unit, position, via in rows:
            if unit.pk in seen:
                continue  # a member of a lead group and of a cooperating group: its first place wins
            seen.add(unit.pk)
            values = {"role": role, "position": position, "via_group_id": via.pk if via else None}
            _upsert(TaskUnit, summary, {"task": task, "unit": unit}, values)
            kept_units.append(unit)
        for group, position in placed:
            _upsert(TaskGroup, summary, {"task": task, "group": group}, {"role": role, "position": position})
            kept_groups.append(group)
    _delete_stale(task.task_units.exclude(unit__in=kept_units), summary, _("任务单位"))
    _delete_stale(task.task_groups.exclude(group__in=kept_groups), summary, _("任务单位组"))


def _load_indicators(task: Task, tdata: dict, units, groups, summary: LoadSummary) -> None:
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
                "target_confirmed": idata.get("target_confirmed", True),
                "direction": idata["direction"],
                "tolerance": _d(idata.get("tolerance", 0)),
                "frequency": idata.get("frequency", Frequency.MONTHLY),
                "start": _day(idata.get("start")),
                "deadline": date.fromisoformat(idata["deadline"]),
                "deadline_text": idata["deadline_text"],
                "parent": parent,
                "stock_target": _d(idata.get("stock_target")),
                "baseline": _d(idata.get("baseline")),
                "base_year": idata.get("base_year"),
                "base_value": _d(idata.get("base_value")),
                "base_unit": idata.get("base_unit", ""),
                "base_text": idata.get("base_text", ""),
                "figure_unit": idata.get("figure_unit", ""),
                "aggregation": idata["aggregation"],
                "rate_basis": idata.get("rate_basis", RateBasis.RATIO),
                "planned_start": _day(idata.get("planned_start")),
                "stages": _jsonable(idata.get("stages")),
                "monthly_plan": _jsonable(idata.get("monthly_plan")),
                "source_text": idata["source_text"],
            },
        )
        by_code[idata["code"]] = indicator
        allocations = idata.get("allocations") or {}
        direct = {n for n in idata["reporting_units"] if n not in groups}
        rows, placed = _entries(idata["reporting_units"], units, groups, direct)
        for unit, i, via in rows:
            values: dict[str, Any] = {"position": i, "via_group_id": via.pk if via else None}
            # A file without allocations leaves the office's own split (made in the admin) alone.
            if allocations and via is None:
                values["target"] = _d(allocations.get(unit.name))
            _upsert(Assignment, summary, {"indicator": indicator, "unit": unit}, values)
        for group, i in placed:
            _upsert(IndicatorGroup, summary, {"indicator": indicator, "group": group}, {"position": i})
        _delete_stale(indicator.assignments.exclude(unit__in=[u for u, _i, _v in rows]), summary, _("报送单位"))
        _delete_stale(indicator.reporting_groups.exclude(group__in=[g for g, _i in placed]), summary, _("报送单位组"))
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
