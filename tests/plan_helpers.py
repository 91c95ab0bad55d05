"""Helpers shared by the tests of plan files, plan edits and copies (issue 14)."""

from __future__ import annotations

import io
import json
import sys
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from projects.models import (
    Assignment,
    Indicator,
    IndicatorGroup,
    Plan,
    Project,
    Task,
    TaskGroup,
    TaskUnit,
    Unit,
    UnitGroup,
    UnitGroupMember,
)
from projects.planfile import check_plan_data
from projects.services.catalogue import plan_load
from tests.conftest import PLAN_2022
from tests.plan_fixture_checks import FIXTURES

PLAN_FILES = {
    "三政办〔2022〕6号": PLAN_2022,
    "政府工作报告": FIXTURES / "plan_2022_work_report.json",
    "三政办〔2022〕16号": FIXTURES / "plan_2022_measures.json",
}


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def load_data(data: dict[str, Any], **kwargs) -> Plan:
    """A plan file's content loaded as load_plan loads it (numbers read as the parser reads them)."""
    parsed = json.loads(json.dumps(data, ensure_ascii=False), parse_float=Decimal)
    return plan_load(checked=check_plan_data(parsed), **kwargs).plan


def load_fixture(document: str) -> Plan:
    return load_data(read(PLAN_FILES[document]))


def write(tmp_path: Path, data: dict[str, Any], name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(command: str, *args: str, stdin: bytes | None = None) -> tuple[str, str, Exception | None]:
    """A management command's output and error streams, and the error it stopped with (if any)."""
    out, err = StringIO(), StringIO()
    with _stdin(stdin):
        try:
            call_command(command, *args, stdout=out, stderr=err)
        except Exception as exc:  # the test looks at it
            return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


@contextmanager
def _stdin(data: bytes | None):
    if data is None:
        yield
        return
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        yield
    finally:
        sys.stdin = saved


def catalogue_snapshot(plan: Plan | None = None) -> dict[str, list]:
    """Every catalogue row of a plan (or of all plans) by natural keys, ids left out: two databases
    that hold the same plan give the same snapshot."""
    p = {"plan": plan} if plan else {}
    prefix = lambda path: {f"{path}plan": plan} if plan else {}  # noqa: E731
    plan_fields = [f.name for f in Plan._meta.concrete_fields if f.name not in ("id", "revision")]
    ind_fields = [
        f.attname for f in Indicator._meta.concrete_fields if f.attname not in ("id", "task_id", "parent_id")
    ]
    plans = Plan.objects.filter(pk=plan.pk) if plan else Plan.objects.all()
    unit_ids = set(Unit.objects.filter(task_roles__task__project__plan__in=plans).values_list("pk", flat=True))
    unit_ids |= set(Unit.objects.filter(assignments__indicator__task__project__plan__in=plans).values_list("pk", flat=True))
    rows = {
        "plan": plans.values_list(*plan_fields),
        "unit": Unit.objects.filter(pk__in=unit_ids).values_list("name", "kind", "position"),
        "project": Project.objects.filter(**p).values_list("plan__document", "number", "title", "text"),
        "task": Task.objects.filter(**prefix("project__")).values_list(
            "project__number", "number", "text", "lead_units_text", "cooperating_units_text", "valid_from",
            "valid_until", "validity_text",
        ),
        "taskunit": TaskUnit.objects.filter(**prefix("task__project__")).values_list(
            "task__project__number", "task__number", "unit__name", "role", "position", "via_group__name"
        ),
        "taskgroup": TaskGroup.objects.filter(**prefix("task__project__")).values_list(
            "task__project__number", "task__number", "group__name", "role", "position"
        ),
        "unitgroup": UnitGroup.objects.filter(**p).values_list("name", "position"),
        "member": UnitGroupMember.objects.filter(**prefix("group__")).values_list(
            "group__name", "unit__name", "position"
        ),
        "indicator": Indicator.objects.filter(**prefix("task__project__")).values_list(*ind_fields, "parent__code"),
        "indicatorgroup": IndicatorGroup.objects.filter(**prefix("indicator__task__project__")).values_list(
            "indicator__code", "group__name", "position"
        ),
        "assignment": Assignment.objects.filter(**prefix("indicator__task__project__")).values_list(
            "indicator__code", "unit__name", "target", "position", "via_group__name", "is_demo"
        ),
    }
    return {name: sorted(map(str, qs)) for name, qs in rows.items()}


def form_post(form: Any, **changes: Any) -> dict[str, Any]:
    """The POST a browser sends for a form as the page shows it (its initial values), with
    ``changes``: what an office user who edits some fields and saves submits."""
    data: dict[str, Any] = {}
    for bf in form:
        value = bf.field.prepare_value(bf.value())
        if isinstance(value, bool):
            if value:
                data[bf.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bf.html_name] = [getattr(v, "pk", v) for v in value]
        elif value is not None:
            data[bf.html_name] = value.isoformat() if hasattr(value, "isoformat") else value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
