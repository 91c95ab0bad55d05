"""Excel: the month template a unit downloads, fills in and uploads, and the review list export.

A template carries its identity (unit and month) in a hidden sheet, and each row the version of the
figure it was made from, so that another unit's or month's file is refused and a file filled in
from an old copy never overwrites newer figures. An upload is all or nothing: one transaction,
and a list of every row's problems when anything is wrong.

Uploaded files are checked before openpyxl sees them: by content (a zip holding a workbook), by
size, and by the uncompressed sizes declared in the zip (Python's zipfile never inflates a member
beyond its declared size, so the declared sizes bound the work). defusedxml, installed beside
openpyxl, guards the XML itself.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from projects import calendar, clock, permissions
from projects.audit.actions import AuditAction
from projects.audit.services import audit_record, audit_refusals
from projects.exports import FORMULA_STARTS
from projects.models import IndicatorKind, Plan, RateBasis, Submission, SubmissionStatus, Unit, User
from projects.selectors import reporting as sel
from projects.services import handoffs
from projects.services.reporting import (
    REASON_IMPORT_DRAFT,
    REASON_IMPORT_SUBMIT,
    Conflict,
    FigureInput,
    Locked,
    ReportingError,
    fields_for,
    figure_store,
    number_parse,
)

logger = logging.getLogger(__name__)

TEMPLATE_FORMAT = "livelihood-tracker/monthly-report/1"
MAIN_SHEET = "月报"
META_SHEET = "_meta"
XLSX_MAX_UNCOMPRESSED = 64 * 1024 * 1024
XLSX_MAX_MEMBERS = 2000
XLSX_MAX_ROWS = 1000
# Rows and columns read at most: a sheet can claim a million rows of 16,384 columns in a few
# bytes (its <dimension>), and reading that would take minutes; the template has a few dozen rows.
XLSX_MAX_ROW_NUMBER = 5000
XLSX_MAX_COLUMN = 40
MERGE_CELL_TAG = f"{{{SHEET_MAIN_NS}}}mergeCell"

YES = {"是", "y", "yes", "true", "1", "√", "✓", "确认"}
NO = {"", "否", "n", "no", "false", "0"}

INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
LOCKED_FILL = PatternFill("solid", fgColor="E9ECEF")
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    is_input: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("code", "指标编号", 10),
    Column("task", "主要任务", 9),
    Column("name", "指标名称", 34),
    Column("uom", "计量单位", 9),
    Column("how", "填报方式", 14),
    Column("city_target", "全市目标", 11),
    Column("unit_target", "本单位目标", 11),
    Column("previous", "上月累计", 18),
    Column("value", "本月累计完成", 14, True),
    Column("numerator", "分子", 11, True),
    Column("denominator", "分母", 11, True),
    Column("stage", "节点阶段", 14, True),
    Column("progress_text", "进展情况", 36, True),
    Column("problems_text", "存在问题", 26, True),
    Column("next_steps_text", "下步打算", 26, True),
    Column("explanation", "情况说明", 26, True),
    Column("overshoot_confirmed", "确认超目标（填“是”）", 12, True),
    Column("status", "当前状态", 12),
    Column("version", "版本（勿改）", 6),
)
COLUMN_INDEX = {c.key: i + 1 for i, c in enumerate(COLUMNS)}
HEADER_ROW = 3
FIELD_LABELS = {c.key: c.header for c in COLUMNS}


# --- safe cells -----------------------------------------------------------------------------


def text_cell(ws: Worksheet, row: int, column: int, text: Any) -> Cell:
    """Write text as text: never a formula, whatever the user typed.

    openpyxl turns a string that starts with "=" into a formula; here every string is stored as a
    string, and text a spreadsheet would read as a formula gets Excel's own escape (the quote
    prefix, as when one types '=1+1), so that editing the cell keeps it text."""
    cell = ws.cell(row=row, column=column)
    if text is None:
        return cell
    text = ILLEGAL_CHARACTERS_RE.sub("", str(text))
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def _number_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    cell = ws.cell(row=row, column=column)
    if value is not None:
        cell.value = float(value) if value != value.to_integral_value() else int(value)
    return cell


def _workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- the template ---------------------------------------------------------------------------


def _how(indicator) -> str:
    if indicator.kind == IndicatorKind.QUALITATIVE:
        return _("选择工作阶段，填进展情况") + (_("，可填参考数值") if indicator.figure_unit else "")
    if indicator.kind == IndicatorKind.MILESTONE:
        return _("选择节点阶段")
    if indicator.kind == IndicatorKind.GROWTH:
        return _("填累计增速（可为负数）")
    if indicator.kind == IndicatorKind.RATE and indicator.rate_basis == RateBasis.RATIO:
        return _("填分子、分母")
    if indicator.kind == IndicatorKind.RATE:
        return _("填比率（%）")
    return _("填累计数")


class PlanNeeded(ReportingError):
    """A unit that reports in several plans in a month gets one template per plan: which one?"""

    def __init__(self, plans: Sequence[Plan]) -> None:
        super().__init__(
            _("本单位本月在 %(n)s 个方案中填报，每个方案一份模板，请选择要下载的方案：%(plans)s")
            % {"n": len(plans), "plans": "；".join(plan_label(p) for p in plans)}
        )
        self.plans = list(plans)


def plan_label(plan: Plan) -> str:
    """A plan as a template and its messages name it: 重点民生实事 · 2022年… （三政办〔2022〕6号）."""
    return f"{plan.get_kind_display()} · {plan.title}（{plan.document}）"


def template_filename(*, unit: Unit, month: dt.date, plan: Plan) -> tuple[str, str]:
    """(name, ASCII fallback) a template is downloaded under: it names the unit, plan and month."""
    document = plan.document.replace("/", "-").replace("\\", "-")
    return (
        f"月报-{unit.name}-{plan.get_kind_display()}-{document}-{month:%Y-%m}.xlsx",
        f"report-{month:%Y-%m}-plan{plan.pk}.xlsx",
    )


def template_build(*, unit: Unit, month: dt.date, today: dt.date | None = None, plan: Plan | None = None) -> bytes:
    """The month's template of one plan for a unit (``template_for``)."""
    return template_for(unit=unit, month=month, today=today, plan=plan)[1]


def template_for(
    *, unit: Unit, month: dt.date, today: dt.date | None = None, plan: Plan | None = None
) -> tuple[Plan | None, bytes]:
    """The month's template of one plan for a unit, and that plan: the plan's indicators, targets,
    last figures, and what the unit has entered so far (a draft downloaded again comes back
    filled). Without ``plan``, the unit's only plan of the month; ``PlanNeeded`` when it reports in
    several, ``Plan.DoesNotExist`` when ``plan`` is not one it reports in that month."""
    today = today or clock.today()
    page = sel.month_page(unit=unit, month=month, today=today)
    plans = page.plans
    if plan is None:
        if len(plans) > 1:
            raise PlanNeeded(plans)
        plan = plans[0] if plans else None
    elif plan not in plans:
        raise Plan.DoesNotExist(f"{unit} reports in no indicator of plan {plan.pk} in {month:%Y-%m}")
    if plan is not None:
        page = page.of_plan(plan)
    wb = Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    title = _("%(month)s %(kind)s月报 · %(unit)s") % {
        "month": calendar.month_label(month),
        "kind": plan.get_kind_display() if plan else _("重点民生实事"),
        "unit": unit.name,
    }
    if plan is not None:
        title += f" · {plan.title}（{plan.document}）"
    text_cell(ws, 1, 1, title).font = Font(bold=True, size=14)
    text_cell(
        ws,
        2,
        1,
        _(
            "填写黄色单元格：数量、金额填自年初以来的累计数；比率填分子和分母（或比率值）；节点从下拉列表选择阶段。"
            "灰色行已锁定，不会导入。请勿修改指标编号和版本列，不要增删行。"
        ),
    ).alignment = Alignment(wrap_text=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS) - 1)
    ws.row_dimensions[2].height = 32
    for column in COLUMNS:
        cell = text_cell(ws, HEADER_ROW, COLUMN_INDEX[column.key], column.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(COLUMN_INDEX[column.key])].width = column.width
    ws.column_dimensions[get_column_letter(COLUMN_INDEX["version"])].hidden = True
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=COLUMN_INDEX["value"])

    yes_no = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    ws.add_data_validation(yes_no)
    for offset, report_row in enumerate(page.rows):
        _template_row(ws, HEADER_ROW + 1 + offset, report_row, yes_no)

    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for i, (key, value) in enumerate(
        [
            ("format", TEMPLATE_FORMAT),
            ("unit", unit.name),
            ("month", f"{month:%Y-%m}"),
            ("generated_at", clock.now().replace(microsecond=0).isoformat()),
            # The plan the rows belong to (codes such as 5.1.1 recur across plans): an upload
            # is read against this plan's indicators only.
            *_plan_meta(plan),
        ],
        start=1,
    ):
        text_cell(meta, i, 1, key)
        text_cell(meta, i, 2, value)
    return plan, _workbook_bytes(wb)


def _plan_meta(plan: Plan | None) -> list[tuple[str, str]]:
    if plan is None:
        return []
    return [
        ("plan_id", str(plan.pk)),
        ("plan_year", str(plan.year)),
        ("plan_document", plan.document),
        ("plan_kind", plan.kind),
        ("plan_title", plan.title),
    ]


def _template_row(ws: Worksheet, r: int, row: sel.ReportRow, yes_no: DataValidation) -> None:
    indicator = row.indicator
    sub = row.submission
    col = COLUMN_INDEX
    text_cell(ws, r, col["code"], indicator.code)
    text_cell(ws, r, col["task"], indicator.task.code)
    text_cell(ws, r, col["name"], indicator.name)
    text_cell(ws, r, col["uom"], indicator.unit_of_measure)
    text_cell(ws, r, col["how"], _how(indicator))
    _number_cell(ws, r, col["city_target"], indicator.target)
    _number_cell(ws, r, col["unit_target"], row.target)
    text_cell(ws, r, col["previous"], row.previous_text)
    text_cell(ws, r, col["status"], row.lock or (sub.get_status_display() if sub else _("未填报")))
    ws.cell(row=r, column=col["version"]).value = sub.version if sub else 0
    wanted = fields_for(indicator)
    if sub is not None:
        for name in ("value", "numerator", "denominator"):
            _number_cell(ws, r, col[name], getattr(sub, name))
        if sub.stage is not None:
            text_cell(ws, r, col["stage"], sel.stage_label(indicator, sub.stage))
        for name in ("progress_text", "problems_text", "next_steps_text", "explanation"):
            text_cell(ws, r, col[name], getattr(sub, name))
        if sub.overshoot_confirmed:
            text_cell(ws, r, col["overshoot_confirmed"], "是")
    if "stage" in wanted:
        labels = ",".join(s.label.replace(",", "，") for s in indicator.stage_list)
        stages = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
        ws.add_data_validation(stages)
        stages.add(ws.cell(row=r, column=col["stage"]))
    yes_no.add(ws.cell(row=r, column=col["overshoot_confirmed"]))
    for column in COLUMNS:
        cell = ws.cell(row=r, column=col[column.key])
        if row.lock:
            cell.fill = LOCKED_FILL
        elif column.is_input and (
            column.key not in ("value", "numerator", "denominator", "stage") or column.key in wanted
        ):
            cell.fill = INPUT_FILL
        elif column.is_input:
            cell.fill = LOCKED_FILL
        cell.alignment = Alignment(wrap_text=column.key in ("name", "progress_text", "problems_text"), vertical="top")


# --- reading an upload ----------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    indicator: str
    message: str


class ImportRejected(ReportingError):
    """The file or some of its rows are wrong; nothing was saved."""

    def __init__(self, message: str, rows: Sequence[RowError] = ()) -> None:
        super().__init__(message)
        self.rows = list(rows)


@dataclass
class ImportResult:
    saved: list[str] = field(default_factory=list)
    unchanged: int = 0
    plan: Plan | None = None  # the plan the template named, whose rows were read


def xlsx_check(data: bytes) -> None:
    """Refuse what is not a modest .xlsx workbook, before any XML is parsed."""
    limit = settings.UPLOAD_XLSX_MAX_BYTES
    if len(data) > limit:
        raise ImportRejected(_("文件超过 %(limit)s 的上限") % {"limit": filesizeformat(limit)})
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRejected(_("这是旧版 Excel（.xls）文件或加密的文件，请在 Excel/WPS 中“另存为” .xlsx 格式后再上传"))
    if data[:4] != b"PK\x03\x04":
        raise ImportRejected(_("上传的文件不是 Excel（.xlsx）文件，请上传从本系统下载的模板"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportRejected(_("文件已损坏，无法读取，请重新保存后上传")) from exc
    if len(members) > XLSX_MAX_MEMBERS or sum(m.file_size for m in members) > XLSX_MAX_UNCOMPRESSED:
        raise ImportRejected(_("文件解压后过大，不像是月报模板，已拒绝"))
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        if "word/document.xml" in names:
            raise ImportRejected(_("这是 Word 文件，请上传 Excel（.xlsx）月报模板"))
        if "content.xml" in names:
            raise ImportRejected(_("这是 ODS 等其他格式的表格，请“另存为” .xlsx 格式后再上传"))
        raise ImportRejected(_("上传的文件不是 Excel（.xlsx）文件，请上传从本系统下载的模板"))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value).strip()


def _read_meta(wb) -> dict[str, str]:
    if META_SHEET not in wb.sheetnames:
        return {}
    return {
        _cell_text(row[0]): _cell_text(row[1])
        for row in wb[META_SHEET].iter_rows(min_row=1, max_row=20, max_col=2, values_only=True)
        if row and row[0] is not None and len(row) > 1
    }


def _check_identity(meta: dict[str, str], unit: Unit, month: dt.date) -> None:
    if meta.get("format") != TEMPLATE_FORMAT:
        raise ImportRejected(_("这不是本系统下载的月报模板（找不到模板标识），请先在本页下载模板，填写后再上传"))
    if meta.get("unit") != unit.name:
        raise ImportRejected(
            _("这是“%(other)s”的月报模板，不能导入“%(unit)s”的月报。请下载本单位的模板。")
            % {"other": meta.get("unit") or "?", "unit": unit.name}
        )
    if meta.get("month") != f"{month:%Y-%m}":
        try:
            other = calendar.month_label(calendar.parse_month(meta.get("month", "")))
        except ValueError:
            other = meta.get("month") or "?"
        raise ImportRejected(
            _("这是%(other)s的月报模板，当前导入的是%(month)s。请下载%(month)s的模板。")
            % {"other": other, "month": calendar.month_label(month)}
        )


def _plan_of_file(
    meta: dict[str, str], *, plans: list[Plan], expected: Plan | None, month: dt.date
) -> Plan | None:
    """The plan whose rows a template holds, among the ``plans`` the unit reports in that month.

    A template names its plan (year and document); one of another plan, or of a plan the unit does
    not report in, is refused. A template made before templates named their plan is read against
    the unit's only plan, or the one the caller names."""
    document, year = meta.get("plan_document"), meta.get("plan_year")
    if not document:
        if expected is not None or len(plans) < 2:
            return expected or next(iter(plans), None)
        raise ImportRejected(
            _(
                "这份模板没有注明所属方案（旧版模板），而本单位%(month)s在 %(n)s 个方案中填报：%(plans)s。"
                "请在本页重新下载对应方案的模板。"
            )
            % {"month": calendar.month_label(month), "n": len(plans), "plans": "；".join(plan_label(p) for p in plans)}
        )
    found = next((p for p in plans if p.document == document and str(p.year) == year), None)
    named = f"{meta.get('plan_title') or document}（{document}，{year or '?'}年）"
    if found is None:
        raise ImportRejected(
            _("这是“%(other)s”的月报模板，本单位%(month)s不在该方案中填报，不能导入。请在本页下载本单位所填方案的模板。")
            % {"other": named, "month": calendar.month_label(month)}
        )
    if expected is not None and found != expected:
        raise ImportRejected(
            _("这是“%(other)s”的月报模板，当前导入的是“%(plan)s”。请下载“%(plan)s”的模板。")
            % {"other": plan_label(found), "plan": plan_label(expected)}
        )
    return found


@dataclass
class _Row:
    number: int
    code: str
    cells: dict[str, Any]


class _NoCachedValue:
    """A formula cell whose file holds no computed result (written by a program, never opened and
    saved in Excel, WPS or LibreOffice): its value is unknown, and is refused, never read as empty."""

    def __str__(self) -> str:
        return "="


NO_CACHED_VALUE = _NoCachedValue()


def _main_sheet(wb):
    if MAIN_SHEET not in wb.sheetnames:
        raise ImportRejected(_("找不到“%(sheet)s”工作表，请不要改名或删除") % {"sheet": MAIN_SHEET})
    ws = wb[MAIN_SHEET]
    if ws.sheet_state != "visible":
        # A copy of the sheet is what the user sees and edits; the hidden original would be imported.
        raise ImportRejected(
            _("“%(sheet)s”工作表被隐藏了。请在 Excel/WPS 中取消隐藏，确认其中是要报送的数据后再上传")
            % {"sheet": MAIN_SHEET}
        )
    return ws


def _merged_in_rows(ws) -> list[str]:
    """Merged ranges below the header. openpyxl's read-only sheets do not expose them, so the
    sheet's XML is read for its <mergeCell> elements (with openpyxl's guarded XML parser)."""
    refs = []
    with ws._get_source() as source:
        for _event, element in iterparse(source):
            if element.tag == MERGE_CELL_TAG:
                refs.append(element.get("ref", ""))
            element.clear()
    return [ref for ref in refs if ref and CellRange(ref).max_row > HEADER_ROW]


def _formula_cells(ws) -> set[tuple[int, int]]:
    """(row, column) of the formula cells of a sheet opened with ``data_only=False``."""
    found = set()
    ws.reset_dimensions()
    for row in ws.iter_rows(max_row=XLSX_MAX_ROW_NUMBER, max_col=XLSX_MAX_COLUMN):
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                found.add((cell.row, cell.column))
    return found


def _header(texts: list[str]) -> dict[str, int]:
    """Column positions by key, from the header row; every input column must be there."""
    by_header = {c.header: c.key for c in COLUMNS}
    header = {by_header[t]: i for i, t in enumerate(texts) if t in by_header}
    missing = [c.header for c in COLUMNS if c.is_input and c.key not in header]
    missing += [FIELD_LABELS["version"]] if "version" not in header else []
    if missing:
        raise ImportRejected(_("模板缺少以下列：%(cols)s，请不要删除列") % {"cols": "、".join(missing)})
    return header


def _read_rows(ws, formulas: set[tuple[int, int]]) -> list[_Row]:
    header: dict[str, int] | None = None
    rows: list[_Row] = []
    # The sheet's <dimension> is what its writer claims: rows below it would be skipped, so it is
    # not trusted, and the rows and columns read are bounded instead.
    ws.reset_dimensions()
    values_by_row = ws.iter_rows(max_col=XLSX_MAX_COLUMN, values_only=True)
    for number_, values in enumerate(values_by_row, start=1):
        if number_ > XLSX_MAX_ROW_NUMBER:
            raise ImportRejected(
                _("工作表超过 %(n)s 行，不像是月报模板，请使用本系统下载的模板") % {"n": XLSX_MAX_ROW_NUMBER}
            )
        if header is None:
            texts = [_cell_text(v) for v in values]
            if texts and texts[0] == FIELD_LABELS["code"]:
                header = _header(texts)
            elif number_ > 10:
                break
            continue
        cells = {
            key: NO_CACHED_VALUE if values[i] is None and (number_, i + 1) in formulas else values[i]
            for key, i in header.items()
            if i < len(values)
        }
        code = _cell_text(cells.get("code"))
        if code or any(_cell_text(cells.get(c.key)) for c in COLUMNS if c.is_input):
            rows.append(_Row(number_, code, cells))
        if len(rows) > XLSX_MAX_ROWS:
            raise ImportRejected(_("行数过多，不像是月报模板"))
    if header is None:
        raise ImportRejected(_("找不到表头（第一列为“指标编号”的行），请使用本系统下载的模板"))
    return rows


def _unreadable() -> str:
    return _("无法读取该 Excel 文件，请用 Excel、WPS 或 LibreOffice 重新保存为 .xlsx 后上传")


def _read_upload(data: bytes, *, unit: Unit, month: dt.date) -> tuple[dict[str, str], list[_Row]]:
    """The identity and rows of an uploaded template, once its identity (unit and month), its main
    sheet and its cells are checked.

    Figures are read as the spreadsheet shows them: a formula counts with the result saved in the
    file (Excel, WPS and LibreOffice save it); a formula without a saved result is refused."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas_wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise ImportRejected(_unreadable()) from exc
    try:
        meta = _read_meta(wb)
        _check_identity(meta, unit, month)
        ws = _main_sheet(wb)
        merged = _merged_in_rows(ws)
        if merged:
            raise ImportRejected(
                _("表格中有合并单元格（%(ranges)s）。合并后只有左上角的单元格保留内容，请取消合并后再上传")
                % {"ranges": "、".join(merged[:5])}
            )
        return meta, _read_rows(ws, _formula_cells(_main_sheet(formulas_wb)))
    except ImportRejected:
        raise
    except Exception as exc:  # XML broken beyond what openpyxl checks when it opens a file
        raise ImportRejected(_unreadable()) from exc
    finally:
        wb.close()
        formulas_wb.close()


def _figure_from(row: _Row, indicator, errors: list[RowError], label: str) -> FigureInput | None:
    figure = FigureInput()
    ok = True
    # Only what is imported matters: a formula in a column shown for reference is not read.
    unknown = [c.key for c in COLUMNS if c.is_input and row.cells.get(c.key) is NO_CACHED_VALUE]
    if unknown:
        errors.append(
            RowError(
                row.number,
                label,
                _(
                    "“%(column)s”是公式，但文件里没有它的计算结果。"
                    "请在 Excel 或 WPS 中打开、保存后再上传，或直接填写数值"
                )
                % {"column": "、".join(FIELD_LABELS[key] for key in unknown)},
            )
        )
        return None
    for name in ("value", "numerator", "denominator"):
        try:
            setattr(figure, name, number_parse(row.cells.get(name)))
        except ValidationError as exc:
            errors.append(RowError(row.number, label, f"{FIELD_LABELS[name]}：{exc.messages[0]}"))
            ok = False
    stage_text = _cell_text(row.cells.get("stage"))
    if stage_text:
        labels = [s.label for s in indicator.stage_list]
        if stage_text in labels:
            figure.stage = labels.index(stage_text)
        elif stage_text.isdigit() and int(stage_text) < len(labels):
            figure.stage = int(stage_text)
        else:
            errors.append(
                RowError(
                    row.number,
                    label,
                    _("节点阶段“%(text)s”不在列表中，可选：%(choices)s")
                    % {"text": stage_text, "choices": "、".join(labels)},
                )
            )
            ok = False
    for name in ("progress_text", "problems_text", "next_steps_text", "explanation"):
        setattr(figure, name, _cell_text(row.cells.get(name)))
    confirm = _cell_text(row.cells.get("overshoot_confirmed")).lower()
    if confirm in YES:
        figure.overshoot_confirmed = True
    elif confirm not in NO:
        errors.append(RowError(row.number, label, _("“确认超目标”一栏请填“是”或留空")))
        ok = False
    return figure if ok else None


def _version(row: _Row) -> int | None:
    try:
        value = number_parse(row.cells.get("version"))
    except ValidationError:
        return None
    return int(value) if value is not None and value == value.to_integral_value() and value >= 0 else None


@dataclass
class _Planned:
    row: _Row
    report: sel.ReportRow
    figure: FigureInput
    version: int
    label: str


def _plan_rows(rows: list[_Row], page: sel.MonthPage, submit: bool) -> tuple[list[_Planned], list[RowError]]:
    """The rows that change something, and the problems found in the file itself."""
    by_code = {r.indicator.code: r for r in page.rows}
    errors: list[RowError] = []
    seen: set[str] = set()
    planned: list[_Planned] = []
    for row in rows:
        report = by_code.get(row.code)
        if report is None:
            message = _("不是本单位%(month)s应报的指标") % {"month": calendar.month_label(page.month)}
            errors.append(RowError(row.number, row.code or "—", message))
            continue
        label = f"{report.indicator.code} {report.indicator.name}"
        if row.code in seen:
            errors.append(RowError(row.number, label, _("该指标出现了不止一次")))
            continue
        seen.add(row.code)
        figure = _figure_from(row, report.indicator, errors, label)
        if figure is None or figure.same_as(None):
            continue  # a row left empty says nothing: what is stored stays
        current = report.submission
        resend = (
            submit and current is not None and current.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
        )
        if figure.same_as(current) and not resend:
            continue
        version = _version(row)
        if version is None:
            errors.append(RowError(row.number, label, _("“版本”列被改动了，请重新下载模板")))
            continue
        planned.append(_Planned(row, report, figure, version, label))
    return planned, errors


def figures_import(
    *,
    actor: User | None,
    unit: Unit,
    month: dt.date,
    data: bytes,
    submit: bool,
    today: dt.date | None = None,
    plan: Plan | None = None,
) -> ImportResult:
    """Import a filled template for ``unit`` and ``month``: every row or none.

    ``actor`` must report for ``unit`` (None: a trusted command run on the server). A template
    holds one plan's rows and names that plan; only that plan's indicators are read and changed.
    With ``plan``, a template of another plan is refused. Raises ``ImportRejected`` with the
    problems of every row; then nothing was saved."""
    detail = {"month": month, "submit": submit, "bytes": len(data)}
    if plan is not None:
        detail["plan"] = plan.pk
    with audit_refusals(action=AuditAction.FIGURE_IMPORT, actor=actor, obj=unit, detail=detail):
        return _figures_import(actor=actor, unit=unit, month=month, data=data, submit=submit, today=today, plan=plan)


def _figures_import(
    *, actor, unit: Unit, month: dt.date, data: bytes, submit: bool, today, plan: Plan | None = None
) -> ImportResult:
    if actor is not None and permissions.acting_unit(actor) != unit:
        raise Unit.DoesNotExist("only the unit itself imports its figures")
    today = today or clock.today()
    xlsx_check(data)
    meta, rows = _read_upload(data, unit=unit, month=month)

    page = sel.month_page(unit=unit, month=month, today=today)
    plan = _plan_of_file(meta, plans=page.plans, expected=plan, month=month)
    if plan is not None:
        page = page.of_plan(plan)
    planned, errors = _plan_rows(rows, page, submit)
    try:
        result = _store_rows(
            planned, errors, actor=actor, unit=unit, month=month, submit=submit, today=today, plan=plan
        )
    except DatabaseError as exc:
        # The transaction is rolled back whole: nothing of the file is saved.
        logger.exception("import of %s %s failed in the database", unit, f"{month:%Y-%m}")
        raise ImportRejected(
            _("保存时数据库出错，未导入任何数据。请稍后重新上传；如仍出错，请联系市政府督查室")
        ) from exc
    if errors:
        errors.sort(key=lambda e: e.row)
        raise ImportRejected(_("共有 %(n)s 处问题，未导入任何数据，请修改后重新上传") % {"n": len(errors)}, errors)
    result.unchanged = len(rows) - len(result.saved)
    return result


@transaction.atomic
def _store_rows(
    planned: list[_Planned], errors: list[RowError], *, actor: User | None, unit: Unit, month: dt.date, submit: bool,
    today, plan: Plan | None,
) -> ImportResult:
    """Store every planned row in one transaction; any problem (``errors``) rolls all of it back."""
    result = ImportResult(plan=plan)
    stored = []
    for p in planned:
        row, label = p.row, p.label
        try:
            submission = figure_store(
                actor=actor,
                assignment=p.report.assignment,
                month=month,
                figure=p.figure,
                version=p.version,
                submit=submit,
                reason=REASON_IMPORT_SUBMIT if submit else REASON_IMPORT_DRAFT,
                today=today,
            )
        except (Locked, Conflict) as exc:
            errors.append(RowError(row.number, label, exc.message))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.extend(RowError(row.number, label, f"{FIELD_LABELS.get(name, name)}：{m}") for m in messages)
        else:
            result.saved.append(label)
            stored.append(submission)
    if errors:
        transaction.set_rollback(True)
    else:
        # One record for the whole file, last in its transaction (rows lock their indicators first).
        audit_record(
            action=AuditAction.FIGURE_IMPORT,
            actor=actor,
            obj=unit,
            detail={"month": month, "submit": submit, "saved": result.saved, "plan": plan.pk if plan else None},
        )
        if submit:
            handoffs.handoff_submitted(submissions=stored)
    return result


# --- exports --------------------------------------------------------------------------------

EXPORT_HEADERS = (
    "月份", "主要任务", "指标编号", "指标名称", "报送单位", "累计完成", "计量单位", "分子", "分母", "节点阶段",
    "状态", "逾期", "报送时间", "进展情况", "存在问题", "下步打算", "情况说明", "审核意见",
)  # fmt: skip
# Columns written as numbers (累计完成, 分子, 分母), so that a spreadsheet sums and sorts them.
NUMBER_COLUMNS = {6, 8, 9}


def _export_figure(s: Submission) -> Decimal | None:
    """The figure as a number in the indicator's unit: the value, or a ratio's level in % (two
    places, as the pages show it); None for a milestone (its stage has a column of its own); a
    qualitative task's figure for information, where it has one."""
    if s.indicator.kind == IndicatorKind.MILESTONE:
        return None
    if s.value is None and s.indicator.kind == IndicatorKind.RATE:
        return sel.rate_level(s.numerator, s.denominator)
    return s.value


def submissions_export(*, submissions: Iterable[Submission]) -> bytes:
    """A list of submissions as a workbook (the review list's download): figures are numbers, with
    the unit of measure in its own column."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("月报列表")
    for i, header in enumerate(EXPORT_HEADERS, start=1):
        text_cell(ws, 1, i, header).font = Font(bold=True)
    for r, s in enumerate(submissions, start=2):
        values = [
            calendar.month_key(s.month),
            s.indicator.task.code,
            s.indicator.code,
            s.indicator.name,
            s.unit.name,
            _export_figure(s),
            s.indicator.unit_of_measure,
            s.numerator,
            s.denominator,
            sel.stage_label(s.indicator, s.stage),
            s.get_status_display(),
            _("是") if s.late else "",
            timezone.localtime(s.submitted_at).strftime("%Y-%m-%d %H:%M") if s.submitted_at else "",
            s.progress_text,
            s.problems_text,
            s.next_steps_text,
            s.explanation,
            s.review_comment,
        ]
        for c, value in enumerate(values, start=1):
            if c in NUMBER_COLUMNS:
                _number_cell(ws, r, c, None if value is None else value.normalize())
            else:
                text_cell(ws, r, c, value)
    widths = (9, 9, 9, 34, 16, 12, 8, 10, 10, 10, 10, 6, 17, 40, 30, 30, 30, 30)
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    return _workbook_bytes(wb)
