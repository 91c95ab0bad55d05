"""Which plan a command means, with two plans in 2022: the livelihood plan and the work report.

Every command that works on a plan takes --document; when it is missing (and the year has
several plans) or names no plan, the command stops and lists the plans that exist, with their
year, document number and kind. The demo commands that ``make run`` calls do not stop.
"""

import io
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from projects.models import Assignment, Indicator, Plan, Submission, Unit, User
from projects.selectors.catalogue import PlanChoiceError, plan_choose, plans_choose
from projects.services import excel
from tests.portfolio import LIVELIHOOD_DOCUMENT, WORK_REPORT_DOCUMENT, load_work_report_2022

pytestmark = pytest.mark.django_db

WRONG = "三政办〔2022〕99号"
JUNE = date(2022, 6, 1)


@pytest.fixture
def two_plans(plan_2022):
    return plan_2022, load_work_report_2022()


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refusal(*args) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args)
    return str(caught.value)


def assert_lists_both_plans(message: str) -> None:
    lines = message.splitlines()
    livelihood = next(line for line in lines if f"--document {LIVELIHOOD_DOCUMENT} " in line)
    work_report = next(line for line in lines if f"--document {WORK_REPORT_DOCUMENT} " in line)
    assert "2022" in livelihood and "重点民生实事" in livelihood
    assert "2022" in work_report and "政府工作报告目标任务" in work_report


def test_the_work_report_fixture_is_a_second_plan_of_2022(two_plans):
    work_report = two_plans[1]
    assert (work_report.year, work_report.kind) == (2022, "work_report")
    # The fixture: 10 parts (targets and tasks), 53 items, one indicator each.
    assert Indicator.objects.filter(task__project__plan=work_report).count() == 53
    # Units are shared: the work report's 市统计局 and the counties are the livelihood plan's rows.
    assert Unit.objects.filter(name="湖滨区政府").count() == 1


@pytest.mark.parametrize(
    "command",
    [
        ["export_plan", "2022"],
        ["export_figures", "2022", "--month", "2022-06"],
        ["bulletin", "2022-06", "--out", "/tmp/never-written.docx"],
    ],
    ids=lambda c: c[0],
)
def test_without_document_a_command_lists_the_years_plans(two_plans, command):
    message = refusal(*command)

    assert "请用 --document 指定其中一个" in message
    assert "有 2 个方案" in message
    assert_lists_both_plans(message)


@pytest.mark.parametrize(
    "command",
    [
        ["export_plan", "2022"],
        ["export_figures", "2022", "--month", "2022-06"],
        ["bulletin", "2022-06", "--out", "/tmp/never-written.docx"],
        ["seed_demo", "--as-of", "2022-07-10"],
        ["create_demo_accounts"],
        ["scan", "--as-of", "2022-07-10", "--no-send"],
        ["rebuild_progress", "--year", "2022"],
    ],
    ids=lambda c: c[0],
)
def test_a_wrong_document_is_named_and_the_plans_that_exist_are_listed(two_plans, command):
    before = Submission.objects.count(), User.objects.count()

    message = refusal(*command, "--document", WRONG)

    assert WRONG in message and "没有" in message
    assert "现有方案" in message
    assert_lists_both_plans(message)
    assert (Submission.objects.count(), User.objects.count()) == before


def test_a_year_without_plans_lists_the_plans_of_other_years(two_plans):
    message = refusal("export_plan", "2031")

    assert "没有 2031 年的方案" in message
    assert_lists_both_plans(message)


def test_with_document_each_command_works_on_that_plan(two_plans, tmp_path):
    exported = json.loads(run("export_plan", "2022", "--document", WORK_REPORT_DOCUMENT, "--format", "json"))
    assert exported["document"] == WORK_REPORT_DOCUMENT
    assert len(exported["projects"]) == 10  # the fixture's ten parts

    out = tmp_path / "bulletin.docx"
    run("bulletin", "2022-06", "--out", str(out), "--document", LIVELIHOOD_DOCUMENT)
    assert out.stat().st_size > 0

    figures = json.loads(run("export_figures", "2022", "--month", "2022-06", "--document", WORK_REPORT_DOCUMENT))
    assert figures == []  # nothing reported in the work report yet

    rebuilt = run("rebuild_progress", "--year", "2022", "--document", WORK_REPORT_DOCUMENT)
    assert len(rebuilt.splitlines()) == 1 and WORK_REPORT_DOCUMENT in rebuilt


def test_seed_demo_fills_every_plan_of_the_year_or_the_one_named(two_plans):
    livelihood, work_report = two_plans

    one = run("seed_demo", "--as-of", "2022-07-10", "--document", WORK_REPORT_DOCUMENT)
    assert WORK_REPORT_DOCUMENT in one and LIVELIHOOD_DOCUMENT not in one
    assert not Submission.objects.filter(indicator__task__project__plan=livelihood).exists()
    # The work report's indicators reported by named units (not the still empty group 市政府有关部门)
    # monthly or quarterly get demo figures, for periods ended by 10 July only; the six reported
    # once a year (1.2.1–1.5.1, 1.12.1, 1.13.1) have no period ended yet.
    seeded = Submission.objects.filter(indicator__task__project__plan=work_report)
    assert set(seeded.values_list("indicator__code", flat=True)) == {
        "1.1.1", "1.6.1", "1.7.1", "1.8.1", "1.9.1", "1.10.1", "1.11.1", "1.14.1", "1.15.1", "1.16.1", "5.4.1", "7.3.1"
    }  # fmt: skip
    assert max(seeded.values_list("month", flat=True)) == JUNE

    both = run("seed_demo", "--as-of", "2022-07-10")
    assert WORK_REPORT_DOCUMENT in both and LIVELIHOOD_DOCUMENT in both
    assert Submission.objects.filter(indicator__task__project__plan=livelihood, month=JUNE).exists()


def test_demo_accounts_take_the_years_livelihood_plan_when_several_exist(two_plans):
    livelihood = two_plans[0]

    run("create_demo_accounts")

    leader = User.objects.get(username="fushizhang")
    assert leader.portfolio.exists()
    assert set(leader.portfolio.values_list("plan", flat=True)) == {livelihood.pk}


def test_demo_accounts_with_two_plans_of_no_default_kind_list_them(two_plans):
    livelihood = two_plans[0]
    Plan.objects.filter(pk=livelihood.pk).update(kind="other")

    message = refusal("create_demo_accounts")

    assert "请用 --document 指定其中一个" in message
    assert WORK_REPORT_DOCUMENT in message and "其他" in message


def test_scan_by_document_judges_only_that_plan(two_plans):
    work_report = two_plans[1]
    run("seed_demo", "--as-of", "2022-07-10")

    scanned = json.loads(
        run("scan", "--as-of", "2022-07-10", "--no-send", "--json", "--document", WORK_REPORT_DOCUMENT)
    )
    every = json.loads(run("scan", "--as-of", "2022-07-10", "--no-send", "--json"))

    work_report_names = set(Indicator.objects.filter(task__project__plan=work_report).values_list("name", flat=True))
    assert scanned and {row["indicator"] for row in scanned} <= work_report_names
    assert len(every) > len(scanned)
    # Each row says which plan it belongs to; the narrowed scan holds only the work report's rows.
    assert scanned and {(r["plan_id"], r["plan_document"], r["plan_kind"]) for r in scanned} == {
        (work_report.pk, WORK_REPORT_DOCUMENT, "work_report")
    }
    livelihood = two_plans[0]
    assert {(r["plan_id"], r["plan_document"], r["plan_kind"]) for r in every} == {
        (livelihood.pk, LIVELIHOOD_DOCUMENT, "livelihood"),
        (work_report.pk, WORK_REPORT_DOCUMENT, "work_report"),
    }
    assert [r for r in every if r["plan_id"] == work_report.pk] == scanned


def _template_of_one_plan(unit: Unit, plan: Plan) -> bytes:
    """The unit's June template of ``plan`` (one template per plan) with 1.1.1 filled in."""
    wb = load_workbook(io.BytesIO(excel.template_build(unit=unit, month=JUNE, today=date(2022, 7, 3), plan=plan)))
    ws = wb[excel.MAIN_SHEET]
    value_column = excel.COLUMN_INDEX["value"]
    for row in range(excel.HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == "1.1.1":
            ws.cell(row=row, column=value_column).value = 321
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_figures_of_a_unit_reporting_in_two_plans_needs_the_document(two_plans, tmp_path):
    livelihood, work_report = two_plans
    hubin = Unit.objects.get(name="湖滨区政府")
    # 湖滨区政府 also reports one of the work report's targets (研发投入强度): two plans in June.
    target = Indicator.objects.get(task__project__plan=work_report, code="1.5.1")
    Assignment.objects.create(indicator=target, unit=hubin)
    path = tmp_path / "hubin.xlsx"
    path.write_bytes(_template_of_one_plan(hubin, livelihood))
    args = ["import_figures", str(path), "--unit", "湖滨区政府", "--month", "2022-06"]

    message = refusal(*args)
    assert_lists_both_plans(message)
    assert not Submission.objects.exists()

    run(*args, "--document", LIVELIHOOD_DOCUMENT)
    saved = Submission.objects.get()
    assert (saved.indicator.task.project.plan, saved.indicator.code, saved.value) == (livelihood, "1.1.1", 321)


def test_the_rule_itself(two_plans):
    livelihood, work_report = two_plans

    assert plan_choose(year=2022, document=WORK_REPORT_DOCUMENT) == work_report
    assert plan_choose(document=LIVELIHOOD_DOCUMENT) == livelihood
    assert plan_choose(year=2022, default_kind="livelihood") == livelihood
    assert plan_choose(month=JUNE, document=LIVELIHOOD_DOCUMENT) == livelihood
    assert plans_choose(year=2022) == sorted([livelihood, work_report], key=lambda p: p.document)
    assert plans_choose() == plans_choose(year=2022)
    with pytest.raises(PlanChoiceError):
        plan_choose(year=2022)
    with pytest.raises(PlanChoiceError):
        plans_choose(year=2023)


def test_the_refusal_in_english(two_plans):
    with translation.override("en"):
        with pytest.raises(PlanChoiceError) as several:
            plan_choose(year=2022)
        with pytest.raises(PlanChoiceError) as wrong:
            plan_choose(year=2022, document=WRONG)
    several, wrong = str(several.value), str(wrong.value)

    assert several.startswith("2022 has 2 plans: name one with --document")
    assert "(Key livelihood projects)" in several and "(Targets and tasks of the government work report)" in several
    assert wrong.startswith(f"2022 has no plan numbered {WRONG}")
    assert "Plans that exist:" in wrong
