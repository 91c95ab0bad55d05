"""Faults in the middle of work: a database error halfway through an Excel import, and a scan that
dies halfway (after it has written alerts, before it has told anyone). Nothing is half-written,
the user is told in Chinese, and a rerun finishes the work without sending anything twice.

The faults that need a real broker and worker (Redis down, a worker killed with SIGKILL) are in
test_faults_redis.py; two reviewers at once in tests/reporting/test_concurrency.py."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from projects import tasks
from projects.models import Alert, CityProgress, Delivery, Message, Submission, UnitProgress
from projects.services import alerts as alert_services
from tests.alerts.conftest import ROADS, at, report
from tests.reporting.test_excel import download, fill, upload

pytestmark = pytest.mark.django_db


def state() -> tuple:
    return (
        list(Submission.objects.order_by("pk").values()),
        Submission.history.count(),
        list(UnitProgress.objects.order_by("pk").values()),
        list(CityProgress.objects.order_by("pk").values()),
    )


def fail_on_third_save(monkeypatch) -> list[str]:
    """Make Submission.save fail in the database on its third call, after two rows were written;
    returns the codes of the submissions it was called for."""
    real, saved = Submission.save, []

    def save(submission, *args, **kwargs):
        saved.append(submission.indicator.code)
        if len(saved) == 3:
            with connection.cursor() as cursor:
                # A real error from the database (on PostgreSQL it aborts the transaction).
                cursor.execute("SELECT * FROM table_that_is_not_there")
        return real(submission, *args, **kwargs)

    monkeypatch.setattr(Submission, "save", save)
    return saved


THREE_ROWS = {"1.1.1": {"value": 100}, "1.1.2": {"value": 50}, "1.1.3": {"value": 20, "progress_text": "第三行"}}


def test_a_database_error_at_the_third_row_of_an_upload_saves_nothing(client, clock, hubin, monkeypatch):
    client.force_login(hubin)
    data = fill(download(client), THREE_ROWS)
    before = state()
    saved = fail_on_third_save(monkeypatch)
    page = upload(client, data, submit=True).content.decode()
    assert saved == ["1.1.1", "1.1.2", "1.1.3"]  # two rows were in before the third failed
    assert "保存时数据库出错，未导入任何数据。请稍后重新上传" in page
    assert state() == before
    # Once the database is well again, the same file imports whole.
    monkeypatch.undo()
    assert "已从 Excel 导入 3 项指标（已提交）" in upload(client, data, submit=True).content.decode()
    assert Submission.objects.filter(unit__name="湖滨区政府").count() == 3


def test_a_database_error_in_the_import_command_saves_nothing(client, clock, hubin, monkeypatch, tmp_path):
    client.force_login(hubin)
    path = tmp_path / "hubin.xlsx"
    path.write_bytes(fill(download(client), THREE_ROWS))
    before = state()
    fail_on_third_save(monkeypatch)
    with pytest.raises(CommandError, match="保存时数据库出错，未导入任何数据"):
        call_command("import_figures", str(path), unit="湖滨区政府", month="2022-06", stdout=StringIO())
    assert state() == before


# --- a scan that dies halfway --------------------------------------------------------------------

OCT3 = "2022-10-03"


def sent_twice() -> list:
    seen = Counter((m.to[0], m.extra_headers["X-Tracker-Key"]) for m in mail.outbox)
    return [key for key, n in seen.items() if n > 1]


def test_a_scan_killed_after_writing_alerts_leaves_none_and_a_rerun_sends_once(
    roads, people, monkeypatch, django_capture_on_commit_callbacks
):
    report(ROADS, "渑池县政府", date(2022, 9, 1), value=2)  # 2 of 10 by September: red
    written: list[int] = []

    def die_after_the_alerts(**kwargs):
        # The scan has opened its alerts (in its transaction) and is about to record the news.
        written.extend(Alert.objects.values_list("pk", flat=True))
        raise SystemExit("the worker was killed")

    monkeypatch.setattr(alert_services, "notifications_create", die_after_the_alerts)
    with time_machine.travel(at(date(2022, 10, 3)), tick=False):
        with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
            tasks.scan_progress.apply(args=[OCT3])
        assert written, "the fault came before the scan had written anything"
        assert not Alert.objects.exists() and not Message.objects.exists() and not Delivery.objects.exists()
        assert mail.outbox == []

        monkeypatch.undo()
        with django_capture_on_commit_callbacks(execute=True):
            tasks.scan_progress.apply(args=[OCT3])  # the rerun (the task redelivered, or tomorrow's scan)
        sent = len(mail.outbox)
        assert Alert.objects.filter(unit__name="渑池县政府", indicator__code=ROADS).count() == 1
        assert any("mianchi@example.org" in m.to for m in mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            tasks.scan_progress.apply(args=[OCT3])
            tasks.deliver_pending.apply()
    assert len(mail.outbox) == sent and sent_twice() == []
    assert Delivery.objects.filter(status="sent").count() == sent
