"""Several plans in one year: the 2022 work report beside the livelihood plan.

``load_work_report_2022`` loads the real fixture (fixtures/plan_2022_work_report.json) through
``tests.plan_helpers.load_fixture``, as ``load_plan`` does.
"""

from __future__ import annotations

from projects.models import Plan
from tests.plan_helpers import load_fixture

LIVELIHOOD_DOCUMENT = "三政办〔2022〕6号"
WORK_REPORT_DOCUMENT = "政府工作报告"
MEASURES_DOCUMENT = "三政办〔2022〕16号"


def load_work_report_2022() -> Plan:
    return load_fixture(WORK_REPORT_DOCUMENT)
