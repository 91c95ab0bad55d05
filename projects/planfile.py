"""Reading and checking a plan file (see docs/plan-format.md) before anything is written.

The structure is checked with a JSON Schema; the meaning (units that exist, parents in the same
task, allocations that add up …) by the checks below. Every problem is collected with its place
in the file, so that the office can fix a file in one pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
from django.utils.translation import gettext as _

from projects import calendar
from projects.allocation import allocation_mismatch
from projects.models.catalogue import DECIMAL

# Format 2 adds keys to format 1 (docs/plan-format.md) and nothing else: a format-1 file means
# the same under both. A file that uses an added key says 2.
FORMAT_VERSION = 2
FORMATS = (1, 2)
PLAN_KINDS = ("livelihood", "work_report", "measures", "other")

_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_NAME = {"type": "string", "minLength": 1, "maxLength": 100}
_NAMES = {"type": "array", "items": _NAME}
_NUMBER = {"type": "number"}
_TEXT = {"type": "string"}

# Keys of format 2, by object: a format-1 file that uses one is told to say "format": 2.
ADDED_KEYS: dict[str, set[str]] = {
    "file": {"unit_groups"},
    "plan": {"kind", "validity_text", "lights"},
    "project": {"text"},
    "task": {"valid_from", "valid_until", "validity_text"},
    "indicator": {
        "tolerance",
        "frequency",
        "base_year",
        "base_value",
        "base_unit",
        "base_text",
        "figure_unit",
        "start",
        "target_confirmed",
    },
}
# Enum values of format 2.
ADDED_KINDS = {"growth", "qualitative"}
ADDED_AGGREGATIONS = {"each"}
INDICATOR_KINDS = ["count", "amount", "rate", "milestone", "growth", "qualitative"]
FREQUENCIES = ["monthly", "quarterly", "yearly"]
GROWTH_UNITS = ("%", "个百分点")

_STAGES = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["label", "percent"],
        "properties": {
            "label": {"type": "string", "minLength": 1},
            "percent": {"type": "number", "minimum": 0, "maximum": 100},
        },
    },
}

_INDICATOR = {
    "type": "object",
    "additionalProperties": False,
    "required": [
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
    ],
    "properties": {
        "code": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "kind": {"enum": INDICATOR_KINDS},
        "unit": {"type": "string", "maxLength": 20},
        "target": {"type": ["number", "null"]},
        "target_confirmed": {"type": "boolean"},
        "direction": {"enum": ["at_least", "at_most"]},
        "tolerance": {"type": "number", "minimum": 0},
        "frequency": {"enum": FREQUENCIES},
        "start": _DATE,
        "deadline": _DATE,
        "deadline_text": {"type": "string", "minLength": 1, "maxLength": 100},
        "parent": {"type": ["string", "null"]},
        "stock_target": _NUMBER,
        "baseline": _NUMBER,
        "base_year": {"type": "integer", "minimum": 1949, "maximum": 2100},
        "base_value": _NUMBER,
        "base_unit": {"type": "string", "maxLength": 20},
        "base_text": {"type": "string", "minLength": 1},
        "figure_unit": {"type": "string", "minLength": 1, "maxLength": 20},
        "aggregation": {"enum": ["sum", "rate", "lead", "each"]},
        "rate_basis": {"enum": ["ratio", "level"]},
        "reporting_units": {**_NAMES, "minItems": 1},
        "planned_start": _DATE,
        "stages": _STAGES,
        "monthly_plan": {
            "type": "object",
            "propertyNames": {"pattern": r"^\d{4}-\d{2}$"},
            "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100},
        },
        "source_text": {"type": "string", "minLength": 1},
        "allocations": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
    },
}

_TASK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["number", "text", "lead_units", "cooperating_units", "indicators"],
    "properties": {
        "number": {"type": "integer", "minimum": 1},
        "text": {"type": "string", "minLength": 1},
        "lead_units": {**_NAMES, "minItems": 1},
        "cooperating_units": _NAMES,
        "lead_units_text": _TEXT,
        "cooperating_units_text": _TEXT,
        "valid_from": _DATE,
        "valid_until": _DATE,
        "validity_text": {"type": "string", "minLength": 1},
        "indicators": {"type": "array", "items": _INDICATOR},
    },
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "plan", "units", "projects"],
    "properties": {
        "format": {"enum": list(FORMATS)},
        "plan": {
            "type": "object",
            "additionalProperties": False,
            "required": ["year", "document", "title", "issuing_body", "issued_on", "start", "default_deadline"],
            "properties": {
                "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
                "document": {"type": "string", "minLength": 1, "maxLength": 50},
                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                "kind": {"enum": list(PLAN_KINDS)},
                "issuing_body": _NAME,
                "issued_on": _DATE,
                "start": _DATE,
                "default_deadline": _DATE,
                "validity_text": {"type": "string", "minLength": 1},
                "due_day": {"type": "integer", "minimum": 1, "maximum": 28},
                "lights": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "yellow_gap": {"type": "number", "minimum": 0, "maximum": 100},
                        "red_gap": {"type": "number", "minimum": 0, "maximum": 100},
                        "milestone_grace_months": {"type": "integer", "minimum": 0, "maximum": 36},
                        "overshoot_confirm_percent": {"type": "integer", "minimum": 100, "maximum": 10000},
                    },
                },
                "source": {"type": "string", "maxLength": 200},
                "notes": _TEXT,
            },
        },
        "units": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "kind"],
                "properties": {
                    "name": _NAME,
                    "kind": {"enum": ["department", "county", "committee", "company", "party_mass", "other"]},
                },
            },
        },
        "unit_groups": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {"name": _NAME, "members": _NAMES},
            },
        },
        "projects": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["number", "title", "tasks"],
                "properties": {
                    "number": {"type": "integer", "minimum": 1},
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "text": _TEXT,
                    "tasks": {"type": "array", "minItems": 1, "items": _TASK},
                },
            },
        },
    },
}


class PlanFileError(Exception):
    """The file cannot be loaded; ``problems`` lists every reason with its place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CheckedPlan:
    """A plan file that passed every check; dates parsed and numbers as Decimal."""

    data: dict[str, Any]


def read_plan_file(path: str | Path) -> CheckedPlan:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise PlanFileError([_("无法读取文件：%(error)s") % {"error": exc.strerror or exc}]) from exc
    return parse_plan(raw)


def parse_plan(raw: bytes | str) -> CheckedPlan:
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise PlanFileError([_("文件不是 UTF-8 编码的文本（第 %(pos)s 字节）") % {"pos": exc.start}]) from exc
    try:
        # Decimal keeps 12.5 公里 exact; floats would not. NaN and Infinity are not JSON.
        data = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            [
                _("JSON 格式错误：第 %(line)s 行第 %(col)s 列：%(msg)s")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
            ]
        ) from exc
    except _NotANumber as exc:
        raise PlanFileError([_("JSON 格式错误：%(word)s 不是数字") % {"word": exc.args[0]}]) from exc
    except RecursionError as exc:
        raise PlanFileError([_("JSON 格式错误：嵌套层次过深")]) from exc
    return check_plan_data(data)


def check_plan_data(data: Any) -> CheckedPlan:
    """The checks of a plan file on its parsed content (numbers as Decimal or int, never float):
    what ``load_plan`` checks, for a plan edited in the office's pages or copied into a new year."""
    problems = _schema_problems(data)
    if not problems:
        problems = _number_problems(data, ()) + _meaning_problems(data)
    if problems:
        raise PlanFileError(problems)
    return CheckedPlan(data=data)


class _NotANumber(ValueError):
    pass


def _no_constant(word: str) -> None:
    raise _NotANumber(word)


# Every number is stored as the catalogue stores it: at most 14 digits before the point and 4
# after (DecimalField(max_digits=18, decimal_places=4)).
_NUMBER_LIMIT = Decimal(10) ** (DECIMAL["max_digits"] - DECIMAL["decimal_places"])
_NUMBER_PLACES = Decimal(1).scaleb(-DECIMAL["decimal_places"])


def _number_problems(value: Any, path: tuple) -> list[str]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _number_problems(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _number_problems(item, (*path, i))]
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return []
    number = Decimal(value)
    if abs(number) >= _NUMBER_LIMIT:
        return [f"{_place(path)}: " + _("数值 %(value)s 过大（整数部分最多 14 位）") % {"value": value}]
    if number != number.quantize(_NUMBER_PLACES):
        return [f"{_place(path)}: " + _("数值 %(value)s 的小数超过 4 位") % {"value": value}]
    return []


def _place(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "（文件）"


def _schema_message(error: jsonschema.ValidationError) -> str:
    v = error.validator
    if v == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return _("缺少字段 %(fields)s") % {"fields": "、".join(missing)}
    if v == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return _("未知字段 %(fields)s") % {"fields": "、".join(extra)} if extra else _("取值类型不正确")
    if v == "type":
        names = {
            "string": _("文本"),
            "number": _("数字"),
            "integer": _("整数"),
            "array": _("列表"),
            "object": _("对象"),
            "null": "null",
        }
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return _("应为%(type)s，实际为 %(value)s") % {
            "type": _("或").join(str(names.get(t, t)) for t in expected),
            "value": json.dumps(error.instance, ensure_ascii=False, default=str)[:60],
        }
    if v in ("enum", "const"):
        allowed = error.validator_value if v == "enum" else [error.validator_value]
        return _("取值 %(value)s 不在允许范围内（%(allowed)s）") % {
            "value": json.dumps(error.instance, ensure_ascii=False, default=str)[:60],
            "allowed": "、".join(str(a) for a in allowed),
        }
    if v == "pattern":
        return _("格式不正确：%(value)s") % {"value": str(error.instance)[:60]}
    if v in ("minLength", "minItems"):
        return _("不能为空")
    if v in ("maxLength", "maxItems"):
        return _("过长")
    if v in ("minimum", "maximum"):
        return _("数值 %(value)s 超出范围") % {"value": error.instance}
    return error.message


def _schema_problems(data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{_place(e.absolute_path)}: {_schema_message(e)}" for e in errors]


def _date(value: str, place: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{place}: " + _("不是有效日期：%(value)s") % {"value": value})
        return None


def _format_problems(data: dict[str, Any]) -> list[str]:
    """A format-1 file that uses a key or a value of format 2 is told to say so."""
    if data["format"] >= 2:
        return []
    problems: list[str] = []
    message = _('使用扩展字段的文件应写 "format": 2')

    def check(obj: dict, what: str, place: str) -> None:
        for key in sorted(ADDED_KEYS[what] & set(obj)):
            problems.append(f"{_place_of(place, key)}: {message}")

    check(data, "file", "")
    check(data["plan"], "plan", "plan")
    for p, project in enumerate(data["projects"]):
        check(project, "project", f"projects[{p}]")
        for t, task in enumerate(project["tasks"]):
            check(task, "task", f"projects[{p}].tasks[{t}]")
            for k, ind in enumerate(task["indicators"]):
                iplace = f"projects[{p}].tasks[{t}].indicators[{k}]"
                check(ind, "indicator", iplace)
                if ind["kind"] in ADDED_KINDS:
                    problems.append(f"{iplace}.kind: {message}")
                if ind["aggregation"] in ADDED_AGGREGATIONS:
                    problems.append(f"{iplace}.aggregation: {message}")
    return problems


def _place_of(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


@dataclass
class _Names:
    """The units and unit groups a file names, for the checks of each task and indicator."""

    units: set[str]
    groups: dict[str, list[str]]  # group name -> its members

    def known(self, names: list[str], place: str, problems: list[str]) -> None:
        for j, name in enumerate(names):
            if name not in self.units and name not in self.groups:
                problems.append(
                    f"{place}[{j}]: " + _("未在 units 或 unit_groups 中列出的单位：%(name)s") % {"name": name}
                )
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"{place}: " + _("单位重复：%(name)s") % {"name": name})

    def expanded(self, names: list[str]) -> set[str]:
        """The names and, for each group among them, its members."""
        out = set(names)
        for name in names:
            out.update(self.groups.get(name, []))
        return out


def _meaning_problems(data: dict[str, Any]) -> list[str]:  # noqa: C901 - one pass over the file, check by check
    problems: list[str] = _format_problems(data)
    plan = data["plan"]
    start = _date(plan["start"], "plan.start", problems)
    default_deadline = _date(plan["default_deadline"], "plan.default_deadline", problems)
    _date(plan["issued_on"], "plan.issued_on", problems)
    if start and default_deadline and default_deadline < start:
        problems.append("plan.default_deadline: " + _("完成期限早于起始日期"))
    lights = plan.get("lights", {})
    if "yellow_gap" in lights and "red_gap" in lights and lights["red_gap"] < lights["yellow_gap"]:
        problems.append("plan.lights.red_gap: " + _("红灯阈值不能小于黄灯阈值"))

    unit_names: set[str] = set()
    for i, unit in enumerate(data["units"]):
        if unit["name"] in unit_names:
            problems.append(f"units[{i}].name: " + _("单位重复：%(name)s") % {"name": unit["name"]})
        unit_names.add(unit["name"])
    groups: dict[str, list[str]] = {}
    for g, group in enumerate(data.get("unit_groups", [])):
        gplace = f"unit_groups[{g}]"
        if group["name"] in groups:
            problems.append(f"{gplace}.name: " + _("单位组重复：%(name)s") % {"name": group["name"]})
        clashes = group["name"] in unit_names
        if clashes:
            problems.append(f"{gplace}.name: " + _("单位组名称与单位同名：%(name)s") % {"name": group["name"]})
        members = group.get("members", [])
        for j, name in enumerate(members):
            if name not in unit_names:
                problems.append(f"{gplace}.members[{j}]: " + _("未在 units 中列出的单位：%(name)s") % {"name": name})
        for name in sorted({n for n in members if members.count(n) > 1}):
            problems.append(f"{gplace}.members: " + _("单位重复：%(name)s") % {"name": name})
        if not clashes:  # the name keeps meaning the unit: one problem, not one per task that names it
            groups[group["name"]] = members
    names = _Names(units=unit_names, groups=groups)
    named_groups: set[str] = set()

    codes: set[str] = set()
    project_numbers: set[int] = set()
    for p, project in enumerate(data["projects"]):
        pplace = f"projects[{p}]"
        if project["number"] in project_numbers:
            problems.append(f"{pplace}.number: " + _("序号重复：%(n)s") % {"n": project["number"]})
        project_numbers.add(project["number"])
        task_numbers: set[int] = set()
        for t, task in enumerate(project["tasks"]):
            tplace = f"{pplace}.tasks[{t}]"
            if task["number"] in task_numbers:
                problems.append(f"{tplace}.number: " + _("序号重复：%(n)s") % {"n": task["number"]})
            task_numbers.add(task["number"])
            names.known(task["lead_units"], f"{tplace}.lead_units", problems)
            names.known(task["cooperating_units"], f"{tplace}.cooperating_units", problems)
            named_groups.update(n for n in task["lead_units"] + task["cooperating_units"] if n in groups)
            both = set(task["lead_units"]) & set(task["cooperating_units"])
            if both:
                problems.append(
                    f"{tplace}: " + _("单位既是责任单位又是配合单位：%(names)s") % {"names": "、".join(sorted(both))}
                )
            _validity_problems(task, tplace, problems)
            task_unit_names = names.expanded(task["lead_units"] + task["cooperating_units"])
            by_code = {ind["code"]: ind for ind in task["indicators"]}
            for k, ind in enumerate(task["indicators"]):
                iplace = f"{tplace}.indicators[{k}]"
                prefix = f"{project['number']}.{task['number']}."
                if not ind["code"].startswith(prefix):
                    problems.append(
                        f"{iplace}.code: "
                        + _("编号 %(code)s 应以 %(prefix)s 开头") % {"code": ind["code"], "prefix": prefix}
                    )
                if ind["code"] in codes:
                    problems.append(f"{iplace}.code: " + _("编号重复：%(code)s") % {"code": ind["code"]})
                codes.add(ind["code"])
                _indicator_problems(ind, iplace, start, by_code, task_unit_names, names, problems)
    for g, group in enumerate(data.get("unit_groups", [])):
        if group["name"] not in named_groups:
            problems.append(f"unit_groups[{g}]: " + _("单位组 %(name)s 未在任何任务中出现") % {"name": group["name"]})
    return problems


def _validity_problems(task: dict, tplace: str, problems: list[str]) -> None:
    valid_from = _date(task["valid_from"], f"{tplace}.valid_from", problems) if "valid_from" in task else None
    valid_until = _date(task["valid_until"], f"{tplace}.valid_until", problems) if "valid_until" in task else None
    if valid_from and valid_until and valid_until < valid_from:
        problems.append(f"{tplace}.valid_until: " + _("有效期止早于有效期起"))
    for part in task.get("validity_text", "").split("…"):
        if part and part not in task["text"]:
            problems.append(f"{tplace}.validity_text: " + _("有效期原文不在任务原文中：%(part)s") % {"part": part[:40]})


def _indicator_problems(ind, iplace, start, by_code, task_unit_names, names, problems) -> None:  # noqa: C901
    deadline = _date(ind["deadline"], f"{iplace}.deadline", problems)
    own_start = _date(ind["start"], f"{iplace}.start", problems) if "start" in ind else None
    window_start = own_start or start
    if deadline and window_start and deadline < window_start:
        problems.append(f"{iplace}.deadline: " + _("完成期限早于方案起始日期"))
    if "planned_start" in ind:
        _date(ind["planned_start"], f"{iplace}.planned_start", problems)
    kind, target, aggregation = ind["kind"], ind["target"], ind["aggregation"]
    if kind == "qualitative":
        if target is not None:
            problems.append(f"{iplace}.target: " + _("定性指标没有目标值，应为 null"))
        if ind["unit"] != "":
            problems.append(f"{iplace}.unit: " + _("定性指标没有计量单位，应为空"))
        if aggregation not in ("lead", "each"):
            problems.append(f"{iplace}.aggregation: " + _("定性指标应为 lead 或 each"))
    elif kind != "milestone":
        if target is None:
            problems.append(f"{iplace}.target: " + _("非节点类指标必须有目标值"))
        elif kind != "growth" and target < 0:
            problems.append(f"{iplace}.target: " + _("目标值不能为负数"))
        elif kind != "growth" and target == 0 and ind["direction"] == "at_least":
            problems.append(f"{iplace}.target: " + _("目标值不能为 0"))
    if aggregation == "each" and kind != "qualitative":
        problems.append(f"{iplace}.aggregation: " + _("只有定性指标可以由各单位分别报送（each）"))
    if "figure_unit" in ind and kind != "qualitative":
        problems.append(f"{iplace}.figure_unit: " + _("只有定性指标有参考数值单位"))
    if kind == "growth":
        if ind["unit"] not in GROWTH_UNITS:
            problems.append(f"{iplace}.unit: " + _("增速类指标的计量单位应为 % 或 个百分点"))
        if aggregation != "lead":
            problems.append(f"{iplace}.aggregation: " + _("增速不能相加，应为 lead"))
        for key in ("parent", "allocations", "stock_target"):
            if ind.get(key) is not None:
                problems.append(f"{iplace}.{key}: " + _("增速类指标不能有此项（增速不能相加）"))
        if ind.get("monthly_plan"):
            problems.append(f"{iplace}.monthly_plan: " + _("增速按目标值逐期比较，没有月度计划"))
    if kind == "qualitative":
        for key in ("parent", "allocations"):
            if ind.get(key) is not None:
                problems.append(f"{iplace}.{key}: " + _("定性指标不能有此项"))
    tolerance = ind.get("tolerance", 0)
    if tolerance and kind in ("milestone", "qualitative"):
        problems.append(f"{iplace}.tolerance: " + _("节点和定性指标没有容差"))
    elif (
        tolerance and kind != "growth" and target is not None and ind["direction"] == "at_least" and tolerance >= target
    ):
        problems.append(f"{iplace}.tolerance: " + _("容差应小于目标值"))
    if "base_value" in ind and "base_text" not in ind:
        problems.append(f"{iplace}.base_text: " + _("有基期数值时须引用其原文（base_text）"))
    if kind == "rate":
        if ind["unit"] != "%":
            problems.append(f"{iplace}.unit: " + _("比率类指标的计量单位应为 %"))
        if target is not None and target > 100:
            problems.append(f"{iplace}.target: " + _("比率目标不能超过 100"))
        if aggregation == "sum":
            problems.append(f"{iplace}.aggregation: " + _("比率不能简单相加，应为 rate 或 lead"))
    elif aggregation == "rate":
        problems.append(f"{iplace}.aggregation: " + _("只有比率类指标可以按分子分母汇总"))
    if kind == "milestone" and aggregation == "sum":
        problems.append(f"{iplace}.aggregation: " + _("节点类指标不能相加，应为 lead"))
    stages = ind.get("stages")
    if stages:
        percents = [s["percent"] for s in stages]
        if kind not in ("milestone", "qualitative"):
            problems.append(f"{iplace}.stages: " + _("只有节点和定性指标有阶段"))
        if percents != sorted(percents) or len(set(percents)) != len(percents) or percents[-1] != 100:
            problems.append(f"{iplace}.stages: " + _("阶段百分比应递增且最后一个为 100"))
    plan_months = ind.get("monthly_plan")
    if plan_months:
        values = [plan_months[m] for m in sorted(plan_months)]
        if values != sorted(values):
            problems.append(f"{iplace}.monthly_plan: " + _("月度计划应为逐月不减的累计百分比"))
        frequency = ind.get("frequency", "monthly")
        for key in sorted(plan_months):
            if not calendar.is_period_end(calendar.parse_month(key), frequency):
                problems.append(
                    f"{iplace}.monthly_plan: "
                    + _("%(month)s 不是该指标的报送期末（报送频次：%(frequency)s）")
                    % {"month": key, "frequency": frequency}
                )

    reporters = ind["reporting_units"]
    names.known(reporters, f"{iplace}.reporting_units", problems)
    for j, name in enumerate(reporters):
        if name not in task_unit_names:
            problems.append(
                f"{iplace}.reporting_units[{j}]: " + _("报送单位 %(name)s 不是本任务的责任或配合单位") % {"name": name}
            )
    if aggregation == "lead":
        if len(reporters) != 1:
            problems.append(f"{iplace}.reporting_units: " + _("牵头单位报送的指标只能有一个报送单位"))
        elif reporters[0] in names.groups:
            problems.append(
                f"{iplace}.reporting_units[0]: "
                + _("牵头单位报送的指标须由一个具体单位报送，不能是单位组 %(name)s") % {"name": reporters[0]}
            )

    parent_code = ind.get("parent")
    if parent_code is not None:
        parent = by_code.get(parent_code)
        if parent is None:
            problems.append(f"{iplace}.parent: " + _("上级指标 %(code)s 不在同一任务中") % {"code": parent_code})
        elif parent_code == ind["code"]:
            problems.append(f"{iplace}.parent: " + _("指标不能以自身为上级"))
        else:
            if parent["aggregation"] != "sum" or parent["kind"] not in ("count", "amount"):
                problems.append(f"{iplace}.parent: " + _("上级指标必须是可相加的数量或金额"))
            if parent["unit"] != ind["unit"]:
                problems.append(
                    f"{iplace}.unit: " + _("计量单位应与上级指标一致（%(unit)s）") % {"unit": parent["unit"]}
                )
            if None not in (parent["target"], target) and target > parent["target"]:
                problems.append(f"{iplace}.target: " + _("“其中”部分不能大于上级指标的目标值"))
            if parent.get("parent"):
                problems.append(f"{iplace}.parent: " + _("上级指标本身不能再有上级"))

    allocations = ind.get("allocations")
    if allocations:
        for name in allocations:
            if name not in reporters or name in names.groups:
                problems.append(
                    f"{iplace}.allocations: " + _("%(name)s 不是该指标的报送单位，不能分解目标") % {"name": name}
                )
        if aggregation == "sum" and target is not None:
            message = allocation_mismatch(
                target=Decimal(target), parts=[Decimal(v) for v in allocations.values()], unit=ind["unit"]
            )
            if message:
                problems.append(f"{iplace}.allocations: {message}")
