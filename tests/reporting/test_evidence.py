"""Evidence files: photos and PDF only (judged by content), size-limited, private, hashed names."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Evidence
from projects.services.reporting import FigureInput, submission_save
from tests.files import pdf

from .conftest import JUNE, indicator
from .test_permissions import PNG

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = pdf()


@pytest.fixture
def draft(clock, hubin):
    return submission_save(
        user=hubin, indicator_id=indicator("1.1.1").pk, month=JUNE, figure=FigureInput(value=Decimal(10)), version=0,
        submit=False,
    )  # fmt: skip


def upload(client, submission, name, content, content_type="application/octet-stream"):
    return client.post(
        reverse("evidence_upload", args=[submission.pk]),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        follow=True,
    )


@pytest.mark.parametrize(("name", "content", "mime"), [("现场.png", PNG, "image/png"), ("台账.jpg", JPEG, "image/jpeg"),
                                                        ("花名册.pdf", PDF, "application/pdf")])  # fmt: skip
def test_photos_and_pdf_are_stored_privately_under_a_hashed_name(
    client, hubin, draft, private_media, name, content, mime
):
    client.force_login(hubin)
    page = upload(client, draft, name, content).content.decode()
    assert f"已上传佐证材料：{name}" in page
    evidence = Evidence.objects.get(submission=draft)
    assert evidence.content_type == mime and evidence.original_name == name
    stored = Path(evidence.file.path)
    assert stored.name == evidence.sha256 and stored.read_bytes() == content
    # Outside MEDIA_ROOT: no URL serves it but the permission-checked view.
    assert private_media in stored.parents and Path(settings.MEDIA_ROOT) not in stored.parents
    response = client.get(reverse("evidence_file", args=[evidence.pk]))
    assert response.status_code == 200 and response["Content-Type"] == mime
    assert b"".join(response.streaming_content) == content
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", b"<html><script>alert(1)</script></html>"),  # the name lies
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60),  # a Windows program
        ("sheet.jpg", b"PK\x03\x04" + b"\x00" * 60),  # a zip
        ("anim.gif", b"GIF89a" + b"\x00" * 60),  # an image, but not one we accept
    ],
)
def test_other_content_is_refused_whatever_its_name(client, hubin, draft, private_media, name, content):
    client.force_login(hubin)
    page = upload(client, draft, name, content, content_type="image/png").content.decode()
    assert "不是 JPEG、PNG 图片或 PDF 文件" in page
    assert not Evidence.objects.exists()
    assert not any(private_media.rglob("*")) if private_media.exists() else True


def test_an_oversize_file_is_refused_and_nothing_is_stored(client, hubin, draft, private_media, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(hubin)
    page = upload(client, draft, "big.png", PNG + b"\x00" * 2000).content.decode()
    assert "超过 1.0\xa0KB 的上限" in page
    assert not Evidence.objects.exists()
    assert not private_media.exists() or not any(p.is_file() for p in private_media.rglob("*"))


def test_the_same_file_twice_is_refused(client, hubin, draft, private_media):
    client.force_login(hubin)
    upload(client, draft, "a.png", PNG)
    assert "相同的文件已经上传过了" in upload(client, draft, "b.png", PNG).content.decode()
    assert Evidence.objects.count() == 1


def test_the_unit_deletes_its_evidence_while_the_figure_is_open(client, hubin, draft, private_media):
    client.force_login(hubin)
    upload(client, draft, "a.png", PNG)
    evidence = Evidence.objects.get()
    path = Path(evidence.file.path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
        client.post(reverse("evidence_delete", args=[evidence.pk]))
    assert not Evidence.objects.exists() and not path.exists()
