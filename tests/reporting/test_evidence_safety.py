"""Evidence files that could harm whoever opens them are refused; names are normalised; every
file downloads as an attachment (MLPS level 3, issue 12 item 7). Each finding of the issue is a
test here."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Evidence
from projects.services.reporting import FigureInput, submission_save
from projects.uploads import served_name
from tests.files import pdf, pdf_with_hidden_script

from .conftest import JUNE, indicator
from .test_evidence import JPEG
from .test_permissions import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(clock, hubin):
    return submission_save(
        user=hubin, indicator_id=indicator("1.1.1").pk, month=JUNE, figure=FigureInput(value=Decimal(10)), version=0,
        submit=False,
    )  # fmt: skip


def upload(client, submission, name, content):
    response = client.post(
        reverse("evidence_upload", args=[submission.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        follow=True,
    )
    return response.content.decode()


@pytest.fixture
def as_hubin(client, hubin, private_media):
    client.force_login(hubin)
    return client


def test_a_pdf_header_followed_by_html_named_pdf_html_is_refused(as_hubin, draft):
    """Finding: report.pdf.html (a PDF header, then HTML) was accepted as a PDF and kept its name;
    opened, its script ran."""
    page = upload(as_hubin, draft, "report.pdf.html", b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>")
    assert "扩展名与内容不符" in page
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("name", ["report.pdf.html.pdf", "photo.php.pdf", "说明.exe.pdf", "a.svg.pdf"])
def test_a_second_extension_inside_the_name_is_refused(as_hubin, draft, name):
    assert "带有两个扩展名" in upload(as_hubin, draft, name, pdf())
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("照片.pdf", PNG), ("扫描件.png", JPEG), ("花名册.jpg", pdf())],
)
def test_the_extension_must_be_the_contents(as_hubin, draft, name, content):
    assert "扩展名与内容不符" in upload(as_hubin, draft, name, content)


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("a document script", pdf(javascript="app.alert(1)")),
        ("a script run on opening", pdf(open_action="JavaScript")),
        ("a program launched on opening", pdf(open_action="Launch")),
        ("a script when the page opens", pdf(page_action=True)),
        ("a link that launches a program", pdf(launch=True)),
        ("a script behind hex-escaped names", pdf_with_hidden_script()),
    ],
)
def test_a_pdf_that_runs_something_by_itself_is_refused(as_hubin, draft, kind, content):
    """Finding: a PDF with an auto-run JavaScript action was accepted."""
    page = upload(as_hubin, draft, "通知.pdf", content)
    assert "含有会自动运行的内容" in page, kind
    assert not Evidence.objects.exists()


def test_a_plain_pdf_with_an_opening_view_is_accepted(as_hubin, draft):
    assert "已上传佐证材料：通知.pdf" in upload(as_hubin, draft, "通知.pdf", pdf(open_view=True))


def test_a_pdf_that_cannot_be_read_is_refused(as_hubin, draft):
    assert "无法读取的 PDF" in upload(as_hubin, draft, "通知.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 40)


def test_one_figure_takes_at_most_ten_files(as_hubin, draft):
    """Finding: one figure took 43 files of up to 10 MB each."""
    for i in range(10):
        assert "已上传佐证材料" in upload(as_hubin, draft, f"现场{i}.png", PNG + bytes([i]))
    assert "最多上传 10 个佐证材料" in upload(as_hubin, draft, "现场10.png", PNG + b"\xff")
    assert Evidence.objects.filter(submission=draft).count() == 10


def test_one_figure_takes_at_most_its_bytes(as_hubin, draft, settings):
    settings.EVIDENCE_MAX_BYTES_PER_FIGURE = 3000
    assert "已上传佐证材料" in upload(as_hubin, draft, "a.png", PNG + b"\x00" * 2000)
    assert "合计不超过 2.9\xa0KB" in upload(as_hubin, draft, "b.png", PNG + b"\x01" * 2000)
    assert Evidence.objects.count() == 1


def test_a_long_name_is_cut_keeping_its_start_and_its_extension(as_hubin, draft):
    """Finding: a name longer than 255 characters was cut to keep only its end."""
    name = "2022年第二季度湖滨区技能培训花名册" + "及签到表" * 80 + ".pdf"
    upload(as_hubin, draft, name, pdf())
    stored = Evidence.objects.get().original_name
    assert len(stored) == 255
    assert stored.startswith("2022年第二季度湖滨区技能培训花名册") and stored.endswith("及签到表.pdf")


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("gnp.\u202eexe.png", "gnp.exe.png"),  # a right-to-left override that made it read "…png.exe"
        ("现场\x00照片.png", "现场照片.png"),
        ("..\\..\\windows\\现场.png", "现场.png"),
        ("../../etc/现场.png", "现场.png"),
        ("  .现场   照片 .png", "现场 照片.png"),
        ("A\u0301.png", "\u00c1.png"),  # NFC: one letter with its accent
    ],
)
def test_names_are_normalised(as_hubin, draft, name, kept):
    if ".exe." in kept:
        assert "带有两个扩展名" in upload(as_hubin, draft, name, PNG)
        return
    upload(as_hubin, draft, name, PNG)
    assert Evidence.objects.get().original_name == kept


def test_every_file_downloads_as_an_attachment_that_is_not_sniffed(as_hubin, draft):
    upload(as_hubin, draft, "现场.png", PNG)
    response = as_hubin.get(reverse("evidence_file", args=[Evidence.objects.get().pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"


def test_a_file_kept_under_a_wrong_name_downloads_with_its_contents_extension():
    assert served_name("report.pdf.html", content_type="application/pdf") == "report.pdf.html.pdf"
    assert served_name("现场.JPG", content_type="image/jpeg") == "现场.JPG"
