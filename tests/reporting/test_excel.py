"""Excel: download the template, fill it, upload it; LibreOffice's files too; bad files refused."""

import io
import shutil
import subprocess
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Submission, SubmissionStatus
from projects.services import excel
from projects.services.reporting import FigureInput, submission_save

from .conftest import JUNE, MAY, indicator, unit

pytestmark = pytest.mark.django_db


def snapshot():
    return list(Submission.objects.order_by("pk").values())


def download(client, month=JUNE) -> bytes:
    response = client.get(reverse("report_template", args=[month]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def fill(data: bytes, figures: dict[str, dict[str, object]]) -> bytes:
    """Fill a template the way a person does in a spreadsheet: by indicator code and column."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[excel.MAIN_SHEET]
    columns = {c.key: excel.COLUMN_INDEX[c.key] for c in excel.COLUMNS}
    for row in ws.iter_rows(min_row=excel.HEADER_ROW + 1):
        code = row[0].value
        for key, value in figures.get(code, {}).items():
            cell = ws.cell(row=row[0].row, column=columns[key])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # typed as text (openpyxl would make "=..." a formula)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data: bytes, submit=False, month=JUNE, name="月报.xlsx"):
    return client.post(
        reverse("report_import", args=[month]),
        {"file": SimpleUploadedFile(name, data), **({"submit": "on"} if submit else {})},
        follow=True,
    )


def test_the_template_is_prefilled_with_the_units_indicators_targets_and_last_figures(client, clock, hubin):
    submission_save(user=hubin, indicator_id=indicator("1.1.1").pk, month=MAY, figure=FigureInput(value=Decimal(5000)),
                    version=0, submit=True)  # fmt: skip
    client.force_login(hubin)
    wb = load_workbook(io.BytesIO(download(client)))
    ws = wb[excel.MAIN_SHEET]
    assert "2022年6月" in ws["A1"].value and "湖滨区政府" in ws["A1"].value
    rows = {r[0]: r for r in ws.iter_rows(min_row=excel.HEADER_ROW + 1, values_only=True)}
    col = {c.key: excel.COLUMN_INDEX[c.key] - 1 for c in excel.COLUMNS}
    training = rows["1.1.1"]
    assert training[col["name"]] == "技能培训" and training[col["city_target"]] == 60000
    assert training[col["previous"]] == "5,000 人次"
    assert "2.3.1" not in rows  # another unit's indicator
    meta = dict(wb[excel.META_SHEET].iter_rows(values_only=True))
    assert wb[excel.META_SHEET].sheet_state == "hidden"
    assert (meta["unit"], meta["month"]) == ("湖滨区政府", "2022-06")


def test_round_trip_download_fill_upload(client, clock, hubin):
    client.force_login(hubin)
    filled = fill(
        download(client),
        {
            "1.1.1": {"value": 12000, "progress_text": "完成电工培训", "problems_text": '=HYPERLINK("x")'},
            "3.1.3": {"numerator": 45, "denominator": "1,000"},
            "1.1.2": {"value": "８０００"},
        },
    )
    page = upload(client, filled, submit=True).content.decode()
    assert "已从 Excel 导入 3 项指标（已提交）" in page
    training = Submission.objects.get(indicator__code="1.1.1", unit__name="湖滨区政府", month=JUNE)
    assert training.value == 12000 and training.status == SubmissionStatus.SUBMITTED
    assert training.problems_text == '=HYPERLINK("x")'  # user text stays text
    rate = Submission.objects.get(indicator__code="3.1.3", unit__name="湖滨区政府", month=JUNE)
    assert (rate.numerator, rate.denominator) == (45, 1000)
    assert training.history.first().history_change_reason == "从Excel导入并提交"
    # The same file again changes nothing.
    before = snapshot()
    assert "没有新的数据" in upload(client, filled, submit=True).content.decode()
    assert snapshot() == before


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(client, clock, hubin):
    client.force_login(hubin)
    filled = fill(
        download(client),
        {
            "1.1.1": {"value": 12000},  # fine on its own
            "1.1.2": {"value": "很多"},
            "3.1.3": {"numerator": 120, "denominator": 100},
            "1.1.3": {"value": -1},
        },
    )
    before = snapshot()
    response = upload(client, filled)
    page = response.content.decode()
    assert "共有 3 处问题，未导入任何数据" in page
    assert "很多" in page and "不是有效的数字" in page
    assert "分子不能大于分母" in page and "不能为负数" in page
    assert "1.1.3 新增高技能人才" in page  # the indicator named in the report
    assert snapshot() == before
    # The outcome and the form come first, above the month's 35 rows, where the eye is.
    main = page[page.index("<main") :]
    assert (
        main.index('id="import-errors"') < main.index('name="file"') < main.index('class="table table-sm table-hover')
    )


def test_another_units_or_months_template_is_refused(client, clock, hubin, shanzhou):
    client.force_login(shanzhou)
    theirs = fill(download(client), {"1.1.1": {"value": 100}})
    client.force_login(hubin)
    before = snapshot()
    page = upload(client, theirs).content.decode()
    assert "这是“陕州区政府”的月报模板，不能导入“湖滨区政府”的月报" in page
    may = fill(download(client, MAY), {"1.1.1": {"value": 100}})
    page = upload(client, may).content.decode()
    assert "这是2022年5月的月报模板，当前导入的是2022年6月" in page
    assert snapshot() == before


def test_a_template_filled_from_an_old_copy_does_not_overwrite_newer_figures(client, clock, hubin):
    client.force_login(hubin)
    old_copy = fill(download(client), {"1.1.1": {"value": 100}})
    submission_save(user=hubin, indicator_id=indicator("1.1.1").pk, month=JUNE, figure=FigureInput(value=Decimal(900)),
                    version=0, submit=False)  # fmt: skip
    before = snapshot()
    page = upload(client, old_copy).content.decode()
    assert "该月报已在您打开页面后被修改" in page and "900 人次" in page
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"indicator,value\n1.1.1,100\n", "不是 Excel（.xlsx）文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel（.xls）"),
        (b"%PDF-1.4\n", "不是 Excel（.xlsx）文件"),
        (b"PK\x03\x04garbage", "文件已损坏"),
    ],
)
def test_what_is_not_an_xlsx_is_refused_by_content_whatever_its_name(client, clock, hubin, content, message):
    client.force_login(hubin)
    before = snapshot()
    assert message in upload(client, content, name="月报.xlsx").content.decode()
    assert snapshot() == before


def test_a_word_file_named_xlsx_is_refused(client, clock, hubin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    client.force_login(hubin)
    assert "这是 Word 文件" in upload(client, buffer.getvalue()).content.decode()


def test_an_oversize_file_is_refused_unread(client, clock, hubin, settings):
    client.force_login(hubin)
    data = fill(download(client), {"1.1.1": {"value": 100}})
    settings.UPLOAD_XLSX_MAX_BYTES = len(data) - 1
    before = snapshot()
    page = upload(client, data).content.decode()
    assert "文件超过" in page and "的上限" in page
    assert snapshot() == before


def test_a_zip_bomb_is_refused_before_it_is_inflated(client, clock, hubin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (excel.XLSX_MAX_UNCOMPRESSED + 1))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024  # small on the wire
    client.force_login(hubin)
    before = snapshot()
    assert "文件解压后过大" in upload(client, data).content.decode()
    assert snapshot() == before


def test_locked_rows_that_were_not_changed_do_not_stop_an_import(client, clock, hubin, renshe):
    from projects.services.reporting import submission_review

    sent = submission_save(user=hubin, indicator_id=indicator("1.1.1").pk, month=JUNE,
                           figure=FigureInput(value=Decimal(500)), version=0, submit=True)  # fmt: skip
    submission_review(user=renshe, submission_id=sent.pk, version=sent.version, approve=True)
    client.force_login(hubin)
    template = download(client)
    page = upload(client, fill(template, {"1.1.2": {"value": 10}})).content.decode()
    assert "已从 Excel 导入 1 项指标" in page
    page = upload(client, fill(template, {"1.1.1": {"value": 600}})).content.decode()
    assert "已审核，已锁定" in page


def test_the_import_command_imports_a_units_file_all_or_nothing(client, clock, hubin, tmp_path, capsys):
    client.force_login(hubin)
    good = tmp_path / "good.xlsx"
    good.write_bytes(fill(download(client), {"1.1.1": {"value": 321}}))
    call_command("import_figures", str(good), unit="湖滨区政府", month="2022-06", submit=True)
    assert "已导入 1 项" in capsys.readouterr().out
    assert Submission.objects.get(indicator__code="1.1.1", unit__name="湖滨区政府").status == SubmissionStatus.SUBMITTED
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fill(download(client), {"1.1.2": {"value": "x"}, "1.1.3": {"value": 5}}))
    before = snapshot()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_figures", str(bad), unit="湖滨区政府", month="2022-06")
    assert "第 " in capsys.readouterr().err
    assert snapshot() == before
    with pytest.raises(CommandError, match="这是“湖滨区政府”的月报模板"):
        call_command("import_figures", str(good), unit="陕州区政府", month="2022-06")


def test_exports_never_carry_formulas_from_user_text(client, clock, hubin, renshe):
    hostile = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    for i, text in enumerate(hostile):
        submission_save(user=hubin, indicator_id=indicator(["1.1.1", "1.1.2", "1.1.3", "3.1.1", "3.1.2", "3.3.1"][i]).pk,
                        month=JUNE, figure=FigureInput(value=Decimal(1), progress_text=text), version=0, submit=True)  # fmt: skip
    client.force_login(hubin)
    template = download(client)
    client.force_login(renshe)
    export = client.get(reverse("review_export"), {"status": ""}).content
    for data in (template, export):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
            assert sheets and all(b"<f>" not in z.read(n) and b"<f " not in z.read(n) for n in sheets)
        ws = load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value in hostile]
        assert cells
        assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert unit("湖滨区政府")


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: `make system-deps` installs it")
def test_a_file_saved_by_libreoffice_imports(client, clock, hubin, tmp_path):
    """A template filled in, then opened and saved again by LibreOffice Calc (through .ods and back,
    so that LibreOffice writes every part of the file itself)."""
    client.force_login(hubin)
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill(download(client), {"1.1.1": {"value": 4321}, "3.1.3": {"numerator": 9, "denominator": 10},
                                               "1.1.2": {"progress_text": "经 LibreOffice 保存"}}))  # fmt: skip
    profile = f"-env:UserInstallation=file://{tmp_path}/lo-profile"

    def convert(source, fmt, outdir):
        subprocess.run(
            [SOFFICE, profile, "--headless", "--convert-to", fmt, "--outdir", str(outdir), str(source)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip

    (tmp_path / "ods").mkdir()
    convert(filled, "ods", tmp_path / "ods")
    (tmp_path / "back").mkdir()
    convert(tmp_path / "ods" / "filled.ods", "xlsx", tmp_path / "back")
    data = (tmp_path / "back" / "filled.xlsx").read_bytes()
    assert data != filled.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"LibreOffice" in z.read("docProps/app.xml")
    page = upload(client, data, submit=False).content.decode()
    assert "已从 Excel 导入 3 项指标（草稿）" in page, page[page.find("alert") : page.find("alert") + 2000]
    rows = {
        s.indicator.code: s
        for s in Submission.objects.filter(unit__name="湖滨区政府", month=JUNE).select_related("indicator")
    }
    assert rows["1.1.1"].value == 4321
    assert (rows["3.1.3"].numerator, rows["3.1.3"].denominator) == (9, 10)
    assert rows["1.1.2"].progress_text == "经 LibreOffice 保存" and rows["1.1.2"].value is None
