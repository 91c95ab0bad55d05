"""The monthly bulletin: Word and Excel from the overview's own selectors, in government style."""

import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from projects.models import Assignment, Indicator, Unit, UnitKind
from projects.selectors import dashboards as sel
from projects.services.bulletin import bulletin_docx_build, bulletin_send, bulletin_xlsx_build
from projects.services.progress import progress_refresh
from tests.dashboards.conftest import JUNE, fill_months, report, split_evenly

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None)


@pytest.fixture
def demo(plan_2022):
    """Four months of figures, targets split evenly among the units."""
    split_evenly(plan_2022)
    fill_months(plan_2022, [date(2022, 3, 1), date(2022, 4, 1), date(2022, 5, 1), JUNE])
    return plan_2022


def text_of(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def east_asia(style) -> str:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_word_bulletin_says_what_the_overview_shows(demo):
    data = sel.bulletin_data(plan=demo, month=JUNE)
    overview = sel.overview(plan=demo, month=JUNE)
    doc = Document(io.BytesIO(bulletin_docx_build(plan=demo, month=JUNE, issued_on=date(2022, 7, 8))))
    text = text_of(doc)
    assert "2022年重点民生实事工作进展情况通报" in text
    assert "截至2022年6月30日" in text
    assert f"总体完成率{overview.overall.completion:.2f}%" in text
    assert f"序时进度{overview.overall.expected:.2f}%" in text
    assert f"已报送{overview.reporting.reported}项" in text
    assert f"红灯{overview.overall.red}项" in text
    for row in overview.projects:
        assert f"{row.standing.completion:.2f}%" in text
    # Tasks behind schedule are quoted verbatim.
    assert data.tasks_behind
    for row in data.tasks_behind:
        assert row.task.text in text
    # The ranking, the units that did not report on time, the red list.
    first = data.ranking[0]
    assert f"1\t{first.unit.name}\t{first.score:.2f}%" in text
    for late in data.late_units:
        assert late.unit.name in text
    assert "六、红灯事项" in text and data.red_items
    assert "2022年7月8日" in text


def test_word_bulletin_uses_chinese_government_fonts(demo):
    doc = Document(io.BytesIO(bulletin_docx_build(plan=demo, month=JUNE)))
    assert east_asia(doc.styles["Normal"]) == "仿宋"
    assert east_asia(doc.styles["Heading 1"]) == "黑体"
    assert east_asia(doc.styles["Heading 2"]) == "楷体"
    assert east_asia(doc.styles["Title"]) == "宋体"
    # Theme fonts would override the names: none are left on the headings.
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsiaTheme")) is None
    assert doc.styles["Normal"].font.size.pt == 16  # 三号
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、总体进展",
        "二、进度较快的项目和任务",
        "三、进度滞后的项目和任务",
        "四、各县（市、区）推进情况排名",
        "五、未按时报送情况",
        "六、红灯事项",
    ]


def test_excel_bulletin_numbers_equal_the_overview(demo, client, office):
    overview = sel.overview(plan=demo, month=JUNE)
    wb = load_workbook(io.BytesIO(bulletin_xlsx_build(plan=demo, month=JUNE)))
    assert wb.sheetnames == ["总体进展", "民生实事", "主要任务", "县区排名", "未按时报送", "红灯事项"]
    summary = {row[0].value: row[1].value for row in wb["总体进展"].iter_rows()}
    assert summary["总体完成率（%）"] == pytest.approx(float(overview.overall.completion))
    assert summary["序时进度（%）"] == pytest.approx(float(overview.overall.expected))
    assert summary["本月已报送"] == overview.reporting.reported
    assert summary["本月应报送"] == overview.reporting.expected
    assert summary["按时报送"] == overview.reporting.on_time
    assert summary["红灯指标"] == overview.overall.red
    projects = list(wb["民生实事"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2]) for r in projects] == [
        (p.project.number, pytest.approx(float(p.standing.completion)))
        for p in sorted(overview.projects, key=lambda p: p.project.number)
    ]
    # The same numbers as the page the office looks at.
    client.force_login(office)
    page = client.get(reverse("overview"), {"month": "2022-06"})
    assert page.context["data"] == overview


def test_bulletin_cells_never_carry_formulas(plan_2022):
    evil = Unit.objects.create(name="=SUM(1,2)", kind=UnitKind.COUNTY)
    indicator = Indicator.objects.get(code="1.1.1")
    Assignment.objects.create(indicator=indicator, unit=evil, position=99)
    progress_refresh(indicator_id=indicator.pk)
    wb = load_workbook(io.BytesIO(bulletin_xlsx_build(plan=plan_2022, month=JUNE)))
    names = [row[0] for row in wb["未按时报送"].iter_rows(min_row=2, values_only=True)]
    assert "'=SUM(1,2)" in names
    cell = next(c for c in wb["未按时报送"]["A"] if c.value == "'=SUM(1,2)")
    assert cell.data_type == "s"


def test_bulletin_downloads(client, office, demo):
    client.force_login(office)
    for fmt, kind in [("docx", "wordprocessingml"), ("xlsx", "spreadsheetml")]:
        response = client.get(reverse("bulletin_download", args=[fmt]), {"month": "2022-06"})
        assert response.status_code == 200
        assert kind in response["Content-Type"]
        assert "attachment" in response["Content-Disposition"]
        body = b"".join(response.streaming_content)
        assert body[:2] == b"PK"


def test_bulletin_command(tmp_path, demo):
    out, xlsx = tmp_path / "b.docx", tmp_path / "b.xlsx"
    call_command("bulletin", "2022-06", "--out", str(out), "--xlsx", str(xlsx), stdout=io.StringIO())
    assert "工作进展情况通报" in text_of(Document(out))
    assert load_workbook(xlsx).sheetnames[0] == "总体进展"
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("bulletin", "June", "--out", str(out))
    with pytest.raises(CommandError, match="没有覆盖"):
        call_command("bulletin", "2030-01", "--out", str(out))
    with pytest.raises(CommandError, match="--out"):
        call_command("bulletin", "2022-06")


def test_bulletin_by_email(demo):
    sent = bulletin_send(plan=demo, month=JUNE, recipients=["leader@example.org"])
    assert sent == 1
    message = mail.outbox[0]
    assert message.to == ["leader@example.org"]
    assert "截至2022年6月底" in message.subject
    names = [a[0] for a in message.attachments]
    assert [n.rsplit(".", 1)[1] for n in names] == ["docx", "xlsx"]
    assert bulletin_send(plan=demo, month=JUNE, recipients=[]) == 0


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: the bulletin was NOT checked to open in an office suite "
    "(`make test` installs libreoffice-writer-nogui and libreoffice-calc-nogui)",
)
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_bulletin_opens_in_libreoffice(tmp_path, demo, fmt):
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(12345))
    build = bulletin_docx_build if fmt == "docx" else bulletin_xlsx_build
    source = tmp_path / f"bulletin.{fmt}"
    source.write_bytes(build(plan=demo, month=JUNE))
    profile = tmp_path / "lo-profile"  # a private profile: parallel runs do not share a lock
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "bulletin.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.exists() and pdf.stat().st_size > 1000, result.stdout + result.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
