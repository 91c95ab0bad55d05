"""A new year from the last (issue 14 item 4): ``copy_plan`` and the admin's action copy the demo's
2022 plans into 2023. The copy loads, reports and scans; its targets wait for the office; a level
the plan gives a base figure for carries the old year's final figure; nothing of 2022 changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from projects.audit.actions import AuditAction
from projects.audit.models import AuditRecord, AuditResult
from projects.models import (
    Alert,
    AlertKind,
    Assignment,
    CityProgress,
    Indicator,
    Plan,
    Role,
    Submission,
    UnitProgress,
    User,
)
from projects.services.alerts import alerts_scan
from projects.services.plans import confirm_targets, plan_edit
from projects.services.reporting import FigureInput, submission_save
from tests.factories import OfficeUserFactory, pin_clock, unit_user
from tests.plan_helpers import catalogue_snapshot, load_fixture, run

pytestmark = pytest.mark.django_db

LIVELIHOOD, WORK_REPORT = "三政办〔2022〕6号", "政府工作报告"
NEW_DOCUMENT = "三政办〔2023〕3号"


@pytest.fixture
def demo(plan_2022) -> tuple[Plan, Plan]:
    """The demo as `make run` makes it, both plans, played on to 31 January 2023: every figure of
    2022 is in, December's of the work report too (due on 20 January)."""
    report = load_fixture(WORK_REPORT)
    _out, err, exc = run("seed_demo", "--as-of", "2023-01-31")
    assert exc is None, err
    return plan_2022, report


def figures_of(plan: Plan) -> dict[str, list]:
    """What 2022 holds beside its catalogue: every figure and every progress row."""
    return {
        "submission": sorted(
            map(str, Submission.objects.filter(indicator__task__project__plan=plan).values_list(
                "indicator__code", "unit__name", "month", "value", "numerator", "denominator", "stage", "status",
                "version",
            ))
        ),
        "unit": sorted(
            map(str, UnitProgress.objects.filter(indicator__task__project__plan=plan).values_list(
                "indicator__code", "unit__name", "month", "completion", "light", "target"
            ))
        ),
        "city": sorted(
            map(str, CityProgress.objects.filter(indicator__task__project__plan=plan).values_list(
                "indicator__code", "month", "value", "completion", "light"
            ))
        ),
    }


def test_copy_plan_gives_a_2023_plan_that_loads_reports_and_scans(demo):
    old, report = demo
    before = {p.document: (catalogue_snapshot(p), figures_of(p)) for p in (old, report)}
    assert len(before[LIVELIHOOD][1]["submission"]) > 1000

    out, err, exc = run("copy_plan", "--document", LIVELIHOOD, "--year", "2023", "--new-document", NEW_DOCUMENT)
    assert exc is None, err
    new = Plan.objects.get(year=2023, document=NEW_DOCUMENT)
    assert f"已复制 {old} → {new}" in out
    indicators = Indicator.objects.filter(task__project__plan=new)
    # 64 indicators, 54 of them with a target (10 milestones have no number).
    assert indicators.count() == 64
    assert "54 个指标的目标沿用上年，待督查室确认" in out

    # The structure, units, roles, reporting units and calendar, moved on a year.
    assert new.kind == old.kind and new.due_day == old.due_day
    assert (new.start, new.default_deadline) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert new.title == old.title.replace("2022", "2023")
    old_rows, new_rows = catalogue_snapshot(old), catalogue_snapshot(new)
    for table in ("project", "task", "taskunit", "unit"):
        assert [r.replace(NEW_DOCUMENT, LIVELIHOOD) for r in new_rows[table]] == old_rows[table], table
    old_reporters = sorted(
        Assignment.objects.filter(indicator__task__project__plan=old).values_list("indicator__code", "unit__name")
    )
    assert sorted(Assignment.objects.filter(indicator__task__project__plan=new).values_list(
        "indicator__code", "unit__name"
    )) == old_reporters  # fmt: skip
    roads = indicators.get(code="5.1.1")
    assert roads.deadline == Indicator.objects.get(task__project__plan=old, code="5.1.1").deadline.replace(year=2023)
    # Targets: proposals the office confirms (a milestone without a number has none to confirm);
    # the split among units is not carried.
    assert not indicators.filter(target__isnull=False, target_confirmed=True).exists()
    assert not Assignment.objects.filter(indicator__task__project__plan=new, target__isnull=False).exists()

    # Nothing of 2022 changed (its catalogue, figures and progress).
    for plan in (old, report):
        assert (catalogue_snapshot(plan), figures_of(plan)) == before[plan.document]

    # The copy is a plan file load_plan reproduces.
    exported, err, exc = run("export_plan", "--document", NEW_DOCUMENT)
    assert exc is None, err
    _out, err, exc = run("load_plan", "-", stdin=exported.encode())
    assert exc is None, err
    assert catalogue_snapshot(new) == new_rows

    # Until the office confirms the targets nothing is judged; then a county reports January.
    office = OfficeUserFactory(username="duchashi")
    hubin = unit_user("湖滨区政府", username="hubin")
    with pin_clock("2023-02-03"):
        submission_save(
            user=hubin, indicator_id=roads.pk, month=dt.date(2023, 1, 1), figure=FigureInput(value=Decimal(20)),
            version=0, submit=True, today=dt.date(2023, 2, 3),
        )  # fmt: skip
    january = UnitProgress.objects.get(indicator=roads, unit__name="湖滨区政府", month=dt.date(2023, 1, 1))
    assert january.reported and january.light == ""  # reported, not judged: the target waits
    new.refresh_from_db()
    plan_edit(user=office, plan=new, revision=new.revision, change=confirm_targets, what="confirm")
    assert not indicators.filter(target_confirmed=False).exists()
    # The city figure is judged now; the county's share waits for the office's split of the target.
    january = UnitProgress.objects.get(indicator=roads, unit__name="湖滨区政府", month=dt.date(2023, 1, 1))
    assert (january.target, january.light) == (None, "")
    city = CityProgress.objects.get(indicator=roads, month=dt.date(2023, 1, 1))
    assert city.light != "" and city.value == Decimal(20)

    # The scan of 6 February 2023 finds January missing for every unit but 湖滨区 on 5.1.1; the 2022
    # plan's alerts are those it had.
    old_alerts = sorted(Alert.objects.filter(plan=old).values_list("pk", "kind", "month", "severity"))
    with pin_clock("2023-02-06"):
        alerts_scan(plan=new, as_of=dt.date(2023, 2, 6))
    missing = Alert.objects.filter(plan=new, kind=AlertKind.MISSING, indicator=roads, resolved_at__isnull=True)
    reporters = set(Assignment.objects.filter(indicator=roads).values_list("unit__name", flat=True))
    assert set(missing.values_list("unit__name", flat=True)) == reporters - {"湖滨区政府"}
    assert set(missing.values_list("month", flat=True)) == {dt.date(2023, 1, 1)}
    assert sorted(Alert.objects.filter(plan=old).values_list("pk", "kind", "month", "severity")) == old_alerts


def test_a_level_carries_its_final_figure_and_a_growth_rate_moves_its_base_year(demo):
    _old, report = demo
    rd = Indicator.objects.get(task__project__plan=report, code="1.5.1")  # 研发投入强度 2%, base 1.92 in 2021
    december = CityProgress.objects.get(indicator=rd, month=dt.date(2022, 12, 1)).value
    assert december is not None
    out, err, exc = run("copy_plan", "--document", WORK_REPORT, "--year", "2023", "--new-document", WORK_REPORT)
    assert exc is None, err
    new = Plan.objects.get(year=2023, document=WORK_REPORT)
    copied = Indicator.objects.get(task__project__plan=new, code="1.5.1")
    assert (copied.base_year, copied.base_value) == (2022, december)
    assert copied.target == rd.target and not copied.target_confirmed
    gdp = Indicator.objects.get(task__project__plan=new, code="1.1.1")
    # Growth in 2023 is measured against 2022; the 2021 level (1582.5 亿元) no longer applies.
    assert (gdp.base_year, gdp.base_value, gdp.frequency) == (2022, None, "quarterly")
    # The unit group and its (empty) membership came along; the office is told it reports nothing.
    assert new.unit_groups.get().name == "市政府有关部门"
    assert "市政府有关部门" in out
    # Qualitative tasks have no target to confirm.
    assert not Indicator.objects.filter(task__project__plan=new, kind="qualitative", target_confirmed=False).exists()


def test_copy_plan_refuses_an_existing_plan_or_an_earlier_year_and_changes_nothing(demo):
    plans = Plan.objects.count()
    _out, err, exc = run("copy_plan", "--document", LIVELIHOOD, "--year", "2022", "--new-document", WORK_REPORT)
    assert exc is not None and "已有 2022 年文号为 政府工作报告 的方案，未复制" in err
    _out, err, exc = run("copy_plan", "--document", LIVELIHOOD, "--year", "2021", "--new-document", "旧方案")
    assert exc is not None and "新年度应晚于 2022 年" in err
    _out, err, exc = run("copy_plan", "--document", "三政办〔2022〕99号", "--year", "2023", "--new-document", "x")
    assert exc is not None and LIVELIHOOD in str(exc) and WORK_REPORT in str(exc)  # the plans that exist
    assert Plan.objects.count() == plans
    # The two refusals of a plan that exists are in the audit trail (the unknown one names no plan).
    assert AuditRecord.objects.filter(action=AuditAction.PLAN_COPY, result=AuditResult.FAILURE).count() == 2


def test_the_admin_action_copies_a_plan(demo, client):
    old, _report = demo
    client.force_login(User.objects.create_superuser("office-admin", "o@example.com", "Pass-word-123", role=Role.OFFICE))
    url = "/admin/projects/plan/"
    action = {"action": "copy_to_new_year", "_selected_action": [old.pk]}
    page = client.post(url, action)
    assert page.status_code == 200 and "复制到新年度" in page.content.decode()
    page = client.post(url, {**action, "apply": "1", "year": 2023, "document": NEW_DOCUMENT, "title": ""})
    new = Plan.objects.get(year=2023, document=NEW_DOCUMENT)
    assert page.status_code == 302 and page["Location"].endswith(f"/admin/projects/plan/{new.pk}/change/")
    assert Indicator.objects.filter(task__project__plan=new).count() == 64
    # Again: the form says why and copies nothing.
    page = client.post(url, {**action, "apply": "1", "year": 2023, "document": NEW_DOCUMENT, "title": ""})
    assert "已有 2023 年文号为 三政办〔2023〕3号 的方案，未复制" in page.content.decode()
    assert Plan.objects.filter(year=2023).count() == 1
