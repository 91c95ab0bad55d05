"""Bad input, case by case, through every door it can come in: the reporting form, the Excel
import, evidence uploads, the plan loader, and query strings.

``CASES`` is the table. Each case says what must happen:

- ``Refused(message)``: the answer carries the message, in Chinese, and the database (and the
  private files) are exactly as before;
- ``Stored(...)``: the input is accepted as the reporting service normalises it (１２３ → 123),
  and text is stored as typed; where the text carries HTML or script, every page that shows it
  shows it escaped, never as a live tag;
- ``Answered(status)``: a query string the pages must survive (no error page, nothing echoed
  unescaped).

Decisions recorded here (docs/reporting.md says the same):

- numbers: full-width digits, full-width punctuation and thousands separators are accepted;
  exponents, NaN, infinity, a decimal comma (12,5), words and units are refused; at most 14 digits
  before the point and 4 after (the database's DECIMAL(18, 4)), from a form, a spreadsheet and a
  plan file alike; a spreadsheet's float is read with Excel's 15 significant digits;
- texts: at most 4,000 characters (进展情况、存在问题、下步打算) and 2,000 (情况说明), from the
  form and the Excel import alike; invisible control characters are removed;
- Excel formulas: a figure cell with a formula counts with the result saved in the file (Excel,
  WPS and LibreOffice save it); a formula without a saved result is refused, never read as empty;
- Excel sheets: other (hidden) sheets are ignored, a hidden 月报 sheet is refused (the user edited
  a visible copy), merged cells below the header are refused (only the top-left cell keeps its
  content), a sheet past row 5,000 is refused unread.

The finer checks of each door stay where they are (tests/reporting/test_figure_checks.py,
test_excel.py, test_evidence.py; tests/test_load_plan.py); this table runs the hostile inputs.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Assignment, Evidence, Indicator, Plan, Project, Submission, Task, Unit
from projects.services import excel
from projects.services.reporting import FigureInput, submission_save
from tests.conftest import PLAN_2022
from tests.files import pdf
from tests.reporting.test_evidence import JPEG

from .conftest import JUNE, PNG, indicator

pytestmark = pytest.mark.django_db

MAY = dt.date(2022, 5, 1)
SCRIPT = '<script>alert("民生")</script>'
IMG = '<img src=x onerror="alert(1)">'
SVG_NAME = '"><svg onload=alert(1)>.jpg'
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


# --- what must happen ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    message: str


@dataclass(frozen=True)
class Stored:
    """What the stored submission (hubin's 1.1.1 in June) holds afterwards; ``shown`` texts must
    appear escaped on the pages. For the plan loader: the task text."""

    fields: dict = field(default_factory=dict)
    shown: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answered:
    status: int
    hostile: str = ""


@dataclass(frozen=True)
class Case:
    door: str  # form | excel | evidence | plan | query
    name: str
    payload: object
    outcome: Refused | Stored | Answered


# --- building the inputs ------------------------------------------------------------------------


def form(value: str = "5", code: str = "1.1.1", **texts) -> dict:
    if code == "3.1.3":
        numerator, denominator = value.split("/")
        return {"code": code, "numerator": numerator, "denominator": denominator, **texts}
    return {"code": code, "value": value, **texts}


@dataclass
class Ctx:
    """What the builders of Excel files need: the unit's June template and a way to get others."""

    client: object
    users: dict
    tmp_path: Path

    def template(self, who: str = "hubin", month: dt.date = JUNE) -> bytes:
        # Every case starts from the same database and clock, so a template downloaded once is
        # the one every case would download.
        if (who, month) not in TEMPLATES:
            self.client.force_login(self.users[who])
            response = self.client.get(reverse("report_template", args=[month]))
            assert response.status_code == 200
            self.client.force_login(self.users["hubin"])
            TEMPLATES[(who, month)] = response.content
        return TEMPLATES[(who, month)]


TEMPLATES: dict[tuple[str, dt.date], bytes] = {}


Edit = Callable[..., None]


def workbook(*edits: Edit, who: str = "hubin", month: dt.date = JUNE) -> Callable[[Ctx], bytes]:
    """The template with ``edits`` made in it, as a person does in a spreadsheet."""

    def build(ctx: Ctx) -> bytes:
        wb = load_workbook(io.BytesIO(ctx.template(who, month)))
        ws = wb[excel.MAIN_SHEET]
        rows = {ws.cell(r, 1).value: r for r in range(excel.HEADER_ROW + 1, ws.max_row + 1)}
        for edit in edits:
            edit(wb, ws, rows)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    return build


def cell(key: str, value, code: str = "1.1.1") -> Edit:
    def edit(wb, ws, rows) -> None:
        c = ws.cell(rows[code], excel.COLUMN_INDEX[key])
        c.value = value
        if isinstance(value, str):
            c.data_type = "s"  # typed as text (openpyxl would take "=..." for a formula)

    return edit


def formula(text: str, code: str = "1.1.1", key: str = "value") -> Edit:
    def edit(wb, ws, rows) -> None:
        ws.cell(rows[code], excel.COLUMN_INDEX[key]).value = text  # openpyxl: a formula, no result

    return edit


def hide_main_sheet(wb, ws, rows) -> None:
    ws.cell(rows["1.1.1"], excel.COLUMN_INDEX["value"]).value = 999
    copy = wb.copy_worksheet(ws)
    copy.cell(rows["1.1.1"], excel.COLUMN_INDEX["value"]).value = 5
    ws.sheet_state = "hidden"


def hidden_notes(wb, ws, rows) -> None:
    notes = wb.create_sheet("备注")
    notes["A1"] = "=1+1"
    notes["A2"] = SCRIPT
    notes.sheet_state = "hidden"


def merge_values(wb, ws, rows) -> None:
    column = excel.COLUMN_INDEX["value"]
    ws.cell(rows["1.1.1"], column).value = 5
    ws.merge_cells(start_row=rows["1.1.1"], start_column=column, end_row=rows["1.1.1"] + 1, end_column=column)


def xml_patch(build: Callable[[Ctx], bytes], member: str, patch: Callable[[bytes], bytes]):
    """A built workbook with one zip member rewritten (what no spreadsheet program would write)."""

    def patched(ctx: Ctx) -> bytes:
        source = zipfile.ZipFile(io.BytesIO(build(ctx)))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                data = source.read(item.filename)
                target.writestr(item.filename, patch(data) if item.filename == member else data)
        return out.getvalue()

    return patched


SHEET = "xl/worksheets/sheet1.xml"


def cached_formula(text: str, result: str, kind: str = "n"):
    """The figure cell of 1.1.1 as Excel saves a formula: the formula and its last result."""

    def patch(xml: bytes) -> bytes:
        column = excel.COLUMN_INDEX["value"]
        pattern = rb'<c r="(' + bytes(chr(64 + column), "ascii") + rb'\d+)"[^>]*><v>4242</v></c>'
        cell_xml = f'<c r="\\1" t="{kind}"><f>{text}</f><v>{result}</v></c>'.encode()
        patched, count = re.subn(pattern, cell_xml, xml)
        assert count == 1
        return patched

    return xml_patch(workbook(cell("value", 4242)), SHEET, patch)


def entity_bomb(xml: bytes) -> bytes:
    entities = '<!ENTITY a0 "民生民生民生民生">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    xml = xml.replace(b"<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet".encode(), 1)
    return xml.replace(
        b"</sheetData>", b'<row r="90"><c r="M90" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData>'
    )


def last_row(xml: bytes) -> bytes:
    # One cell in the sheet's last row: a reader would walk a million empty rows to reach it.
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>1.1.1</t></is></c></row>'
    return xml.replace(b"</sheetData>", far + b"</sheetData>")


def claimed_size(ref: str):
    def patch(xml: bytes) -> bytes:
        patched, count = re.subn(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), xml)
        assert count == 1
        return patched

    return patch


def zip_bomb(ctx: Ctx) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (excel.XLSX_MAX_UNCOMPRESSED + 1))
    assert len(out.getvalue()) < 1024 * 1024  # small on the wire
    return out.getvalue()


def word_file(ctx: Ctx) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def plan_file(change: Callable[[dict], None] | None = None, raw: str | None = None) -> Callable[[], bytes]:
    """The 2022 plan file with one change, or with the first target written as raw JSON text."""

    def build() -> bytes:
        data = json.loads(PLAN_2022.read_text(encoding="utf-8"))
        first = data["projects"][0]["tasks"][0]
        if change:
            change(first)
        if raw is None:
            return json.dumps(data, ensure_ascii=False).encode()
        first["indicators"][0]["target"] = "__RAW__"
        return json.dumps(data, ensure_ascii=False).replace('"__RAW__"', raw).encode()

    return build


def task_text(text: str) -> Callable[[dict], None]:
    return lambda task: task.update(text=text)


def indicator_name(text: str) -> Callable[[dict], None]:
    return lambda task: task["indicators"][0].update(name=text)


def fixed(data: bytes) -> Callable[..., bytes]:
    return lambda *args: data


# --- the table ----------------------------------------------------------------------------------

NOT_A_NUMBER = "不是有效的数字"
TOO_BIG = "数字过大"
NOT_XLSX = "不是 Excel（.xlsx）文件"
NOT_EVIDENCE = "不是 JPEG、PNG 图片或 PDF 文件"

CASES = [
    # The figure form (湖滨区政府, 1.1.1 技能培训 in June, submitted).
    Case("form", "exponent 1e30", form("1e30"), Refused(NOT_A_NUMBER)),
    Case("form", "twenty nines", form("99999999999999999999"), Refused(TOO_BIG)),
    Case("form", "fifteen digits", form("123456789012345"), Refused(TOO_BIG)),
    Case("form", "exponent 1e-30", form("1e-30"), Refused(NOT_A_NUMBER)),
    Case("form", "thirty decimals", form("0." + "0" * 29 + "1"), Refused("最多保留 4 位小数")),
    Case("form", "NaN", form("NaN"), Refused(NOT_A_NUMBER)),
    Case("form", "Infinity", form("Infinity"), Refused(NOT_A_NUMBER)),
    Case("form", "infinity sign", form("∞"), Refused(NOT_A_NUMBER)),
    Case("form", "full-width digits", form("１２３"), Stored({"value": Decimal(123)})),
    Case("form", "full-width with separator", form("１，２３４．５"), Stored({"value": Decimal("1234.5")})),
    Case("form", "thousands separators", form("12,345"), Stored({"value": Decimal(12345)})),
    Case("form", "decimal comma", form("12,5"), Refused(NOT_A_NUMBER)),
    Case("form", "negative", form("-5"), Refused("不能为负数")),
    Case("form", "full-width negative", form("－５"), Refused("不能为负数")),
    Case("form", "minus sign U+2212", form("−5"), Refused(NOT_A_NUMBER)),
    Case("form", "empty", form(""), Refused("请填写本月累计完成数")),
    Case("form", "spaces", form("   "), Refused("请填写本月累计完成数")),
    Case("form", "ideographic space", form("\u3000"), Refused("请填写本月累计完成数")),
    Case("form", "a unit after the number", form("12人次"), Refused(NOT_A_NUMBER)),
    Case("form", "ratio with a huge numerator", form("99999999999999999999/10", "3.1.3"), Refused(TOO_BIG)),
    Case("form", "script in 进展情况", form(progress_text=SCRIPT), Stored({"progress_text": SCRIPT}, (SCRIPT,))),
    Case("form", "HTML in 存在问题", form(problems_text=IMG), Stored({"problems_text": IMG}, (IMG,))),
    Case("form", "4,000 characters", form(progress_text="进" * 4000), Stored({"progress_text": "进" * 4000})),
    Case("form", "4,001 characters", form(progress_text="进" * 4001), Refused("不超过 4000 字符")),
    Case("form", "2,001 characters of 情况说明", form(explanation="说" * 2001), Refused("不超过 2000 字符")),
    Case("form", "control characters in text", form(progress_text="进\x00展\x07"), Stored({"progress_text": "进展"})),
    # The Excel import (湖滨区政府's June template, imported and submitted).
    Case("excel", "float 1e30", workbook(cell("value", 1e30)), Refused(TOO_BIG)),
    Case("excel", "float 1e-30", workbook(cell("value", 1e-30)), Refused("最多保留 4 位小数")),
    Case("excel", "twenty nines", workbook(cell("value", 99999999999999999999)), Refused(TOO_BIG)),
    Case("excel", "NaN as text", workbook(cell("value", "NaN")), Refused(NOT_A_NUMBER)),
    Case("excel", "inf as text", workbook(cell("value", "inf")), Refused(NOT_A_NUMBER)),
    Case("excel", "full-width digits as text", workbook(cell("value", "１２３")), Stored({"value": Decimal(123)})),
    Case("excel", "thousands separators as text", workbook(cell("value", "12,345")), Stored({"value": Decimal(12345)})),
    Case("excel", "float noise 0.1+0.2", workbook(cell("value", 0.1 + 0.2)), Stored({"value": Decimal("0.3")})),
    Case("excel", "negative", workbook(cell("value", -5)), Refused("不能为负数")),
    Case("excel", "TRUE", workbook(cell("value", True)), Refused("请输入数字")),
    Case("excel", "a date", workbook(cell("value", dt.datetime(2022, 6, 30))), Refused(NOT_A_NUMBER)),
    Case("excel", "only spaces", workbook(cell("value", "   ")), Refused("文件中没有新的数据，未作改动")),
    Case(
        "excel",
        "script in 进展情况",
        workbook(cell("value", 5), cell("progress_text", SCRIPT)),
        Stored({"value": Decimal(5), "progress_text": SCRIPT}, (SCRIPT,)),
    ),
    Case(
        "excel",
        "a formula typed as text",
        workbook(cell("value", 5), cell("progress_text", '=HYPERLINK("http://x.example","点我")')),
        Stored({"progress_text": '=HYPERLINK("http://x.example","点我")'}),
    ),
    Case("excel", "4,001 characters", workbook(cell("progress_text", "进" * 4001)), Refused("最多 4000 字，现有 4001 字")),
    Case("excel", "formula with its saved result", cached_formula("SUM(60,40)", "100"), Stored({"value": Decimal(100)})),
    Case("excel", "formula without a result", workbook(formula("=SUM(60,40)")), Refused("是公式，但文件里没有它的计算结果")),
    Case(
        "excel",
        "formula without a result in a column not imported",
        workbook(cell("value", 5), formula("=F5*2", key="city_target")),
        Stored({"value": Decimal(5)}),
    ),
    Case("excel", "formula whose result is an error", cached_formula("1/0", "#DIV/0!", "e"), Refused(NOT_A_NUMBER)),
    Case("excel", "the 月报 sheet hidden", workbook(hide_main_sheet), Refused("工作表被隐藏了")),
    Case("excel", "another hidden sheet", workbook(cell("value", 5), hidden_notes), Stored({"value": Decimal(5)})),
    Case("excel", "merged cells", workbook(merge_values), Refused("合并单元格")),
    Case("excel", "compressed-size bomb", zip_bomb, Refused("文件解压后过大")),
    Case("excel", "entity bomb", xml_patch(workbook(cell("value", 5)), SHEET, entity_bomb), Refused("无法读取该 Excel 文件")),
    Case("excel", "a cell in row 1,048,576", xml_patch(workbook(), SHEET, last_row), Refused("工作表超过 5000 行")),
    Case(
        "excel",
        "a sheet claiming 1,048,576 rows of 16,384 columns",
        xml_patch(xml_patch(workbook(), SHEET, last_row), SHEET, claimed_size("A1:XFD1048576")),
        Refused("工作表超过 5000 行"),
    ),
    Case(
        "excel",
        "a sheet claiming fewer rows than it has",
        xml_patch(workbook(cell("value", 5)), SHEET, claimed_size("A1:B2")),
        Stored({"value": Decimal(5)}),
    ),
    Case("excel", "another unit's template", workbook(cell("value", 5), who="shanzhou"), Refused("这是“陕州区政府”的月报模板")),
    Case("excel", "another month's template", workbook(cell("value", 5), month=MAY), Refused("这是2022年5月的月报模板")),
    Case("excel", "a PNG named .xlsx", fixed(PNG), Refused(NOT_XLSX)),
    Case("excel", "an old .xls", fixed(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512), Refused("旧版 Excel（.xls）")),
    Case("excel", "a CSV named .xlsx", fixed("指标编号,本月累计完成\n1.1.1,100\n".encode()), Refused(NOT_XLSX)),
    Case("excel", "a Word file named .xlsx", word_file, Refused("这是 Word 文件")),
    Case("excel", "an empty file", fixed(b""), Refused("提交的是空文件")),
    # Evidence (on 湖滨区政府's figure of 1.1.1, sent and not yet reviewed).
    Case("evidence", "an xlsx named .png", ("现场.png", workbook()), Refused(NOT_EVIDENCE)),
    Case("evidence", "an SVG with a script", ("现场.png", fixed(SVG)), Refused(NOT_EVIDENCE)),
    Case("evidence", "HTML named .jpg", ("现场.jpg", fixed(b"<html>" + SCRIPT.encode())), Refused(NOT_EVIDENCE)),
    Case("evidence", "an empty file", ("现场.png", fixed(b"")), Refused("提交的是空文件")),
    Case("evidence", "a PDF header, then HTML, named .pdf.html",
         ("report.pdf.html", fixed(b"%PDF-1.4\n<html>" + SCRIPT.encode())), Refused("扩展名与内容不符")),
    Case("evidence", "a PDF that runs a script on opening", ("通知.pdf", lambda ctx: pdf(open_action="JavaScript")),
         Refused("含有会自动运行的内容")),
    Case("evidence", "a PDF that launches a program", ("通知.pdf", lambda ctx: pdf(launch=True)),
         Refused("含有会自动运行的内容")),
    Case("evidence", "a right-to-left override in the name", ("gnp.\u202eexe.png", fixed(PNG)),
         Refused("带有两个扩展名")),
    Case("evidence", "HTML in the file name", (f"{IMG}.png", fixed(PNG)), Stored(shown=(f"{IMG}.png",))),
    # Django keeps what follows the last / or \\ of a file name: a name cannot close a tag.
    Case("evidence", "an attribute break in a JPEG's name", (SVG_NAME, fixed(JPEG)), Stored(shown=(SVG_NAME,))),
    # The plan loader (`manage.py load_plan`, the office's file of the 2022 plan with one change).
    Case("plan", "target 1e30", plan_file(raw="1e30"), Refused("过大（整数部分最多 14 位）")),
    Case("plan", "target 1e-30", plan_file(raw="1e-30"), Refused("小数超过 4 位")),
    Case("plan", "target twenty nines", plan_file(raw="99999999999999999999"), Refused("过大")),
    Case("plan", "target NaN", plan_file(raw="NaN"), Refused("NaN 不是数字")),
    Case("plan", "target Infinity", plan_file(raw="Infinity"), Refused("Infinity 不是数字")),
    Case("plan", "target in full-width digits", plan_file(raw='"６００００"'), Refused("应为数字或null")),
    Case("plan", "target with separators", plan_file(raw='"60,000"'), Refused("应为数字或null")),
    Case("plan", "negative target", plan_file(raw="-60000"), Refused("目标值不能为负数")),
    Case("plan", "empty target", plan_file(raw='""'), Refused("应为数字或null")),
    Case("plan", "indicator name of 201 characters", plan_file(indicator_name("训" * 201)), Refused("过长")),
    Case("plan", "script in a task's text", plan_file(task_text(SCRIPT)), Stored({"text": SCRIPT}, (SCRIPT,))),
    Case("plan", "20,000 characters of task text", plan_file(task_text("任" * 20000)), Stored({"text": "任" * 20000})),
    Case("plan", "a PNG", fixed(PNG), Refused("文件不是 UTF-8 编码的文本")),
    Case("plan", "empty", fixed(b""), Refused("JSON 格式错误")),
    Case("plan", "nested ten thousand deep", fixed(b"[" * 10000), Refused("嵌套层次过深")),
    # Addresses and query strings (as the office, who sees every page, or as the county).
    Case("query", "review list: NUL in the filters", "/review/?unit=%00&status=%00&month=%00", Answered(200)),
    Case("query", "review list: script as the sort", f"/review/?sort={SCRIPT}", Answered(200, SCRIPT)),
    Case("query", "overview: a month and plan of words", f"/dashboards/?month={SCRIPT}&plan=abc", Answered(200, SCRIPT)),
    Case("query", "lagging: bad filters and export", f"/dashboards/lagging/?_export={IMG}&unit=%00&light=x", Answered(200, IMG)),
    Case("query", "missing: a page far away", "/dashboards/missing/?page=99999", Answered(200)),
    Case("query", "a unit's month: script as the unit", f"/report/2022-06/?unit={SCRIPT}", Answered(404)),
    Case("query", "report index: NUL as the month", "/report/?month=%00", Answered(302)),
    Case("query", "inbox: script as the page", f"/inbox/?page={SCRIPT}", Answered(200, SCRIPT)),
    Case("query", "an id past 64 bits", "/submissions/99999999999999999999/", Answered(404)),
    Case("query", "an indicator id past 64 bits", ("hubin", "/report/2022-06/indicator/99999999999999999999/"), Answered(404)),
    Case("query", "the year 1 in the address", "/report/0001-01/", Answered(404)),
    Case("query", "the year 9999 in the address", ("hubin", "/report/9999-12/excel/"), Answered(404)),
    Case("query", "the year 1 in the month selector", ("hubin", "/report/?month=0001-01"), Answered(302)),
]  # fmt: skip


# --- running a case -----------------------------------------------------------------------------


def db_state(private_media: Path) -> dict:
    """Everything a bad input must leave untouched."""
    catalogue = [Plan, Project, Task, Indicator, Unit, Assignment]
    return {
        "submissions": list(Submission.objects.order_by("pk").values()),
        "history": Submission.history.count(),
        "evidence": list(Evidence.objects.order_by("pk").values()),
        "catalogue": [list(model.objects.order_by("pk").values()) for model in catalogue],
        "files": sorted(str(p) for p in private_media.rglob("*")) if private_media.exists() else [],
    }


def send_form(ctx: Ctx, payload: dict) -> str:
    data = dict(payload)
    code = data.pop("code")
    response = ctx.client.post(
        reverse("report_edit", args=[JUNE, indicator(code).pk]), {"version": 0, "action": "submit", **data}
    )
    return response.content.decode()


def send_excel(ctx: Ctx, build: Callable[[Ctx], bytes]) -> str:
    data = build(ctx)
    response = ctx.client.post(
        reverse("report_import", args=[JUNE]),
        {"file": SimpleUploadedFile("月报.xlsx", data), "submit": "on"},
        follow=True,
    )
    return response.content.decode()


def send_evidence(ctx: Ctx, payload: tuple[str, Callable[[Ctx], bytes]]) -> str:
    name, build = payload
    sent = Submission.objects.get(indicator__code="1.1.1", unit__name="湖滨区政府", month=JUNE)
    upload = SimpleUploadedFile(name, build(ctx), content_type="image/png")
    response = ctx.client.post(reverse("evidence_upload", args=[sent.pk]), {"file": upload}, follow=True)
    return response.content.decode()


def send_plan(ctx: Ctx, build: Callable[[], bytes]) -> str:
    path = ctx.tmp_path / "plan.json"
    path.write_bytes(build())
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("load_plan", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return f"{err.getvalue()}\n{exc}"
    return out.getvalue()


DOORS = {"form": send_form, "excel": send_excel, "evidence": send_evidence, "plan": send_plan}


def pages_showing(ctx: Ctx, case: Case) -> list[str]:
    """The pages where what was stored is shown: the submission (to its unit) and the indicator's
    dashboard (to the office), or, for the plan, the task's dashboard."""
    if case.door == "plan":
        ctx.client.force_login(ctx.users["office"])
        task = Task.objects.get(project__number=1, number=1)
        return [ctx.client.get(reverse("task_detail", args=[task.pk])).content.decode()]
    submission = Submission.objects.get(indicator__code="1.1.1", unit__name="湖滨区政府", month=JUNE)
    own = ctx.client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
    ctx.client.force_login(ctx.users["office"])
    dashboard = ctx.client.get(reverse("indicator_detail", args=[submission.indicator_id]), {"month": "2022-06"})
    return [own, dashboard.content.decode()]


def assert_escaped(page: str, text: str) -> None:
    from django.utils.html import escape

    assert escape(text) in page, f"{text!r} is not shown escaped"
    for tag in re.findall(r"<(?:script|img|svg)[^>]*>", text):
        assert tag not in page, f"live tag {tag!r} in the page"


@pytest.fixture
def ctx(client, clock, hubin, shanzhou, office, private_media, tmp_path) -> Ctx:
    client.force_login(hubin)
    return Ctx(client=client, users={"hubin": hubin, "shanzhou": shanzhou, "office": office}, tmp_path=tmp_path)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.door}: {c.name}" for c in CASES])
def test_bad_input(ctx, private_media, case):
    if case.door == "query":
        who, url = case.payload if isinstance(case.payload, tuple) else ("office", case.payload)
        ctx.client.force_login(ctx.users[who])
        response = ctx.client.get(url)
        assert response.status_code == case.outcome.status
        if case.outcome.hostile:
            assert case.outcome.hostile not in response.content.decode(), "echoed unescaped"
        return

    if case.door == "evidence":
        # The figure the evidence is for (sent, so that the dashboards show its evidence too).
        submission_save(
            user=ctx.users["hubin"], indicator_id=indicator("1.1.1").pk, month=JUNE,
            figure=FigureInput(value=Decimal(1)), version=0, submit=True,
        )  # fmt: skip
    before = db_state(private_media)
    answer = DOORS[case.door](ctx, case.payload)

    if isinstance(case.outcome, Refused):
        assert case.outcome.message in answer, f"no “{case.outcome.message}” in the answer"
        assert db_state(private_media) == before, "a refused input changed the database"
        return

    assert db_state(private_media) != before, "an accepted input stored nothing"
    if case.door == "plan":
        task = Task.objects.get(project__number=1, number=1)
        assert {k: getattr(task, k) for k in case.outcome.fields} == case.outcome.fields
    else:
        stored = Submission.objects.get(indicator__code="1.1.1", unit__name="湖滨区政府", month=JUNE)
        assert {k: getattr(stored, k) for k in case.outcome.fields} == case.outcome.fields
    if case.door == "evidence":
        assert Evidence.objects.filter(original_name=case.payload[0]).exists()
    if case.outcome.shown:
        for page in pages_showing(ctx, case):
            for text in case.outcome.shown:
                assert_escaped(page, text)
