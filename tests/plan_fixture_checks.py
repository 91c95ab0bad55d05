"""Checks shared by the tests of plan files in format 2 (issue 14).

docs/plan-format.md describes the added keys. These checks read the JSON directly, pure Python and
no Django, so that the fixtures are checked against the gazette apart from the loader's own checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.test_plan_fixture_seed import normalise, numbers_in

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SOURCES = FIXTURES / "source"
GAZETTE = SOURCES / "sanmenxia-gazette-2022-06.txt"
PLAN_2022 = FIXTURES / "plan_2022.json"  # the same path as tests.conftest.PLAN_2022, which needs Django

__all__ = [
    "COUNTIES",
    "FIXTURES",
    "GAZETTE",
    "PLAN_2022",
    "SOURCES",
    "extension_problems",
    "indicators",
    "new_units_in_readings",
    "normalise",
    "numbers_in",
    "read_strict",
    "tasks",
]

COUNTIES = ["湖滨区政府", "陕州区政府", "义马市政府", "灵宝市政府", "渑池县政府", "卢氏县政府"]

# Keys of format 1 (docs/plan-format.md) and those the proposal adds.
TOP_KEYS = {"format", "plan", "units", "projects"}
TOP_ADDED = {"unit_groups"}
PLAN_KEYS = {"year", "document", "title", "issuing_body", "issued_on", "start", "default_deadline"}
PLAN_OPTIONAL = {"due_day", "source", "notes"}
PLAN_ADDED = {"kind", "validity_text"}
PROJECT_KEYS = {"number", "title", "tasks"}
PROJECT_ADDED = {"text"}
TASK_KEYS = {"number", "text", "lead_units", "cooperating_units", "indicators"}
TASK_OPTIONAL = {"lead_units_text", "cooperating_units_text"}
TASK_ADDED = {"valid_from", "valid_until", "validity_text"}
IND_KEYS = {
    "code",
    "name",
    "kind",
    "unit",
    "target",
    "direction",
    "deadline",
    "deadline_text",
    "aggregation",
    "reporting_units",
    "source_text",
}
IND_OPTIONAL = {
    "parent",
    "stock_target",
    "baseline",
    "rate_basis",
    "planned_start",
    "stages",
    "monthly_plan",
    "allocations",
}
IND_ADDED = {"tolerance", "frequency", "base_year", "base_value", "base_unit", "base_text", "figure_unit"}

PLAN_KINDS = {"livelihood", "work_report", "measures", "other"}
IND_KINDS = {"count", "amount", "rate", "milestone", "growth", "qualitative"}
DIRECTIONS = {"at_least", "at_most"}
AGGREGATIONS = {"sum", "rate", "lead", "each"}
FREQUENCIES = {"monthly", "quarterly", "yearly"}
GROWTH_UNITS = {"%", "个百分点"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_strict(path: Path) -> Any:
    """The JSON document at path; a key written twice in one object is an error, not a silent overwrite."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        duplicates = {k for k in keys if keys.count(k) > 1}
        if duplicates:
            raise ValueError(f"duplicate keys {sorted(duplicates)} in {path.name}")
        return dict(items)

    return json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=pairs)


def tasks(data: dict) -> Iterator[tuple[dict, dict]]:
    for project in data["projects"]:
        for task in project["tasks"]:
            yield project, task


def indicators(data: dict) -> Iterator[dict]:
    for _, task in tasks(data):
        yield from task["indicators"]


def new_units_in_readings(path: Path) -> dict[str, str]:
    """The units a readings file adds to plan_2022.json, as `- \\`name\\` — kind — why` lines."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*- `([^`]+)` — (\w+) — ", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def extension_problems(data: dict) -> list[str]:
    """Everything in data that the proposed format does not allow, each with its place."""
    problems = []

    def bad(place: str, message: str) -> None:
        problems.append(f"{place}: {message}")

    def keys(obj: dict, required: set, optional: set, place: str) -> None:
        if missing := required - set(obj):
            bad(place, f"missing {sorted(missing)}")
        if unknown := set(obj) - required - optional:
            bad(place, f"unknown {sorted(unknown)}")

    keys(data, TOP_KEYS, TOP_ADDED, "(file)")
    if data.get("format") != 2:
        bad("format", "a file with the added keys says format 2")
    plan = data["plan"]
    keys(plan, PLAN_KEYS, PLAN_OPTIONAL | PLAN_ADDED, "plan")
    if plan.get("kind", "livelihood") not in PLAN_KINDS:
        bad("plan.kind", plan["kind"])
    for key in ("issued_on", "start", "default_deadline"):
        if not ISO_DATE.match(plan[key]):
            bad(f"plan.{key}", plan[key])

    unit_names = [u["name"] for u in data["units"]]
    groups = data.get("unit_groups", [])
    group_names = [g["name"] for g in groups]
    for i, unit in enumerate(data["units"]):
        keys(unit, {"name", "kind"}, set(), f"units[{i}]")
    for i, group in enumerate(groups):
        keys(group, {"name", "members"}, set(), f"unit_groups[{i}]")
        if group["name"] in unit_names:
            bad(f"unit_groups[{i}]", "a group's name is also a unit's name")
        for member in group["members"]:
            if member not in unit_names:
                bad(f"unit_groups[{i}].members", f"not a unit: {member}")
    if len(set(group_names)) != len(group_names):
        bad("unit_groups", "a group is listed twice")
    parties = set(unit_names) | set(group_names)

    for p, project in enumerate(data["projects"]):
        keys(project, PROJECT_KEYS, PROJECT_ADDED, f"projects[{p}]")
        for t, task in enumerate(project["tasks"]):
            tplace = f"projects[{p}].tasks[{t}]"
            keys(task, TASK_KEYS, TASK_OPTIONAL | TASK_ADDED, tplace)
            for role in ("lead_units", "cooperating_units"):
                for name in task[role]:
                    if name not in parties:
                        bad(f"{tplace}.{role}", f"neither a unit nor a group: {name}")
            if not task["lead_units"]:
                bad(f"{tplace}.lead_units", "empty")
            valid = [task.get("valid_from"), task.get("valid_until")]
            for value in filter(None, valid):
                if not ISO_DATE.match(value):
                    bad(f"{tplace}.valid_*", value)
            if all(valid) and valid[0] > valid[1]:
                bad(tplace, "valid_from after valid_until")
            for part in task.get("validity_text", "").split("…"):
                if part not in task["text"]:
                    bad(f"{tplace}.validity_text", f"not in the task's text: {part}")
            task_parties = set(task["lead_units"]) | set(task["cooperating_units"])
            for k, ind in enumerate(task["indicators"]):
                problems.extend(_indicator_problems(ind, f"{tplace}.indicators[{k}]", task_parties, group_names))
    return problems


def _indicator_problems(ind: dict, place: str, task_parties: set, group_names: list) -> list[str]:
    problems = []

    def bad(where: str, message: str) -> None:
        problems.append(f"{place}{where}: {message}")

    if missing := IND_KEYS - set(ind):
        bad("", f"missing {sorted(missing)}")
    if unknown := set(ind) - IND_KEYS - IND_OPTIONAL - IND_ADDED:
        bad("", f"unknown {sorted(unknown)}")
    kind, target, aggregation = ind["kind"], ind["target"], ind["aggregation"]
    if kind not in IND_KINDS:
        bad(".kind", kind)
    if ind["direction"] not in DIRECTIONS:
        bad(".direction", ind["direction"])
    if aggregation not in AGGREGATIONS:
        bad(".aggregation", aggregation)
    if ind.get("frequency", "monthly") not in FREQUENCIES:
        bad(".frequency", ind["frequency"])
    if not ISO_DATE.match(ind["deadline"]):
        bad(".deadline", ind["deadline"])
    if "tolerance" in ind:
        if not _is_number(ind["tolerance"]) or ind["tolerance"] < 0:
            bad(".tolerance", "a number ≥ 0")
        if kind in ("milestone", "qualitative"):
            bad(".tolerance", f"not for {kind}")
    if "base_year" in ind and not isinstance(ind["base_year"], int):
        bad(".base_year", "an integer")
    if ("base_value" in ind) != ("base_text" in ind):
        bad(".base_text", "base_value and base_text go together")
    if "base_value" in ind and not _is_number(ind["base_value"]):
        bad(".base_value", "a number")
    if "base_unit" in ind and "base_value" not in ind:
        bad(".base_unit", "without base_value")
    if "figure_unit" in ind and kind != "qualitative":
        bad(".figure_unit", "only for qualitative")
    if aggregation == "each" and kind != "qualitative":
        bad(".aggregation", "each is only for qualitative")

    if kind == "growth":
        if ind["unit"] not in GROWTH_UNITS:
            bad(".unit", f"growth is in % or 个百分点, not {ind['unit']}")
        if not _is_number(target):
            bad(".target", "a growth target is a number (any sign)")
        if aggregation != "lead":
            bad(".aggregation", "a growth rate is reported by one unit")
        for key in ("parent", "allocations", "stock_target"):
            if ind.get(key) is not None:
                bad(f".{key}", "rates of change do not add up")
    elif kind == "qualitative":
        if target is not None:
            bad(".target", "a qualitative item has no target")
        if ind["unit"] != "":
            bad(".unit", "a qualitative item has no unit")
        if aggregation not in ("lead", "each"):
            bad(".aggregation", "lead or each")
        for key in ("parent", "allocations"):
            if ind.get(key) is not None:
                bad(f".{key}", "nothing to add up")
    elif kind == "milestone":
        if target is not None and not _is_number(target):
            bad(".target", "a number or null")
    elif not _is_number(target) or target < 0:
        bad(".target", f"a {kind} target is a number ≥ 0")

    reporters = ind["reporting_units"]
    if not reporters:
        bad(".reporting_units", "empty")
    for name in reporters:
        if name not in task_parties:
            bad(".reporting_units", f"not a lead or cooperating unit of the task: {name}")
    if aggregation == "lead" and (len(reporters) != 1 or reporters[0] in group_names):
        bad(".reporting_units", "a lead figure has one reporting unit, and it is a unit")
    return problems
