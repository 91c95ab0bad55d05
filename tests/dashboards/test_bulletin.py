"""The monthly bulletin: Word and Excel from the overview's own selectors, in government style."""

import io
import re
import shutil
import subprocess
from datetime import date
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
from tests.dashboards.conftest import JUNE, fill_months, split_evenly

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
        "七、督办落实和销号情况",
    ]


def test_excel_bulletin_numbers_equal_the_overview(demo, client, office):
    overview = sel.overview(plan=demo, month=JUNE)
    wb = load_workbook(io.BytesIO(bulletin_xlsx_build(plan=demo, month=JUNE)))
    assert wb.sheetnames == [
        "总体进展", "民生实事", "主要任务", "县区排名", "未按时报送", "红灯事项", "督办和销号", "已销号",
    ]
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


@pytest.fixture
def demo_september(plan_2022):
    """The demo data of `make run` (seed_demo as of 2022-09-30)."""
    call_command("seed_demo", "--as-of", "2022-09-30", stdout=io.StringIO())
    return plan_2022


def convert_to_pdf(tmp_path: Path, *sources: Path) -> list[Path]:
    profile = tmp_path / "lo-profile"  # a private profile: parallel runs do not share a lock
    out = tmp_path / "pdf"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out)]
        + [str(s) for s in sources],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pdfs = [out / f"{s.stem}.pdf" for s in sources]
    for pdf in pdfs:
        assert pdf.exists() and pdf.stat().st_size > 1000, result.stdout + result.stderr
        assert pdf.read_bytes()[:5] == b"%PDF-"
    return pdfs


def test_the_demo_bulletin_says_what_the_pages_show_and_opens_in_libreoffice(tmp_path, demo_september, client, office):
    september = date(2022, 9, 1)
    client.force_login(office)
    overview = client.get(reverse("overview"), {"month": "2022-09"}).context["data"]
    ranking = client.get(reverse("county_view"), {"month": "2022-09"}).context["view"].ranking
    docx = bulletin_docx_build(plan=demo_september, month=september)
    xlsx = bulletin_xlsx_build(plan=demo_september, month=september)

    doc = Document(io.BytesIO(docx))
    text = text_of(doc)
    o, r = overview.overall, overview.reporting
    green = o.items - o.red - o.yellow
    assert (
        f"总体完成率{o.completion:.2f}%，序时进度{o.expected:.2f}%" in text
        and f"全部{o.items}项指标中，绿灯{green}项、黄灯{o.yellow}项、红灯{o.red}项，逾期未完成{o.overdue}项" in text
        and f"9月应报送数据{r.expected}项，已报送{r.reported}项" in text
        and f"按时报送{r.on_time}项" in text
    ), text[:600]
    projects = {row.cells[0].text: [c.text for c in row.cells] for row in doc.tables[0].rows[1:]}
    assert len(projects) == len(overview.projects) == 10
    for row in overview.projects:
        cells = projects[str(row.project.number)]
        s = row.standing
        assert cells[2:4] == [f"{s.completion:.2f}%", f"{s.expected:.2f}%"]
        assert cells[6] == f"{s.red}/{s.yellow}/{s.overdue}"
    ranked = [[c.text for c in row.cells][:3] for row in doc.tables[1].rows[1:]]
    assert ranked == [[str(u.rank or "—"), u.unit.name, f"{u.score:.2f}%"] for u in ranking]

    summary = {row[0].value: row[1].value for row in load_workbook(io.BytesIO(xlsx))["总体进展"].iter_rows()}
    assert summary["总体完成率（%）"] == pytest.approx(float(o.completion))
    assert (summary["本月已报送"], summary["本月应报送"], summary["红灯指标"]) == (r.reported, r.expected, o.red)

    if SOFFICE is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: the bulletin's numbers were checked but it was NOT opened in an "
            "office suite (`make test` installs libreoffice-writer-nogui and libreoffice-calc-nogui)"
        )
    word, excel = tmp_path / "bulletin-2022-09.docx", tmp_path / "bulletin-2022-09-data.xlsx"
    word.write_bytes(docx)
    excel.write_bytes(xlsx)
    word_pdf, _excel_pdf = convert_to_pdf(tmp_path, word, excel)
    # A4 pages (595.3 x 841.9 points), several of them: the document was laid out, not just opened.
    pdf = word_pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 3
