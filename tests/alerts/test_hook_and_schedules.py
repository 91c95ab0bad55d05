"""The reporting side's hook (with eager Celery), the tasks, and the default timetable."""

import json
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from projects.models import Alert, Indicator, Submission, SubmissionStatus, Unit
from projects.schedules import DEFAULT_SCHEDULES
from projects.services.alerts import alerts_after_submission_change
from projects.services.progress import progress_refresh
from tracker.celery import app

from .conftest import ROADS, at, report

pytestmark = pytest.mark.django_db

# September is judged from the day after its figures were due (5 October).
OCT3, OCT6 = date(2022, 10, 3), date(2022, 10, 6)


def submit(unit_name: str, month: date, value: int) -> None:
    """What the reporting service does: the submission, its progress, then the hook, in one transaction."""
    indicator = Indicator.objects.get(code=ROADS)
    unit = Unit.objects.get(name=unit_name)
    with transaction.atomic():
        Submission.objects.update_or_create(
            indicator=indicator, unit=unit, month=month, defaults={"status": SubmissionStatus.SUBMITTED, "value": value}
        )
        progress_refresh(indicator_id=indicator.pk, unit_id=unit.pk)
        alerts_after_submission_change(indicator_id=indicator.pk, unit_id=unit.pk)


@pytest.fixture
def mianchi_on_track(roads, people):
    # July and August in on time, 70 % by August: green.
    report(ROADS, "渑池县政府", date(2022, 7, 1), value=6)
    report(ROADS, "渑池县政府", date(2022, 8, 1), value=7)


def roads_mail() -> list:
    return [m for m in mail.outbox if ROADS in m.subject]


def test_a_submission_that_turns_an_indicator_red_opens_one_alert_and_sends_one_email(
    mianchi_on_track, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(OCT6), tick=False), django_capture_on_commit_callbacks(execute=True):
        # September's figure, corrected down to 2 of 10 on 6 October: 20 % against 75 %.
        submit("渑池县政府", date(2022, 9, 1), 2)
    [alert] = Alert.objects.filter(indicator__code=ROADS, resolved_at__isnull=True)
    assert (alert.unit.name, alert.kind, alert.severity, alert.actual) == ("渑池县政府", "lagging", "red", 20)
    assert [m.to for m in roads_mail()] == [["mianchi@example.org"]]
    # Another change of the same figure, still red: the same alert, no second e-mail.
    with time_machine.travel(at(OCT6, 11), tick=False), django_capture_on_commit_callbacks(execute=True):
        submit("渑池县政府", date(2022, 9, 1), 3)
    assert Alert.objects.get(pk=alert.pk).actual == 30
    assert Alert.objects.filter(indicator__code=ROADS).count() == 1
    assert len(roads_mail()) == 1
    # Fixed: 8 of 10 is green, the alert resolves itself.
    with time_machine.travel(at(OCT6, 15), tick=False), django_capture_on_commit_callbacks(execute=True):
        submit("渑池县政府", date(2022, 9, 1), 8)
    assert Alert.objects.get(pk=alert.pk).resolved_at is not None


def test_the_hook_does_nothing_if_the_submission_is_rolled_back(mianchi_on_track, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(at(OCT3), tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        submit("渑池县政府", date(2022, 9, 1), 2)
        raise RuntimeError("the unit's save failed")
    assert callbacks == []
    assert not Alert.objects.exists() and mail.outbox == []


def test_a_figure_for_a_month_not_yet_due_changes_no_alert(mianchi_on_track, django_capture_on_commit_callbacks):
    # On 3 October September's figures are still coming in (due on the 5th): the alerts, like the
    # pages, still judge August, where 渑池县 stands at 7 of 10 against 66.67 %: green.
    with time_machine.travel(at(OCT3), tick=False), django_capture_on_commit_callbacks(execute=True):
        submit("渑池县政府", date(2022, 9, 1), 2)
    assert not Alert.objects.exists() and roads_mail() == []


def test_the_hook_leaves_other_units_and_indicators_alone(mianchi_on_track, django_capture_on_commit_callbacks):
    with time_machine.travel(at(OCT6), tick=False), django_capture_on_commit_callbacks(execute=True):
        submit("渑池县政府", date(2022, 9, 1), 2)
    # 陕州区 and 灵宝市 have reported nothing and are red too, but nobody scanned them yet.
    assert set(Alert.objects.values_list("unit__name", flat=True)) == {"渑池县政府"}


def test_every_default_job_names_a_registered_task():
    app.loader.import_default_modules()
    for schedule in DEFAULT_SCHEDULES:
        assert schedule.task in app.tasks, schedule.task
        assert app.tasks[schedule.task].acks_late


def test_setup_schedules_writes_the_defaults_once_and_keeps_the_offices_edits():
    call_command("setup_schedules", stdout=StringIO())
    tasks = {t.task: t for t in PeriodicTask.objects.select_related("crontab", "interval")}
    assert set(tasks) == {s.task for s in DEFAULT_SCHEDULES}
    digest = tasks["projects.send_digests"].crontab
    assert (digest.minute, digest.hour, digest.day_of_week, str(digest.timezone)) == ("0", "8", "1", "Asia/Shanghai")
    daily = tasks["projects.scan_progress"].crontab
    assert (daily.hour, daily.day_of_month, daily.day_of_week) == ("7", "*", "*")
    assert tasks["projects.scan_missing"].crontab.day_of_month == "6"  # after the 5th, the due day
    assert tasks["projects.remind_due"].crontab.day_of_month == "3"  # two days before it
    assert tasks["projects.deliver_pending"].interval.every == 60
    assert all(json.loads(t.kwargs) == {} for t in tasks.values())
    # Every job runs from the start but the bulletin, which the office switches on when it wants it.
    assert {t.task for t in tasks.values() if not t.enabled} == {"projects.send_bulletin"}
    # The office moves the daily scan to 6:00 and pauses the digest in the admin.
    scan = tasks["projects.scan_progress"]
    scan.crontab = type(daily).objects.create(minute="0", hour="6", timezone="Asia/Shanghai")
    scan.save()
    PeriodicTask.objects.filter(task="projects.send_digests").update(enabled=False)
    out = StringIO()
    call_command("setup_schedules", stdout=out)
    assert "+" not in out.getvalue()
    assert PeriodicTask.objects.count() == len(DEFAULT_SCHEDULES)
    assert PeriodicTask.objects.get(task="projects.scan_progress").crontab.hour == "6"
    assert PeriodicTask.objects.get(task="projects.send_digests").enabled is False
