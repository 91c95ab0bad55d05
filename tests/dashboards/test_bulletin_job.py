"""The monthly job: the bulletin e-mailed to the leaders (Word and Excel attached) once a month."""

import io
import json
import zipfile
from datetime import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from docx import Document
from openpyxl import load_workbook

from projects.models import Delivery, DeliveryStatus, Event, Message, Role
from projects.schedules import DEFAULT_SCHEDULES
from projects.tasks import send_bulletin
from tests.alerts.factories import UserFactory
from tests.dashboards.conftest import JUNE, TZ, report

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def leader(plan_2022):
    """One leader, and people who are not to get the bulletin (each build takes a moment)."""
    report("1.1.1", "湖滨区政府", JUNE, value=Decimal(15000))
    UserFactory(username="retired", role=Role.LEADER, is_active=False)
    UserFactory(username="office", role=Role.OFFICE)
    UserFactory(username="hubin", role=Role.UNIT, unit_name="湖滨区政府")
    return UserFactory(username="mayor", role=Role.LEADER)


@pytest.fixture
def leaders(leader):
    UserFactory(username="vice-mayor", role=Role.LEADER)
    return ["mayor@example.org", "vice-mayor@example.org"]


def run_job(django_capture_on_commit_callbacks, month: str | None = None) -> int:
    # The task enqueues the sending when its transaction commits; eager Celery then sends at once.
    with django_capture_on_commit_callbacks(execute=True):
        return send_bulletin.delay(month).get() if month else send_bulletin.delay().get()


def test_each_leader_gets_the_bulletin_with_a_real_word_document(leaders, django_capture_on_commit_callbacks):
    assert run_job(django_capture_on_commit_callbacks, "2022-06") == 2
    assert sorted(m.to[0] for m in mail.outbox) == leaders
    message = mail.outbox[0]
    assert message.subject == "【月度通报】2022年重点民生实事进展通报（截至2022年6月底）"
    assert "/dashboards/bulletin.docx?plan=" in message.body
    (docx_name, docx, docx_type), (xlsx_name, xlsx, xlsx_type) = message.attachments
    assert (docx_name, docx_type) == ("2022年重点民生实事进展通报（截至2022年6月底）.docx", DOCX)
    # A real Word document: a zip with the main part, that python-docx reads back.
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(docx)).namelist()
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "2022年重点民生实事工作进展情况通报" in text and "截至2022年6月30日" in text
    assert (xlsx_name.endswith(".xlsx"), xlsx_type) == (True, XLSX)
    assert load_workbook(io.BytesIO(xlsx)).sheetnames[0] == "总体进展"
    # And a note in each leader's inbox, linking to the download.
    notes = Message.objects.filter(kind=Event.BULLETIN)
    assert sorted(notes.values_list("recipient__username", flat=True)) == ["mayor", "vice-mayor"]
    assert notes.first().link.startswith(reverse("bulletin_download", args=["docx"]))


def test_a_month_is_mailed_once_whatever_reruns_happen(leader, django_capture_on_commit_callbacks):
    run_job(django_capture_on_commit_callbacks, "2022-06")
    assert run_job(django_capture_on_commit_callbacks, "2022-06") == 0
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(event=Event.BULLETIN, status=DeliveryStatus.SENT).count() == 1
    assert Message.objects.filter(kind=Event.BULLETIN).count() == 1
    # The next month is news again.
    run_job(django_capture_on_commit_callbacks, "2022-07")
    assert len(mail.outbox) == 2


def test_by_default_the_job_sends_the_month_before(leader, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2022, 7, 8, 9, 0, tzinfo=TZ), tick=False):
        run_job(django_capture_on_commit_callbacks)
    assert {m.subject for m in mail.outbox} == {"【月度通报】2022年重点民生实事进展通报（截至2022年6月底）"}


def test_a_month_outside_every_plan_sends_nothing(leader, django_capture_on_commit_callbacks):
    assert run_job(django_capture_on_commit_callbacks, "2030-01") == 0
    assert mail.outbox == []


def test_the_monthly_job_is_set_up_switched_off_for_the_office_to_enable():
    [job] = [s for s in DEFAULT_SCHEDULES if s.task == "projects.send_bulletin"]
    assert not job.enabled
    call_command("setup_schedules", stdout=StringIO())
    task = PeriodicTask.objects.select_related("crontab").get(task="projects.send_bulletin")
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_month, str(crontab.timezone)) == (
        "0",
        "9",
        "8",
        "Asia/Shanghai",
    )
    assert task.enabled is False and json.loads(task.kwargs) == {}
    # Once the office enables it, a rerun of the set-up leaves it enabled.
    PeriodicTask.objects.filter(pk=task.pk).update(enabled=True)
    call_command("setup_schedules", stdout=StringIO())
    assert PeriodicTask.objects.get(pk=task.pk).enabled is True
