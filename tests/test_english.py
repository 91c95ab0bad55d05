"""English that reads as English: due dates and months in English formats, the edit button, the
admin's periodic jobs. (Every marked string has a translation: tests/test_ui_frame.py.)"""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from projects.models import User
from tests.dashboards.conftest import make_user, report
from tests.factories import pin_clock

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")


def in_english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_a_units_month_reads_as_english(client, plan_2022):
    hubin = make_user("hubin-en", "unit", "湖滨区政府")
    report("1.1.1", "湖滨区政府", date(2022, 9, 1), status="draft", value=100)
    client.force_login(hubin)
    in_english(client)
    with pin_clock("2022-10-06"):
        page = client.get(reverse("report_month", args=[date(2022, 9, 1)])).content.decode()
    assert "Oct. 5" in page and "10月5日" not in page
    assert "September 2022" in page and "2022年9月" not in page
    assert ">Edit<" in page and "Changed" not in page
    assert "Demo clock: the tracker runs as of Oct. 6, 2022." in page


def test_the_overview_says_its_due_day_in_english(client, plan_2022):
    office = make_user("office-en", "office")
    client.force_login(office)
    in_english(client)
    with pin_clock("2022-10-06"):
        page = client.get(reverse("overview")).content.decode()
    assert "due Oct. 5" in page and "September 2022" in page


def test_the_admins_periodic_jobs_read_as_english(client, plan_2022):
    call_command("setup_schedules", stdout=StringIO())
    admin = User.objects.create_superuser("root-en", "root@example.org", "not-used-pass-1A!")
    client.force_login(admin)
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    in_english(client)
    page = client.get(url).content.decode()
    names = re.findall(r'<t[hd] class="field-title">(?:<a [^>]*>)?([^<]*)<', page)
    assert "Daily alert scan (lagging, overdue, supervision notices)" in names
    assert "Monthly bulletin (last month&#x27;s, sent on the 8th)" in names
    assert "Report reminders and overdue urgings for notices and instructions" in names
    assert "Purge expired API idempotency keys" in names
    assert len(names) == 8 and not any(HAN.search(n) for n in names)
    about = re.findall(r'<td class="field-about">([^<]*)<', page)
    assert len(about) == 8 and not any(HAN.search(a) for a in about)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "每日预警扫描（滞后、逾期、督办）" in client.get(url).content.decode()
