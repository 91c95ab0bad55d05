"""Several plans in one year: the 2022 work report beside the livelihood plan.

``load_work_report_2022`` loads fixtures/plan_2022_work_report.json as far as the loader on this
branch reads it: the header (document 政府工作报告, kind work_report), the units, and the targets
and tasks that need nothing of the format proposed for issue 14 (growth and qualitative
indicators, reporting frequencies and unit groups are left out: 3 projects, 18 tasks, 4
indicators). Once the loader reads the whole file, this becomes ``read_plan_file(WORK_REPORT)``.
"""

from __future__ import annotations

import json

from projects.models import Plan
from projects.planfile import parse_plan
from projects.services.catalogue import plan_load
from tests.conftest import ROOT

WORK_REPORT = ROOT / "fixtures" / "plan_2022_work_report.json"
LIVELIHOOD_DOCUMENT = "三政办〔2022〕6号"
WORK_REPORT_DOCUMENT = "政府工作报告"
# What only the proposed format says (left out here, see the module's docstring).
_LATER_FIELDS = {"frequency", "base_value", "base_unit", "base_text", "figure_unit", "tolerance"}
_READ_KINDS = {"count", "amount", "rate", "milestone"}


def _readable(data: dict) -> dict:
    groups = {g["name"] for g in data.pop("unit_groups", [])}
    for project in data["projects"]:
        project.pop("text", None)
        for task in project["tasks"]:
            for key in ("lead_units", "cooperating_units"):
                task[key] = [u for u in task.get(key, []) if u not in groups]
            task["indicators"] = [
                {k: v for k, v in i.items() if k not in _LATER_FIELDS}
                for i in task["indicators"]
                if i["kind"] in _READ_KINDS
            ]
        project["tasks"] = [t for t in project["tasks"] if t["lead_units"]]
    data["projects"] = [p for p in data["projects"] if p["tasks"]]
    return data


def load_work_report_2022() -> Plan:
    data = _readable(json.loads(WORK_REPORT.read_text(encoding="utf-8")))
    return plan_load(checked=parse_plan(json.dumps(data, ensure_ascii=False))).plan
