"""A unit's Excel template and its upload are per plan (issue 14).

湖滨区政府 reports in June 2022 in three plans: 35 indicators of the livelihood plan, 1 of the work
report (7.3.1) and 26 of the measures (三政办〔2022〕16号, every measure it is named in; the plan
starts on 5 June). Seven codes (1.1.1, 2.1.1, 2.2.1, 5.1.1, 6.1.1, 7.1.1 and 7.3.1) exist in two
of them. Each plan has its own template, named in the file and its filename; an upload reads and
changes only the indicators of the plan the file names.
"""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Plan, Submission, Unit
from projects.services import excel
from tests.plan_helpers import load_fixture
from tests.portfolio import LIVELIHOOD_DOCUMENT, MEASURES_DOCUMENT, WORK_REPORT_DOCUMENT

from .conftest import JUNE
from .test_excel import fill, snapshot, upload

pytestmark = pytest.mark.django_db

COLLIDING = {"1.1.1", "2.1.1", "2.2.1", "5.1.1", "6.1.1", "7.1.1", "7.3.1"}


@pytest.fixture
def plans(plan_2022) -> dict[str, Plan]:
    load_fixture(WORK_REPORT_DOCUMENT)
    load_fixture(MEASURES_DOCUMENT)
    return {p.document: p for p in Plan.objects.all()}


def download(client, plan: Plan | None, unit_query: str = ""):
    query = f"?plan={plan.pk}" if plan else ""
    if unit_query:
        query = f"{query}&{unit_query}" if query else f"?{unit_query}"
    return client.get(reverse("report_template", args=[JUNE]) + query)


def codes(data: bytes) -> list[str]:
    ws = load_workbook(io.BytesIO(data))[excel.MAIN_SHEET]
    return [r[0] for r in ws.iter_rows(min_row=excel.HEADER_ROW + 1, values_only=True) if r[0]]


def meta(data: bytes) -> dict[str, str]:
    return dict(load_workbook(io.BytesIO(data))[excel.META_SHEET].iter_rows(values_only=True))


def figures(plan: Plan) -> dict[str, tuple]:
    rows = Submission.objects.filter(indicator__task__project__plan=plan, unit__name="湖滨区政府", month=JUNE)
    return {s.indicator.code: (s.value, s.stage, s.progress_text) for s in rows}


def test_each_plan_has_its_own_template_named_in_the_file_and_its_filename(client, clock, hubin, plans):
    client.force_login(hubin)
    expected = {LIVELIHOOD_DOCUMENT: (35, "重点民生实事"), WORK_REPORT_DOCUMENT: (1, "政府工作报告目标任务"),
                MEASURES_DOCUMENT: (26, "专项工作措施")}  # fmt: skip
    seen: dict[str, list[str]] = {}
    for document, (rows, kind) in expected.items():
        plan = plans[document]
        response = download(client, plan)
        assert response.status_code == 200
        filename = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
        assert filename == f"月报-湖滨区政府-{kind}-{document}-2022-06.xlsx"
        data = response.content
        seen[document] = codes(data)
        assert len(seen[document]) == rows == len(set(seen[document]))
        title = load_workbook(io.BytesIO(data))[excel.MAIN_SHEET]["A1"].value
        assert title == f"2022年6月 {kind}月报 · 湖滨区政府 · {plan.title}（{document}）"
        info = meta(data)
        assert (info["plan_id"], info["plan_year"], info["plan_document"], info["plan_kind"]) == (
            str(plan.pk), "2022", document, plan.kind,
        )  # fmt: skip
    assert seen[WORK_REPORT_DOCUMENT] == ["7.3.1"]
    assert set(seen[LIVELIHOOD_DOCUMENT]) & set(seen[MEASURES_DOCUMENT]) == COLLIDING - {"7.3.1"}
    assert "7.3.1" in seen[MEASURES_DOCUMENT]


def test_the_month_page_offers_one_template_per_plan(client, clock, hubin, plans):
    client.force_login(hubin)
    html = client.get(reverse("report_month", args=[JUNE])).content.decode()
    links = [f"{reverse('report_template', args=[JUNE])}?plan={plans[d].pk}" for d in plans]
    assert all(link in html for link in links)
    assert "下载 Excel 模板：专项工作措施（三政办〔2022〕16号）" in html


def test_without_a_plan_a_unit_of_several_plans_is_asked_which(client, clock, hubin, plans):
    client.force_login(hubin)
    response = download(client, None)
    assert response.status_code == 302 and response["Location"].endswith("#excel-import")
    page = client.get(response["Location"]).content.decode()
    assert "本单位本月在 3 个方案中填报，每个方案一份模板" in page


def test_another_plans_id_or_a_plan_the_unit_does_not_report_in_is_not_found(client, clock, hubin, zhujian, plans):
    client.force_login(zhujian)  # 市住房城乡建设局: the livelihood plan and the measures, not the work report
    assert download(client, plans[WORK_REPORT_DOCUMENT]).status_code == 404
    assert client.get(reverse("report_template", args=[JUNE]) + "?plan=x").status_code == 404
    assert download(client, plans[MEASURES_DOCUMENT]).status_code == 200


def test_a_code_in_two_plans_never_fails_an_upload_and_each_upload_touches_its_own_plan(client, clock, hubin, plans):
    client.force_login(hubin)
    livelihood, measures = plans[LIVELIHOOD_DOCUMENT], plans[MEASURES_DOCUMENT]
    for plan in plans.values():  # an untouched template of each plan goes through and changes nothing
        assert "文件中没有新的数据" in upload(client, download(client, plan).content).content.decode()
    assert not Submission.objects.exists()

    mine = fill(download(client, livelihood).content, {"5.1.1": {"value": 12}})
    page = upload(client, mine).content.decode()
    assert "已从 Excel 导入 1 项指标（草稿）：重点民生实事 · " in page
    assert figures(livelihood) == {"5.1.1": (12, None, "")}
    assert figures(measures) == {}

    theirs = fill(
        download(client, measures).content, {"5.1.1": {"stage": "推进实施", "progress_text": "走访企业 30 家"}}
    )
    page = upload(client, theirs).content.decode()
    assert "已从 Excel 导入 1 项指标（草稿）：专项工作措施 · " in page, page
    assert figures(measures)["5.1.1"][1:] == (2, "走访企业 30 家")  # 推进实施: the third stage
    assert figures(livelihood) == {"5.1.1": (12, None, "")}


def test_a_template_of_a_plan_the_unit_does_not_report_in_is_refused_in_chinese(client, clock, zhujian, plans):
    client.force_login(zhujian)
    data = download(client, plans[LIVELIHOOD_DOCUMENT]).content
    wb = load_workbook(io.BytesIO(data))
    for row in wb[excel.META_SHEET].iter_rows():
        if row[0].value == "plan_document":
            row[1].value = WORK_REPORT_DOCUMENT
        if row[0].value == "plan_title":
            row[1].value = "政府工作报告"
    out = io.BytesIO()
    wb.save(out)
    before = snapshot()
    page = upload(client, fill(out.getvalue(), {"2.5.1": {"stage": "开工"}})).content.decode()
    assert "这是“政府工作报告（政府工作报告，2022年）”的月报模板，本单位2022年6月不在该方案中填报，不能导入" in page
    assert snapshot() == before


def test_an_old_template_without_its_plan_is_refused_when_the_unit_has_several(client, clock, hubin, plans):
    client.force_login(hubin)
    wb = load_workbook(io.BytesIO(download(client, plans[LIVELIHOOD_DOCUMENT]).content))
    meta_sheet = wb[excel.META_SHEET]
    for r in reversed(range(1, meta_sheet.max_row + 1)):
        if str(meta_sheet.cell(row=r, column=1).value).startswith("plan_"):
            meta_sheet.delete_rows(r)
    out = io.BytesIO()
    wb.save(out)
    page = upload(client, fill(out.getvalue(), {"1.1.1": {"value": 5}})).content.decode()
    assert "这份模板没有注明所属方案（旧版模板），而本单位2022年6月在 3 个方案中填报" in page
    assert not Submission.objects.exists()


def test_the_import_command_refuses_a_file_of_another_plan_than_its_document(clock, hubin, plans, tmp_path):
    data = excel.template_build(unit=hubin.unit, month=JUNE, plan=plans[MEASURES_DOCUMENT])
    path = tmp_path / "measures.xlsx"
    path.write_bytes(fill(data, {"5.1.1": {"progress_text": "走访企业"}}))
    args = ["import_figures", str(path), "--unit", "湖滨区政府", "--month", "2022-06"]
    with pytest.raises(CommandError) as refused:
        call_command(*args, "--document", LIVELIHOOD_DOCUMENT, stdout=io.StringIO(), stderr=io.StringIO())
    assert "这是“专项工作措施 · 三门峡市稳经济支持企业发展若干措施（三政办〔2022〕16号）”的月报模板" in str(
        refused.value
    )
    assert "当前导入的是“重点民生实事 · " in str(refused.value)
    assert not Submission.objects.exists()
    call_command(*args, "--document", MEASURES_DOCUMENT, stdout=io.StringIO(), stderr=io.StringIO())
    assert figures(plans[MEASURES_DOCUMENT])["5.1.1"][2] == "走访企业"


def test_the_office_downloads_a_units_template_of_one_plan_from_its_read_only_page(client, clock, office, plans):
    hubin = Unit.objects.get(name="湖滨区政府")
    client.force_login(office)
    html = client.get(reverse("report_month", args=[JUNE]), {"unit": hubin.pk}).content.decode()
    measures = plans[MEASURES_DOCUMENT]
    link = f"{reverse('report_template', args=[JUNE])}?plan={measures.pk}&amp;unit={hubin.pk}"
    assert link in html
    response = download(client, measures, f"unit={hubin.pk}")
    assert response.status_code == 200 and len(codes(response.content)) == 26
