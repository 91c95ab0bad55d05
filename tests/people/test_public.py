"""The public progress page: only published plans, only reviewed figures of closed months, only
approved photos; served from the cache that each closed month refreshes; the Atom feed."""

from __future__ import annotations

import datetime as dt
import io
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from projects.models import AuditRecord, Evidence, SubmissionStatus
from projects.people.models import PublicSnapshot
from projects.people.services.demo import demo_png
from projects.people.services.public import photo_publish, plan_publish
from projects.services.reporting import month_close, month_open
from tests.files import jpeg_with_gps

from .conftest import approved

pytestmark = pytest.mark.django_db
JULY, AUGUST = dt.date(2022, 7, 1), dt.date(2022, 8, 1)


@pytest.fixture
def figures(plan_2022, clock):
    """2.1.1 (城镇老旧小区开工改造, 8885 户): 湖滨区 1000 in July and 2000 in August, reviewed;
    陕州区 500 in August, sent but not reviewed (nothing of it may show)."""
    approved(plan_2022, "2.1.1", "湖滨区政府", JULY, "1000")
    approved(plan_2022, "2.1.1", "湖滨区政府", AUGUST, "2000")
    return approved(plan_2022, "2.1.1", "陕州区政府", AUGUST, "500", status=SubmissionStatus.SUBMITTED)


@pytest.fixture
def published(plan_2022, office, figures):
    cache.clear()
    plan_publish(user=office, plan_id=plan_2022.pk)
    for month in (JULY, AUGUST):
        month_close(user=office, plan_id=plan_2022.pk, month=month)
    return plan_2022


def project(client, number: int) -> str:
    html = client.get("/public/").content.decode()
    start = html.index(f'id="project-{number}"')
    return html[start : html.index("</article>", start)]


def test_a_plan_not_published_shows_nothing_even_with_closed_months(plan_2022, office, figures):
    month_close(user=office, plan_id=plan_2022.pk, month=AUGUST)
    response = Client().get("/public/")
    assert response.status_code == 200
    assert "暂无公开的进展" in response.content.decode()
    assert Client().get(f"/public/plans/{plan_2022.pk}/").status_code == 404


def test_progress_as_of_the_last_closed_month_from_reviewed_figures_only(published):
    html = project(Client(), 2)
    # 2000 of 8885 户 = 22.51 %, the month before 1000 = 11.25 %; 陕州区's unreviewed 500 is left out.
    assert "1000 → 2000户" in html
    assert "2500" not in html and "500户" not in html
    assert "22.51%" in html
    # The project: 22.51 over its 13 indicators (the others have nothing reviewed) = 1.73 %.
    assert '<span class="people-rate">1.73%</span>' in html
    # As of the end of August; nothing of the units, no alert, no person.
    page = Client().get("/public/").content.decode()
    assert "截至2022年8月底的进展" in page
    for internal in ("湖滨区", "陕州区", "预警", "红灯", "duchashi", "督查室"):
        assert internal not in page


def test_the_page_is_served_from_the_cache_in_one_query_and_a_closed_month_refreshes_it(published, office):
    client = Client()
    first = client.get("/public/")
    assert first["Cache-Control"] == "public, max-age=300"
    assert "sessionid" not in first.cookies and "csrftoken" not in first.cookies
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/public/")
    assert again.content == first.content
    assert len(queries) == 1  # which snapshots are current; the page itself comes from the cache
    # September closes: the page moves on to it (1000 → 2000 stays August's news, September has none).
    month_close(user=office, plan_id=published.pk, month=dt.date(2022, 9, 1))
    assert "截至2022年9月底的进展" in client.get("/public/").content.decode()
    # Reopening September falls back to August.
    month_open(user=office, plan_id=published.pk, month=dt.date(2022, 9, 1))
    assert "截至2022年8月底的进展" in client.get("/public/").content.decode()
    assert list(PublicSnapshot.objects.values_list("month", flat=True)) == [AUGUST]


def test_english_from_the_link_in_the_page(published):
    html = Client().get("/public/?lang=en").content.decode()
    assert 'lang="en"' in html
    assert "Progress to the end of" in html


def _photo(submission, office, name: str, content_type: str = "image/png", data: bytes | None = None) -> Evidence:
    data = demo_png(4, 2) + name.encode() if data is None else data
    return Evidence.objects.create(
        submission=submission, file=SimpleUploadedFile(name, data), original_name=name, content_type=content_type,
        size=len(data), sha256=name.encode().hex().ljust(64, "0")[:64], uploaded_by=office,
    )  # fmt: skip


def test_only_photos_the_office_approved_of_reviewed_figures_show(published, office, figures, private_media):
    reviewed = figures.indicator.submissions.get(unit__name="湖滨区政府", month=AUGUST)
    shown = _photo(reviewed, office, "现场一.png")
    kept = _photo(reviewed, office, "现场二.png")
    unreviewed = _photo(figures, office, "陕州.png")
    photo = photo_publish(user=office, evidence_id=shown.pk, caption="老旧小区改造现场")
    with pytest.raises(Exception, match="审核通过"):
        photo_publish(user=office, evidence_id=unreviewed.pk, caption="不该公开")
    html = project(Client(), 2)
    assert f"/public/photos/{photo.pk}/" in html and "老旧小区改造现场" in html
    response = Client().get(f"/public/photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    served = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert served.format == "PNG" and served.size == (4, 2)
    # Not approved, or of a figure not reviewed: not found, whatever the id.
    assert Client().get(f"/public/photos/{photo.pk + 100}/").status_code == 404
    assert kept.pk and "现场二" not in html
    # The audit trail has the act.
    assert AuditRecord.objects.filter(action="people.photo_publish", result="success", object_id=str(shown.pk)).exists()
    assert AuditRecord.objects.filter(action="people.photo_publish", result="failure").exists()


def test_a_published_photo_has_no_gps_camera_or_author_and_stays_upright(published, office, figures, private_media):
    """A phone's JPEG with GPS, camera, serial number and owner in its EXIF, XMP and comment: the
    public copy has the picture only, turned as the camera said (40 × 20 stored, shown 20 × 40 with
    the red half on top), while the evidence file the office keeps is unchanged."""
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)[2] == (34.0, 46.0, 30.0)
    reviewed = figures.indicator.submissions.get(unit__name="湖滨区政府", month=AUGUST)
    evidence = _photo(reviewed, office, "现场.jpg", content_type="image/jpeg", data=original)
    photo = photo_publish(user=office, evidence_id=evidence.pk, caption="老旧小区改造现场")
    response = Client().get(f"/public/photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    data = b"".join(response.streaming_content)
    for trace in (b"Exif", b"Canon", b"EOS R5", b"012345", b"Wang Jianhua", b"xmpmeta", b"photographer"):
        assert trace not in data, trace
    served = Image.open(io.BytesIO(data))
    assert served.format == "JPEG"
    assert dict(served.getexif()) == {} and "exif" not in served.info and "xmp" not in served.info
    assert "comment" not in served.info
    assert served.size == (20, 40)
    top, bottom = served.getpixel((10, 5)), served.getpixel((10, 34))
    assert top[0] > 200 and top[2] < 50 and bottom[2] > 200 and bottom[0] < 50
    # The evidence itself is the unit's file, as uploaded.
    with evidence.file.open("rb") as handle:
        assert handle.read() == original


def test_the_atom_feed_has_one_entry_per_published_plan_and_month(published):
    response = Client().get("/public/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    assert "截至2022年8月的进展" in entries[0].find("a:title", ns).text
    assert "2. 提升城市建设和管理水平：1.73%" in entries[0].find("a:summary", ns).text
