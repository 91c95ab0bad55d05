"""The rating's report for the session (满意度测评结果), in Word: the official document's styles
and tables of the monthly bulletin (projects/services/bulletin.py), so both read alike."""

from __future__ import annotations

import io
from datetime import date

from docx import Document

from projects import calendar
from projects.govdocs import document_styles, page_setup, table
from projects.people.selectors.rating import Result


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def rating_report_docx(result: Result, *, issued_on: date) -> bytes:
    rating = result.rating
    doc = Document()
    document_styles(doc)
    page_setup(doc)
    doc.add_paragraph(f"{rating.plan.year}年重点民生实事项目满意度测评结果", style="Title")
    doc.add_paragraph(str(rating.session), style="副标题")
    threshold = format(rating.threshold.normalize(), "f")
    doc.add_paragraph(
        f"本次测评应到代表{result.deputies}名，参加测评{result.rated}名。测评分满意、基本满意、不满意三个等次，"
        f"满意率为满意与基本满意票数之和占有效票数的比例；满意率低于{threshold}%的项目予以标注，"
        "由责任单位说明原因并提出整改措施。"
    )
    doc.add_paragraph("一、各项目测评结果", style="Heading 1")
    rows = [
        [r.project.number, r.project.title, r.satisfied, r.basically, r.unsatisfied, _pct(r.rate),
         "低于警戒线" if r.flagged else ""]
        for r in result.rows
    ]  # fmt: skip
    table(
        doc,
        ["序号", "项目", "满意", "基本满意", "不满意", "满意率", "标注"],
        rows,
        [12, 58, 14, 18, 16, 20, 18],
        centred=(0, 2, 3, 4, 5, 6),
    )
    doc.add_paragraph("二、满意率低于警戒线的项目", style="Heading 1")
    if result.flagged:
        for r in result.flagged:
            doc.add_paragraph(f"{r.project.number}. {r.project.title}：满意率{_pct(r.rate)}。")
    else:
        doc.add_paragraph("无。")
    doc.add_paragraph(calendar.day_label(issued_on, language="zh-hans")).alignment = 2
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
