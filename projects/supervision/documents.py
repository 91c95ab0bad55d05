"""The year-end close-out list (销号清单) of a plan, in Word and Excel: every target in plan order,
which are closed out (by whom, when), which are applied for and which are not yet. A Chinese
government document whatever the reader's language, in the bulletin's styles (projects/govdocs.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from io import BytesIO

from django.utils import timezone, translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from projects import calendar
from projects.formatting import deadline_words, figure
from projects.govdocs import XLSX_FONT, document_styles, page_setup, sheet, table
from projects.models import IndicatorKind, Plan
from projects.supervision import selectors as sel
from projects.supervision.states import CloseOutState

OFFICE = "市政府督查室"
ZH = "zh-hans"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_asked(value: str | None) -> Plan | None:
    """The plan a download asks for (``?plan=``), else the latest."""
    plans = Plan.objects.order_by("-year", "-pk")
    if value and value.isdigit():
        return plans.filter(pk=int(value)).first()
    return plans.first()


def filename(*, plan: Plan, fmt: str) -> str:
    return f"{plan.year}年重点民生实事销号清单.{fmt}"


def as_file(data: bytes) -> BytesIO:
    return BytesIO(data)


def _target(indicator) -> str:
    if indicator.kind == IndicatorKind.MILESTONE or indicator.target is None:
        return "节点"
    return f"{figure(indicator.target)}{indicator.unit_of_measure}"


def _day(value: datetime | None) -> str:
    return "" if value is None else calendar.day_label(timezone.localtime(value).date(), language=ZH)


def _split(rows: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
    closed = [r for r in rows if r["closeout"] and r["closeout"].state == CloseOutState.CLOSED_OUT]
    applied = [r for r in rows if r["closeout"] and r["closeout"].state == CloseOutState.APPLIED]
    others = [r for r in rows if not r["closeout"]]
    return closed, applied, others


def closeout_list_docx(*, plan: Plan, issued_on: date) -> bytes:
    """The close-out list as a Word document (.docx)."""
    with translation.override(ZH):
        rows = sel.closeout_list_rows(plan=plan)
        closed, applied, others = _split(rows)
        doc = Document()
        document_styles(doc)
        page_setup(doc)
        doc.core_properties.title = f"{plan.year}年重点民生实事销号清单"
        doc.core_properties.author = OFFICE
        doc.core_properties.created = datetime(issued_on.year, issued_on.month, issued_on.day, tzinfo=UTC)
        doc.add_paragraph(f"{plan.year}年重点民生实事销号清单", style="Title")
        doc.add_paragraph(f"（截至{calendar.day_label(issued_on, language=ZH)}）", style="副标题")
        doc.add_paragraph(
            f"《{plan.title}》（{plan.document}）共有目标任务{len(rows)}项。经牵头单位申请、{OFFICE}核查，"
            f"已销号{len(closed)}项，已申请待核查{len(applied)}项，尚未销号{len(others)}项。"
        )
        doc.add_heading("一、已销号事项", level=1)
        if closed:
            table(
                doc,
                ["序号", "编号", "目标任务", "目标", "牵头单位", "销号时间"],
                [
                    [
                        n,
                        r["indicator"].code,
                        r["indicator"].name,
                        _target(r["indicator"]),
                        r["closeout"].unit.name,
                        _day(r["closeout"].decided_at),
                    ]
                    for n, r in enumerate(closed, start=1)
                ],
                [12, 16, 50, 24, 30, 24],
                centred=(0, 1, 5),
            )
        else:
            doc.add_paragraph("暂无。")
        doc.add_heading("二、已申请待核查事项", level=1)
        if applied:
            table(
                doc,
                ["序号", "编号", "目标任务", "目标", "申请单位", "申请时间"],
                [
                    [
                        n,
                        r["indicator"].code,
                        r["indicator"].name,
                        _target(r["indicator"]),
                        r["closeout"].unit.name,
                        _day(r["closeout"].applied_at),
                    ]
                    for n, r in enumerate(applied, start=1)
                ],
                [12, 16, 50, 24, 30, 24],
                centred=(0, 1, 5),
            )
        else:
            doc.add_paragraph("暂无。")
        doc.add_heading("三、尚未销号事项", level=1)
        if others:
            table(
                doc,
                ["序号", "编号", "目标任务", "目标", "完成期限"],
                [
                    [
                        n,
                        r["indicator"].code,
                        r["indicator"].name,
                        _target(r["indicator"]),
                        deadline_words(text=r["indicator"].deadline_text, deadline=r["indicator"].deadline),
                    ]
                    for n, r in enumerate(others, start=1)
                ],
                [12, 16, 62, 26, 40],
                centred=(0, 1),
            )
        else:
            doc.add_paragraph("暂无。")
        signature = doc.add_paragraph(OFFICE)
        signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        dated = doc.add_paragraph(calendar.day_label(issued_on, language=ZH))
        dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        out = BytesIO()
        doc.save(out)
        return out.getvalue()


def closeout_list_xlsx(*, plan: Plan, issued_on: date) -> bytes:
    """The close-out list as an Excel workbook (.xlsx): every target, one row each."""
    with translation.override(ZH):
        rows = sel.closeout_list_rows(plan=plan)
        wb = Workbook()
        about = wb.active
        about.title = "说明"
        closed, applied, others = _split(rows)
        for key, value in (
            ("方案", f"{plan.title}（{plan.document}）"),
            ("截至", issued_on),
            ("目标任务", len(rows)),
            ("已销号", len(closed)),
            ("已申请待核查", len(applied)),
            ("尚未销号", len(others)),
        ):
            about.append([key, value])
        for row in about.iter_rows():
            row[0].font = Font(name=XLSX_FONT, bold=True)
            row[1].font = Font(name=XLSX_FONT)
            row[1].alignment = Alignment(horizontal="left")
            if isinstance(row[1].value, date):
                row[1].number_format = "yyyy-mm-dd"
        about.column_dimensions["A"].width = 16
        about.column_dimensions["B"].width = 70
        sheet(
            wb,
            "销号清单",
            [
                "编号",
                "民生实事",
                "目标任务",
                "目标",
                "计量单位",
                "完成期限",
                "销号状态",
                "牵头单位",
                "申请时间",
                "申请时完成率（%）",
                "完成情况说明",
                "核查时间",
                "核查意见",
            ],
            [_xlsx_row(r) for r in rows],
            [8, 22, 36, 12, 8, 20, 12, 20, 12, 12, 40, 12, 30],
        )
        out = BytesIO()
        wb.save(out)
        return out.getvalue()


def _xlsx_row(row: dict) -> list:
    indicator, closeout = row["indicator"], row["closeout"]
    target = None if indicator.kind == IndicatorKind.MILESTONE else indicator.target
    head = [
        indicator.code,
        f"{indicator.task.project.number}. {indicator.task.project.title}",
        indicator.name,
        target,
        indicator.unit_of_measure,
        deadline_words(text=indicator.deadline_text, deadline=indicator.deadline),
    ]
    if closeout is None:
        return [*head, "未销号", "", "", None, "", "", ""]
    completion = closeout.figures.get("completion")
    return [
        *head,
        str(closeout.get_state_display()),
        closeout.unit.name,
        _day(closeout.applied_at),
        float(completion) if completion not in (None, "", "None") else None,
        closeout.note,
        _day(closeout.decided_at),
        closeout.decision_reason,
    ]


FORMATS: dict[str, tuple[Callable[..., bytes], str]] = {
    "docx": (closeout_list_docx, DOCX_TYPE),
    "xlsx": (closeout_list_xlsx, XLSX_TYPE),
}
