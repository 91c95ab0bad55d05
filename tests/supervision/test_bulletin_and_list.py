"""What the bulletin says of the loop (notices issued, answered on time, late, closed; targets
closed out) as of a month's end, and the year-end close-out list in Word and Excel."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from projects.models import Indicator, SupervisionNotice
from projects.services.bulletin import bulletin_docx_build, bulletin_xlsx_build
from projects.supervision import closeouts
from projects.supervision.documents import closeout_list_docx, closeout_list_xlsx
from projects.supervision.selectors import bulletin_loop
from tests.alerts.conftest import report
from tests.alerts.factories import UserFactory
from tests.dashboards.test_bulletin import SOFFICE, convert_to_pdf, text_of

from .conftest import answer, on, verify

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


def test_the_notices_counted_as_they_stood_at_each_months_end(notice, people):
    others = SupervisionNotice.objects.exclude(pk=notice.pk).filter(unit=people.mianchi.unit)
    later = others.first()
    total = SupervisionNotice.objects.count()
    assert total > 2
    with on(date(2022, 8, 20)):
        answer(people.mianchi, notice)  # on time (due 5 September)
    with on(date(2022, 8, 22)):
        verify(people.office, notice, accept=True)
    with on(date(2022, 9, 7)):
        answer(people.mianchi, later)  # two days late
    august = bulletin_loop(plan=notice.plan, as_of=date(2022, 8, 31), tz=TZ).notices
    # By the end of August: all issued, one answered on time and closed, none late yet.
    assert (august.issued, august.on_time, august.late, august.closed) == (total, 1, 0, 1)
    september = bulletin_loop(plan=notice.plan, as_of=date(2022, 9, 30), tz=TZ).notices
    # By the end of September every other notice is past its deadline: answered late or not at all.
    assert (september.issued, september.on_time, september.late, september.closed) == (total, 1, total - 1, 1)
    july = bulletin_loop(plan=notice.plan, as_of=date(2022, 7, 31), tz=TZ).notices
    assert (july.issued, july.on_time, july.late, july.closed) == (0, 0, 0, 0)

    doc = Document(io.BytesIO(bulletin_docx_build(plan=notice.plan, month=date(2022, 9, 1))))
    text = text_of(doc)
    assert f"累计签发督办通知单{total}件，按期反馈1件，逾期反馈或逾期未反馈{total - 1}件，已办结1件" in text, text[
        -600:
    ]
    sheet = load_workbook(io.BytesIO(bulletin_xlsx_build(plan=notice.plan, month=date(2022, 9, 1))))["督办和销号"]
    assert next(iter(sheet.iter_rows(min_row=2, max_row=2, values_only=True))) == ("督办通知单", total, 1, total - 1, 1)


@pytest.fixture
def closed_out(plan_2022, people, private_media):
    zhujian = UserFactory(username="zhujian", unit_name="市住房城乡建设局")
    heat, gas = Indicator.objects.get(code="2.3.2"), Indicator.objects.get(code="2.3.3")
    report("2.3.2", "市住房城乡建设局", date(2022, 9, 1), value=10)
    report("2.3.3", "市住房城乡建设局", date(2022, 9, 1), value=10)
    with on(date(2022, 10, 6)):
        done = closeouts.closeout_apply(user=zhujian, indicator_id=heat.pk, note="换热站全部建成。")
        closeouts.closeout_decide(user=people.office, closeout_id=done.pk, version=done.version, approve=True)
        closeouts.closeout_apply(user=zhujian, indicator_id=gas.pk, note="供气管网已完工。")
    return plan_2022


def test_the_year_end_close_out_list(closed_out, client, people, tmp_path):
    plan = closed_out
    total = Indicator.objects.filter(task__project__plan=plan).count()
    docx = closeout_list_docx(plan=plan, issued_on=date(2022, 12, 31))
    doc = Document(io.BytesIO(docx))
    text = text_of(doc)
    assert f"共有目标任务{total}项" in text and f"已销号1项，已申请待核查1项，尚未销号{total - 2}项" in text
    done, applied, others = doc.tables
    assert [c.text for c in done.rows[1].cells] == ["1", "2.3.2", "市区新建改造换热站", "10座", "市住房城乡建设局",
                                                     "2022年10月6日"]  # fmt: skip
    assert applied.rows[1].cells[1].text == "2.3.3" and len(others.rows) == total - 2 + 1

    xlsx = closeout_list_xlsx(plan=plan, issued_on=date(2022, 12, 31))
    rows = list(load_workbook(io.BytesIO(xlsx))["销号清单"].iter_rows(values_only=True))
    by_code = {r[0]: r for r in rows[1:]}
    assert len(by_code) == total
    assert by_code["2.3.2"][6:10] == ("已销号", "市住房城乡建设局", "2022年10月6日", 100)
    assert by_code["2.3.3"][6] == "已申请，待核查" and by_code["1.1.1"][6] == "未销号"

    # Downloaded by the office; a unit gets nothing.
    client.force_login(people.office)
    for fmt in ("docx", "xlsx"):
        response = client.get(reverse("supervision:closeout_list", args=[fmt]) + f"?plan={plan.pk}")
        assert response.status_code == 200
        assert unquote(response["Content-Disposition"]).endswith(f"2022年重点民生实事销号清单.{fmt}")
    client.force_login(people.mianchi)
    assert client.get(reverse("supervision:closeout_list", args=["docx"])).status_code == 404

    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: the list's content was checked but NOT opened")
    word, excel = tmp_path / "closeout-list.docx", tmp_path / "closeout-list-data.xlsx"
    word.write_bytes(docx)
    excel.write_bytes(xlsx)
    word_pdf, _ = convert_to_pdf(tmp_path, word, excel)
    pages = PdfReader(word_pdf).pages
    # Laid out on A4 pages (595 x 842 points), the 60-odd targets over several of them.
    assert len(pages) >= 2 and round(float(pages[0].mediabox.width)) == 595
    assert "销号清单" in pages[0].extract_text()
