"""The monthly bulletin (通报): a Word document in the style of a government document and an Excel
workbook, both from ``selectors.dashboards.bulletin_data``, the data the overview shows.

The bulletin is an official Chinese document: it is written in Chinese whatever the interface
language of the person who downloads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from projects import calendar, clock, rules
from projects.attachments import Attachment
from projects.audit.actions import AuditAction
from projects.audit.services import audit_record
from projects.calendar import parse_month
from projects.exports import safe_cell
from projects.formatting import percent, points
from projects.govdocs import (
    BODY_FONT,
    PERCENT_FORMAT,
    XLSX_FONT,
    document_styles,
    fonts,
    number,
    page_setup,
    sheet,
    table,
)
from projects.models import Event, Plan, Role, User
from projects.selectors.dashboards import BulletinData, Standing, bulletin_data, plan_months
from projects.services.notifications import News, notifications_create
from projects.supervision.selectors import LoopCounts, bulletin_loop

OFFICE = "市政府督查室"
LIGHT_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "": "未评价"}
KIND_NAMES = {
    "count": "数量", "amount": "金额", "rate": "比率", "milestone": "节点", "growth": "增速", "qualitative": "定性",
}  # fmt: skip
CHINESE_NUMBERS = "一二三四五六七八九十"


# The bulletin is a Chinese document, whatever the language of whoever builds it.
ZH = "zh-hans"


def _month_zh(month: date) -> str:
    return calendar.month_label(month, language=ZH)


def _day_zh(day: date) -> str:
    return calendar.day_label(day, language=ZH)


def _kind_zh(plan: Plan) -> str:
    """The plan's kind as the bulletin names it ("重点民生实事"), in Chinese whatever the reader's language."""
    with translation.override(ZH):
        return str(plan.get_kind_display())


def _noun_zh(plan: Plan) -> str:
    """What one item of the plan is called in the bulletin ("民生实事", "目标任务")."""
    with translation.override(ZH):
        return plan.kind_noun


def bulletin_filename(*, plan: Plan, month: date, fmt: str) -> str:
    return f"{bulletin_title(plan=plan, month=month)}.{fmt}"


def _gap_words(standing: Standing) -> str:
    gap = standing.gap
    if gap is None:
        return "尚无数据"
    if gap == 0:
        return "与序时进度持平"
    if gap < 0:
        return f"快于序时进度{abs(gap):.2f}个百分点"
    return f"落后序时进度{gap:.2f}个百分点"


def _red_reason(row: dict[str, Any]) -> str:
    if row["item_overdue"]:
        return "逾期未完成"
    if row["item_not_started"]:
        return "节点未启动"
    return f"落后{row['gap']:.2f}个百分点"


def _summary(data: BulletinData) -> str:
    o = data.overview
    r = o.reporting
    green = o.overall.items - o.overall.red - o.overall.yellow
    # As the overview says it: the mean is of the items with something measured, when not all are.
    items = f"{len(o.projects)}项{_noun_zh(o.plan)}"
    if o.overall.groups_measured < o.overall.groups:
        items += f"中有计量指标的{o.overall.groups_measured}项"
    return (
        f"截至{_month_zh(o.month)}底，{items}总体完成率"
        f"{percent(o.overall.completion)}，序时进度{percent(o.overall.expected)}，{_gap_words(o.overall)}。"
        f"全部{o.overall.items}项指标中，绿灯{green}项、黄灯{o.overall.yellow}项、红灯{o.overall.red}项，"
        f"逾期未完成{o.overall.overdue}项。{calendar.short_month_label(o.month, language=ZH)}应报送数据{r.expected}项，"
        f"已报送{r.reported}项，"
        f"报送率{percent(r.rate)}；按时报送{r.on_time}项，按时报送率{percent(r.on_time_rate)}。"
    )


# --- Word ------------------------------------------------------------------------------------


def _task_paragraphs(doc: Any, rows: Sequence[Any]) -> None:
    if not rows:
        doc.add_paragraph("暂无。")
        return
    for row in rows:
        task, s = row.task, row.standing
        paragraph = doc.add_paragraph()
        fonts(paragraph.add_run(f"{task.code} {task.project.title}："), east_asia=BODY_FONT, bold=True)
        paragraph.add_run(task.text)
        doc.add_paragraph(f"完成率{percent(s.completion)}，序时进度{percent(s.expected)}，{_gap_words(s)}。")


def _project_line(rows: Sequence[Any]) -> str:
    if not rows:
        return "暂无。"
    parts = [
        f"{r.project.number}.{r.project.title}（完成率{percent(r.standing.completion)}，{_gap_words(r.standing)}）"
        for r in rows
    ]
    return "；".join(parts) + "。"


def _docx(data: BulletinData, *, issued_on: date) -> bytes:
    o = data.overview
    doc = Document()
    document_styles(doc)
    page_setup(doc)
    doc.core_properties.title = f"{o.plan.year}年{_kind_zh(o.plan)}进展情况通报"
    doc.core_properties.author = OFFICE
    doc.core_properties.created = datetime(issued_on.year, issued_on.month, issued_on.day, tzinfo=UTC)
    doc.add_paragraph(f"{o.plan.year}年{_kind_zh(o.plan)}工作进展情况通报", style="Title")
    doc.add_paragraph(f"（截至{_day_zh(o.as_of)}）", style="副标题")
    doc.add_paragraph(
        f"根据《{o.plan.title}》（{o.plan.document}）要求，现将截至{_month_zh(o.month)}底"
        f"各项{_noun_zh(o.plan)}推进情况通报如下："
    )

    doc.add_heading("一、总体进展", level=1)
    doc.add_paragraph(_summary(data))
    table(
        doc,
        ["序号", _noun_zh(o.plan), "完成率", "序时进度", "落后序时（百分点）", "亮灯", "红/黄/逾期"],
        [
            [
                r.project.number,
                r.project.title,
                percent(r.standing.completion),
                percent(r.standing.expected),
                points(r.standing.gap),
                LIGHT_NAMES[r.standing.light],
                f"{r.standing.red}/{r.standing.yellow}/{r.standing.overdue}",
            ]
            for r in sorted(o.projects, key=lambda r: r.project.number)
        ],
        [12, 52, 20, 20, 20, 14, 18],
        centred=(0, 2, 3, 4, 5, 6),
    )

    doc.add_heading("二、进度较快的项目和任务", level=1)
    doc.add_heading("（一）项目", level=2)
    doc.add_paragraph(_project_line(data.projects_ahead))
    doc.add_heading("（二）主要任务", level=2)
    _task_paragraphs(doc, data.tasks_ahead)

    doc.add_heading("三、进度滞后的项目和任务", level=1)
    doc.add_heading("（一）项目", level=2)
    doc.add_paragraph(_project_line(data.projects_behind))
    doc.add_heading("（二）主要任务", level=2)
    _task_paragraphs(doc, data.tasks_behind)

    doc.add_heading("四、各县（市、区）推进情况排名", level=1)
    doc.add_paragraph(
        "排名得分为各单位有本级目标的指标完成率（每项封顶100%，未报送计0）的算术平均，"
        "“其中”项不重复计算；无本级目标的单位不参加排名。"
    )
    table(
        doc,
        ["名次", "单位", "得分", "考核指标数", "本月已报/应报", "逾期报送", "红灯"],
        [
            [
                r.rank or "—",
                r.unit.name,
                percent(r.score),
                r.rated,
                f"{r.reported}/{r.items}",
                r.late,
                r.red,
            ]
            for r in data.ranking
        ],
        [12, 40, 20, 20, 26, 20, 18],
        centred=(0, 2, 3, 4, 5, 6),
    )

    doc.add_heading("五、未按时报送情况", level=1)
    if data.late_units:
        due = calendar.short_day_label(o.reporting.due, language=ZH)
        doc.add_paragraph(f"截至报送截止日（{due}），以下单位未按时报送：")
        table(
            doc,
            ["单位", "应报送", "未报送", "逾期报送"],
            [[u.unit.name, u.expected, u.missing, u.late] for u in data.late_units],
            [66, 30, 30, 30],
            centred=(1, 2, 3),
        )
    else:
        doc.add_paragraph("本月各单位均按时报送。")

    doc.add_heading("六、红灯事项", level=1)
    if data.red_items:
        table(
            doc,
            ["编号", "指标", "单位", "完成率", "序时进度", "原因"],
            [
                [
                    r["code"],
                    r["indicator_name"],
                    r["unit_name"],
                    percent(r["item_completion"]),
                    percent(r["item_expected"]),
                    _red_reason(r),
                ]
                for r in data.red_items
            ],
            [14, 46, 26, 18, 20, 32],
            centred=(3, 4),
        )
    else:
        doc.add_paragraph("本月无红灯事项。")

    _loop_section(doc, o.plan, o.as_of)

    doc.add_paragraph("请各责任单位对照通报，对滞后事项逐项分析原因，制定措施，确保按期完成。")
    signature = doc.add_paragraph(OFFICE)
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    dated = doc.add_paragraph(_day_zh(issued_on))
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _loop_words(counts: LoopCounts, what: str) -> str:
    return (
        f"{what}{counts.issued}件，按期反馈{counts.on_time}件，逾期反馈或逾期未反馈{counts.late}件，"
        f"已办结{counts.closed}件"
    )


def _loop_section(doc: Any, plan: Plan, as_of: date) -> None:
    """七、督办落实和销号情况: the notices and instructions counted as of the month's end, and the
    targets closed out by then."""
    loop = bulletin_loop(plan=plan, as_of=as_of, tz=timezone.get_default_timezone())
    doc.add_heading("七、督办落实和销号情况", level=1)
    doc.add_paragraph(
        f"截至{_day_zh(as_of)}，累计签发{_loop_words(loop.notices, '督办通知单')}；"
        f"领导批示交办{_loop_words(loop.replies, '单位事项')}。"
    )
    if loop.closed_out:
        doc.add_paragraph(f"经牵头单位申请、{OFFICE}核查，以下{len(loop.closed_out)}项目标任务已销号：")
        table(
            doc,
            ["编号", "目标任务", "牵头单位", "销号时间"],
            [
                [c.indicator.code, c.indicator.name, c.unit.name, _day_zh(timezone.localtime(c.decided_at).date())]
                for c in loop.closed_out
            ],
            [16, 76, 36, 28],
            centred=(0, 3),
        )
    else:
        doc.add_paragraph("暂无已销号的目标任务。")


def bulletin_docx_build(*, plan: Plan, month: date, issued_on: date | None = None) -> bytes:
    """The bulletin as a Word document (.docx)."""
    with translation.override("zh-hans"):
        return _docx(bulletin_data(plan=plan, month=month), issued_on=issued_on or clock.today())


# --- Excel -----------------------------------------------------------------------------------


def _xlsx(data: BulletinData) -> bytes:
    o = data.overview
    wb = Workbook()
    summary = wb.active
    summary.title = "总体进展"
    rows = [
        ("方案", f"{o.plan.title}（{o.plan.document}）"),
        ("截至", o.as_of),
        ("总体完成率（%）", number(o.overall.completion)),
        ("序时进度（%）", number(o.overall.expected)),
        ("亮灯", LIGHT_NAMES[o.overall.light]),
        ("指标数", o.overall.items),
        ("项数", o.overall.groups),
        ("有计量指标的项数", o.overall.groups_measured),
        ("红灯指标", o.overall.red),
        ("黄灯指标", o.overall.yellow),
        ("逾期未完成指标", o.overall.overdue),
        ("本月应报送", o.reporting.expected),
        ("本月已报送", o.reporting.reported),
        ("报送率（%）", number(o.reporting.rate)),
        ("按时报送", o.reporting.on_time),
        ("按时报送率（%）", number(o.reporting.on_time_rate)),
        ("报送截止日", o.reporting.due),
        ("说明", _summary(data)),
    ]
    for key, value in rows:
        summary.append([key, safe_cell(value)])
    for row in summary.iter_rows():
        row[0].font = Font(name=XLSX_FONT, bold=True)
        row[1].font = Font(name=XLSX_FONT)
        row[1].alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        if isinstance(row[1].value, date):
            row[1].number_format = "yyyy-mm-dd"
        elif isinstance(row[1].value, float):
            row[1].number_format = PERCENT_FORMAT
    summary.column_dimensions["A"].width = 18
    summary.column_dimensions["B"].width = 90

    def standing_cells(s: Standing) -> list[Any]:
        # The pages' sign: points behind expected progress, negative when ahead.
        return [s.completion, s.expected, s.gap, LIGHT_NAMES[s.light], s.red, s.yellow, s.overdue]

    standing_headers = ["完成率（%）", "序时进度（%）", "落后序时（百分点）", "亮灯", "红灯", "黄灯", "逾期"]
    sheet(
        wb,
        "民生实事",
        ["序号", "民生实事", *standing_headers],
        [
            [r.project.number, r.project.title, *standing_cells(r.standing)]
            for r in sorted(o.projects, key=lambda r: r.project.number)
        ],
        [8, 40, 12, 12, 14, 8, 8, 8, 8],
    )
    ahead = {t.task.pk for t in data.tasks_ahead}
    behind = {t.task.pk for t in data.tasks_behind}
    sheet(
        wb,
        "主要任务",
        ["编号", "民生实事", "任务原文", *standing_headers, "进度"],
        [
            [
                t.task.code,
                t.task.project.title,
                t.task.text,
                *standing_cells(t.standing),
                "较快" if t.task.pk in ahead else "滞后" if t.task.pk in behind else "",
            ]
            for t in data.tasks
        ],
        [8, 24, 70, 12, 12, 14, 8, 8, 8, 8, 8],
    )
    sheet(
        wb,
        "县区排名",
        ["名次", "单位", "得分（%）", "考核指标数", "本月应报", "本月已报", "逾期报送", "红灯"],
        [[r.rank, r.unit.name, r.score, r.rated, r.items, r.reported, r.late, r.red] for r in data.ranking],
        [8, 20, 12, 12, 10, 10, 10, 8],
    )
    sheet(
        wb,
        "未按时报送",
        ["单位", "应报送", "未报送", "逾期报送"],
        [[u.unit.name, u.expected, u.missing, u.late] for u in data.late_units],
        [28, 10, 10, 10],
    )
    sheet(
        wb,
        "红灯事项",
        [
            "编号",
            "指标",
            "类型",
            "单位",
            "累计完成",
            "目标",
            "计量单位",
            "完成率（%）",
            "序时进度（%）",
            "期限",
            "原因",
        ],
        [
            [
                r["code"],
                r["indicator_name"],
                KIND_NAMES.get(r["indicator_kind"], ""),
                r["unit_name"],
                None if rules.is_staged(r["indicator_kind"]) else r["item_value"],
                r["item_target"],
                r["measure"],
                r["item_completion"],
                r["item_expected"],
                r["deadline_text"],
                _red_reason(r),
            ]
            for r in data.red_items
        ],
        [8, 36, 8, 18, 12, 12, 8, 12, 12, 16, 22],
    )
    loop = bulletin_loop(plan=o.plan, as_of=o.as_of, tz=timezone.get_default_timezone())
    sheet(
        wb,
        "督办和销号",
        ["事项", "签发（交办）", "按期反馈", "逾期反馈或逾期未反馈", "已办结"],
        [
            ["督办通知单", loop.notices.issued, loop.notices.on_time, loop.notices.late, loop.notices.closed],
            ["领导批示（单位事项）", loop.replies.issued, loop.replies.on_time, loop.replies.late, loop.replies.closed],
        ],
        [22, 14, 12, 22, 10],
    )
    sheet(
        wb,
        "已销号",
        ["编号", "目标任务", "牵头单位", "销号时间"],
        [
            [c.indicator.code, c.indicator.name, c.unit.name, timezone.localtime(c.decided_at).date()]
            for c in loop.closed_out
        ],
        [10, 50, 24, 14],
    )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def bulletin_xlsx_build(*, plan: Plan, month: date) -> bytes:
    """The bulletin's figures as an Excel workbook (.xlsx), one sheet per part."""
    with translation.override("zh-hans"):
        return _xlsx(bulletin_data(plan=plan, month=month))


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bulletin_title(*, plan: Plan, month: date) -> str:
    return f"{plan.year}年{_kind_zh(plan)}进展通报（截至{_month_zh(month)}底）"


def bulletin_attachments(*, plan: Plan, month: date) -> list[Attachment]:
    """The Word document and the Excel workbook as e-mail attachments."""
    return [
        Attachment(bulletin_filename(plan=plan, month=month, fmt="docx"), bulletin_docx_build(plan=plan, month=month),
                   DOCX_TYPE),
        Attachment(bulletin_filename(plan=plan, month=month, fmt="xlsx"), bulletin_xlsx_build(plan=plan, month=month),
                   XLSX_TYPE),
    ]  # fmt: skip


def bulletin_email_attachments(*, plan: int, month: str) -> list[Attachment]:
    """The bulletin's builder in the attachment registry (``projects.attachments``): the files of
    the e-mail whose news recorded ``{"plan": <id>, "month": "YYYY-MM"}``."""
    return bulletin_attachments(plan=Plan.objects.get(pk=plan), month=parse_month(month))


def bulletin_send(*, plan: Plan, month: date, recipients: Sequence[str]) -> int:
    """E-mail the bulletin (Word and Excel attached) to ``recipients``; returns the messages sent.

    Sends at once, every time it is called; the monthly job goes through ``bulletin_notify_leaders``
    instead, which sends each leader a month's bulletin once."""
    if not recipients:
        return 0
    subject = bulletin_title(plan=plan, month=month)
    message = EmailMessage(
        subject=subject,
        body=f"{subject}见附件。\n\n{OFFICE}",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(recipients),
    )
    for attachment in bulletin_attachments(plan=plan, month=month):
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    sent = message.send()
    detail = {"month": month, "recipients": list(recipients), "sent": sent}
    audit_record(action=AuditAction.BULLETIN_SEND, obj=plan, detail=detail)
    return sent


# --- the monthly job: the bulletin to the leaders, once ------------------------------------------


def bulletin_key(*, plan: Plan, month: date) -> str:
    """The dedupe key of a month's bulletin: each leader gets it once, whatever retries happen."""
    return f"bulletin:{plan.pk}:{month:%Y-%m}"


def bulletin_notify_leaders(*, month: date | None = None, today: date | None = None) -> list[int]:
    """The month's bulletin of every plan that covers ``month`` (without one: each plan's reporting
    month as of ``today``), to every active leader: an e-mail with the Word and Excel files and an
    inbox message (as the notification rules say, event 月度通报).

    A month's bulletin reaches each leader once: the deliveries and messages carry the key
    ``bulletin:<plan>:<YYYY-MM>`` and a second run creates nothing. Returns the ids of the
    deliveries to send (the caller sends them once the transaction commits)."""
    if month is None and today is None:
        raise ValueError("a month, or the day whose reporting month to send")
    chosen = []
    for plan in Plan.objects.order_by("year", "pk"):
        plan_month = month or calendar.reporting_month(today=today, due_day=plan.due_day)
        if plan_month in plan_months(plan):
            chosen.append((plan, plan_month))
    leaders = list(User.objects.filter(role=Role.LEADER, is_active=True).order_by("pk").values_list("pk", flat=True))
    news = []
    for plan, plan_month in chosen:
        title = bulletin_title(plan=plan, month=plan_month)
        query = urlencode({"plan": plan.pk, "month": calendar.month_key(plan_month)})
        link = f"{reverse('bulletin_download', args=['docx'])}?{query}"
        body = f"{title}已印发，Word 文件和 Excel 数据表见附件，也可登录系统在总览页下载。\n\n{OFFICE}"
        news += [
            News(
                event=Event.BULLETIN,
                key=bulletin_key(plan=plan, month=plan_month),
                subject=f"【月度通报】{title}",
                body=body,
                link=link,
                user_id=leader,
                attachments={"plan": plan.pk, "month": calendar.month_key(plan_month)},
            )
            for leader in leaders
        ]
    with transaction.atomic():
        created = notifications_create(items=news)
        if created:
            audit_record(
                action=AuditAction.BULLETIN_SEND,
                detail={
                    "months": {p.pk: calendar.month_key(m) for p, m in chosen},
                    "leaders": leaders,
                    "deliveries": len(created),
                },
            )
        return created
