"""Faults of the broker and the worker, with a real Redis and real Celery workers.

- Redis down: units keep saving figures and every page works; the failure to enqueue is logged;
  when Redis is back, the daily scan (and the deliver_pending sweep) sends what was missed, once.
- A worker killed with SIGKILL in the middle of a scan, after it has written alerts and before it
  has committed: nothing of that scan is left, and a rerun finishes it, sending nothing twice.
  This one runs a worker in another process on the test database, so it needs PostgreSQL (the
  SQLite test database lives in the memory of this process); it runs in the PostgreSQL pass.

Redis is started on a free port by the test itself, so that it can be "down" first (nothing
listens on the broker's address) and come back on the same address.
"""

from __future__ import annotations

import email
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg
import pytest
import redis
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.core import mail
from django.db import connection
from django.urls import reverse

from projects import tasks
from projects.models import Alert, Delivery, Indicator, Message, Submission, SubmissionStatus
from tests.alerts.conftest import ROADS, at, free_port, redis_server_binary, report
from tests.alerts.test_worker import Tracker, _reset_broker_connections
from tracker.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
OCT3 = date(2022, 10, 3)
SEPTEMBER = date(2022, 9, 1)


class RedisServer:
    """A throwaway redis-server on ``port``: no snapshots, no append-only file."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.port, self.workdir = port, workdir
        self.url = f"redis://127.0.0.1:{port}/0"

    def __enter__(self) -> RedisServer:
        command = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.workdir)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: _pings(client), "redis-server to start", timeout=15)
        client.close()
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Send tasks through the broker at ``url`` instead of running them inline."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "worker_hijack_root_logger")}
    app.conf.update(broker_url=url, task_always_eager=False, worker_hijack_root_logger=False)
    _reset_broker_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        _reset_broker_connections()


@contextmanager
def worker_in_a_thread(url: str, django_db_blocker) -> Iterator[Tracker]:
    """Celery's embedded test worker, consuming from ``url`` (shares this process's database)."""
    tracker = Tracker(url)
    task_prerun.connect(tracker.on_prerun, weak=False)
    task_postrun.connect(tracker.on_postrun, weak=False)
    try:
        with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield tracker
    finally:
        task_prerun.disconnect(tracker.on_prerun)
        task_postrun.disconnect(tracker.on_postrun)


def sent_twice(messages) -> list:
    seen = Counter((m.to[0] if hasattr(m, "to") else m["To"], _key(m)) for m in messages)
    return [key for key, n in seen.items() if n > 1]


def _key(message) -> str:
    return message.extra_headers["X-Tracker-Key"] if hasattr(message, "extra_headers") else message["X-Tracker-Key"]


# --- Redis down ----------------------------------------------------------------------------------


def test_with_redis_down_figures_are_saved_pages_work_and_the_alert_goes_out_when_it_is_back(
    roads, people, client, caplog, tmp_path, django_db_blocker
):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"  # nothing listens there yet: Redis is down
    roads_indicator = Indicator.objects.get(code=ROADS)
    with time_machine.travel(at(OCT3), tick=True), broker(url):
        client.force_login(people.mianchi)
        # The county sends September's figure: 2 of 10 where 75 % was due, red.
        with caplog.at_level(logging.ERROR, logger="projects.tasks"):
            started = time.monotonic()
            response = client.post(
                reverse("report_edit", args=[SEPTEMBER, roads_indicator.pk]),
                {"version": 0, "value": "2", "action": "submit"},
            )
            took = time.monotonic() - started
        assert response.status_code == 302 and response["Location"] == reverse("report_month", args=[SEPTEMBER])
        saved = Submission.objects.get(indicator=roads_indicator, unit__name="渑池县政府", month=SEPTEMBER)
        assert (saved.status, saved.value) == (SubmissionStatus.SUBMITTED, 2)
        assert "could not enqueue projects.reevaluate_alerts" in caplog.text
        assert took < 10, f"saving a figure waited {took:.1f} s for the broker"
        # Every page keeps working.
        pages = [reverse("report_month", args=[SEPTEMBER]), reverse("submission_detail", args=[saved.pk])]
        pages += [reverse("inbox"), reverse("unit_detail", args=[saved.unit_id])]
        for page in pages:
            assert client.get(page).status_code == 200, page
        client.force_login(people.office)
        for page in [reverse("overview"), reverse("lagging_list"), reverse("review_list") + "?status=submitted"]:
            assert client.get(page).status_code == 200, page
        assert not Alert.objects.exists() and mail.outbox == []

        # Redis comes back on the same address, with a worker; the daily scan catches up.
        with RedisServer(port, tmp_path), worker_in_a_thread(url, django_db_blocker) as worker:
            tasks.scan_progress.delay(OCT3.isoformat())
            worker.wait_idle(until=lambda: worker.finished["projects.deliver"] > 0)
            alert = Alert.objects.get(indicator=roads_indicator, unit__name="渑池县政府")
            assert (alert.kind, alert.severity) == ("lagging", "red")
            about_roads = [m for m in mail.outbox if m.to == ["mianchi@example.org"] and ROADS in m.subject]
            assert len(about_roads) == 1
            sent = len(mail.outbox)
            # The scan again, and the sweep: nothing new, nothing twice.
            tasks.scan_progress.delay(OCT3.isoformat())
            tasks.deliver_pending.delay()
            worker.wait_idle(until=lambda: worker.finished["projects.scan_progress"] == 2)
            worker.check_all_ran_in_the_worker()
    # Nothing new from the scan; the sweep also sends, once, the reviewer's notice of the figure
    # (made while Redis was down, held as a pending delivery).
    to_review = [m for m in mail.outbox if m.subject.startswith("【月报待审核】")]
    assert [(m.to, m.subject) for m in to_review] == [
        (["jiaotong@example.org"], "【月报待审核】渑池县政府 10月3日报送 1 项数据")
    ]
    assert [m for m in mail.outbox[sent:] if m not in to_review] == [] and sent_twice(mail.outbox) == []
    assert Alert.objects.count() == Alert.objects.values("indicator", "unit", "kind").distinct().count()


def test_deliveries_made_while_redis_is_down_go_out_with_the_sweep_once(
    roads, people, caplog, tmp_path, django_db_blocker
):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with time_machine.travel(at(OCT3), tick=True), broker(url):
        report(ROADS, "渑池县政府", SEPTEMBER, value=2)
        # The scan runs (here, as the `scan` command or a worker would) but cannot enqueue the sending.
        with caplog.at_level(logging.ERROR, logger="projects.tasks"):
            started = time.monotonic()
            tasks.scan_progress.apply(args=[OCT3.isoformat()])
            took = time.monotonic() - started
        pending = Delivery.objects.filter(status="pending").count()
        assert pending > 1 and mail.outbox == []
        # One failure is logged for the batch: the scan does not wait out the retries of each.
        assert "could not enqueue projects.deliver" in caplog.text and f"(and {pending - 1} more)" in caplog.text
        assert took < 10, f"the scan waited {took:.1f} s for the broker"
        with RedisServer(port, tmp_path), worker_in_a_thread(url, django_db_blocker) as worker:
            tasks.deliver_pending.delay()
            worker.wait_idle(until=lambda: worker.finished["projects.deliver_pending"] == 1)
            assert len(mail.outbox) == pending
            tasks.deliver_pending.delay()
            worker.wait_idle(until=lambda: worker.finished["projects.deliver_pending"] == 2)
    assert len(mail.outbox) == pending and sent_twice(mail.outbox) == []
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}


# --- a worker killed with SIGKILL in the middle of a scan ----------------------------------------


def _database_url() -> str:
    """The test database, for a process started by the test."""
    db = connection.settings_dict
    host, port = db.get("HOST") or "", db.get("PORT") or 5432
    if host.startswith("/") or not host:
        return f"postgres://{db['USER']}@:{port}/{host or '/var/run/postgresql'}/{db['NAME']}"
    return f"postgres://{db['USER']}:{db.get('PASSWORD', '')}@{host}:{port}/{db['NAME']}"


def _psycopg() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"], host=db.get("HOST") or None, port=db.get("PORT") or None, user=db.get("USER") or None,
        password=db.get("PASSWORD") or None, autocommit=True,
    )  # fmt: skip


@contextmanager
def worker_process(url: str, mail_dir: Path, log: Path) -> Iterator[subprocess.Popen]:
    """`celery worker` in a process of its own, on the test database, as production runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_TEST_", "CELERY_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "tracker.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "TRACKER_TEST_EMAIL_FILE_PATH": str(mail_dir),
    }
    command = [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: b"ready." in log.read_bytes() or process.poll() is not None, "the worker to start", 60)
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def _backend_waiting_with_alerts_written(db: psycopg.Connection) -> int | None:
    """The database session of a scan that has inserted alerts and now waits for a lock."""
    row = db.execute(
        """
        SELECT a.pid FROM pg_stat_activity a
        WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.pid <> pg_backend_pid()
          AND EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                      WHERE l.pid = a.pid AND c.relname = %s AND l.mode = 'RowExclusiveLock')
        """,
        [Alert._meta.db_table],
    ).fetchone()
    return row[0] if row else None


def succeeded(log: Path, task: str) -> int:
    """How many runs of ``task`` the workers' log reports finished."""
    return sum(
        1 for line in log.read_text(errors="replace").splitlines() if f"Task {task}[" in line and " succeeded " in line
    )


def _mails(mail_dir: Path) -> list[email.message.Message]:
    found = []
    for path in sorted(mail_dir.glob("*")):
        for part in path.read_bytes().split(b"-" * 79):
            if part.strip():
                found.append(email.message_from_bytes(part.strip()))
    return found


@pytest.mark.postgres
def test_a_worker_killed_mid_scan_leaves_nothing_and_a_rerun_sends_once(roads, people, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SKIPPED LOUDLY: a worker in another process needs the test database on PostgreSQL; "
            "runs in the PostgreSQL pass of `make test`"
        )
    report(ROADS, "渑池县政府", SEPTEMBER, value=2)  # red as of 3 October
    mail_dir, log = tmp_path / "mail", tmp_path / "worker.log"
    mail_dir.mkdir()
    port = free_port()
    with RedisServer(port, tmp_path) as server, broker(server.url), _psycopg() as db, _psycopg() as locker:
        # Hold the tables the scan writes its news to: it will stop there, its alerts written.
        locker.autocommit = False
        locker.execute(f"LOCK TABLE {Message._meta.db_table}, {Delivery._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        with worker_process(server.url, mail_dir, log) as worker:
            tasks.scan_progress.delay(OCT3.isoformat())
            wait_for(lambda: _backend_waiting_with_alerts_written(db) is not None, "the scan to reach its news", 60)
            backend = _backend_waiting_with_alerts_written(db)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        locker.rollback()
        # The killed worker's session ends; PostgreSQL rolls back its transaction.
        wait_for(lambda: db.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone() is None,
                 "the killed worker's session to end")  # fmt: skip
        assert not Alert.objects.exists() and not Message.objects.exists() and not Delivery.objects.exists()
        assert _mails(mail_dir) == []

        # The rerun (tomorrow's scan, or the office's `manage.py scan`) finishes the work.
        with worker_process(server.url, mail_dir, log):
            tasks.scan_progress.delay(OCT3.isoformat())
            wait_for(
                lambda: Delivery.objects.exists() and not Delivery.objects.exclude(status="sent").exists(),
                "the deliveries to be sent",
                60,
            )
            sent = len(_mails(mail_dir))
            tasks.scan_progress.delay(OCT3.isoformat())
            tasks.deliver_pending.delay()
            wait_for(
                lambda: (
                    succeeded(log, "projects.scan_progress") == 2 and succeeded(log, "projects.deliver_pending") == 1
                ),
                "the second scan and the sweep",
            )
    assert Alert.objects.filter(unit__name="渑池县政府", indicator__code=ROADS).count() == 1
    mails = _mails(mail_dir)
    assert any(m["To"] == "mianchi@example.org" for m in mails)
    assert len(mails) == sent == Delivery.objects.count() and sent_twice(mails) == []
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}
