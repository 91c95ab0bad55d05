"""A correction approved resolves its alert through the real worker and Redis, as on `make run`'s
stack, with no scan typed by hand: the re-evaluation after each submission change judges as of the
one clock (the demo's pinned day), not the machine's date.

Two workers: Celery's embedded worker in a thread of this process (both databases), and a
`celery worker` process of its own with TRACKER_TODAY in its environment, as `make run` starts it
(PostgreSQL only: the SQLite test database lives in this process's memory). Between them they show
that the jobs read the pin wherever they run.
"""

from __future__ import annotations

import os
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from projects.models import Alert, Indicator, Message, Submission, SubmissionStatus
from projects.services.reporting import FigureInput, submission_review, submission_save
from tests.factories import pin_clock
from tests.hardening.test_faults_redis import RedisServer, broker, free_port, wait_for, worker_process

from .conftest import ROADS
from .test_worker import worker  # noqa: F401 - the module's real worker, on its own Redis

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

DEMO_DAY = date(2022, 10, 6)  # the day after September's figures were due
SEPTEMBER = date(2022, 9, 1)


def send(user, value: int) -> Submission:
    indicator = Indicator.objects.get(code=ROADS)
    current = Submission.objects.filter(indicator=indicator, unit=user.unit, month=SEPTEMBER).first()
    return submission_save(
        user=user,
        indicator_id=indicator.pk,
        month=SEPTEMBER,
        figure=FigureInput(value=Decimal(value), explanation="更正：补录9月完成数。" if current else ""),
        version=current.version if current else 0,
        submit=True,
    )


def mianchi_alert() -> Alert:
    return Alert.objects.get(indicator__code=ROADS, unit__name="渑池县政府", kind="lagging")


def test_a_correction_approved_resolves_its_alert_through_the_worker_within_seconds(
    worker,  # noqa: F811
    roads,
    people,
    client,
):
    with pin_clock(DEMO_DAY):
        # 渑池县's September figure, 2 of its 10 villages: 20 % against 75 %, red. The worker
        # re-evaluates after the submission (as of the clock: September) and opens the alert.
        before = worker.finished["projects.reevaluate_alerts"]
        send(people.mianchi, 2)
        worker.wait_idle(until=lambda: worker.finished["projects.reevaluate_alerts"] > before)
        alert = mianchi_alert()
        assert (alert.severity, alert.month, alert.resolved_at) == ("red", SEPTEMBER, None)
        assert Message.objects.filter(recipient=people.mianchi, alert=alert, resolved_at__isnull=True).exists()

        # The county corrects it to 8 (80 %: green) and 市交通运输局 approves the correction.
        # The reviewer approves once the worker has taken the correction up: on SQLite the test
        # database is one in-memory database shared by both threads, where a write that meets
        # another's lock fails at once instead of waiting its turn as a database file does.
        start = time.monotonic()
        before = worker.finished["projects.reevaluate_alerts"]
        corrected = send(people.mianchi, 8)
        worker.wait_idle(until=lambda: worker.finished["projects.reevaluate_alerts"] > before)
        submission_review(user=people.jiaotong, submission_id=corrected.pk, version=corrected.version, approve=True)
        assert Submission.objects.get(pk=corrected.pk).status == SubmissionStatus.APPROVED
        worker.wait_idle(until=lambda: Alert.objects.get(pk=alert.pk).resolved_at is not None, timeout=10)
        elapsed = time.monotonic() - start
        worker.check_all_ran_in_the_worker()

        alert.refresh_from_db()
        assert timezone.localdate(alert.resolved_at) == DEMO_DAY and elapsed < 10
        # Its messages say so, with the day, and are no longer open items.
        messages = Message.objects.filter(alert=alert)
        assert messages.exists() and all(m.resolved_at is not None for m in messages)
        client.force_login(people.mianchi)
        inbox = client.get(reverse("inbox"))
        assert "已解除 2022-10-06" in inbox.content.decode()
        assert inbox.context["unread"] == Message.objects.filter(
            recipient=people.mianchi, read_at__isnull=True, resolved_at__isnull=True
        ).count()


@pytest.mark.postgres
def test_a_worker_process_reads_the_pinned_clock_from_its_environment(roads, people, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SKIPPED LOUDLY: a worker in another process needs the test database on PostgreSQL; "
            "runs in the PostgreSQL pass of `make test`"
        )
    # This process does not pin the clock: today is the machine's date (years after 2022, when the
    # plan has nothing to judge in September). The worker gets TRACKER_TODAY as `make run` gives it.
    monkeypatch.setenv("TRACKER_TODAY", DEMO_DAY.isoformat())
    mail_dir, log = tmp_path / "mail", tmp_path / "worker.log"
    mail_dir.mkdir()
    with RedisServer(free_port(), tmp_path) as server, broker(server.url), worker_process(server.url, mail_dir, log):
        monkeypatch.delenv("TRACKER_TODAY")
        with pin_clock(DEMO_DAY):
            send(people.mianchi, 2)  # the figure's own checks ask this process's clock
        wait_for(lambda: Alert.objects.filter(indicator__code=ROADS, resolved_at__isnull=True).exists(),
                 "the worker to open the alert", 30)  # fmt: skip
        alert = mianchi_alert()
        assert alert.month == SEPTEMBER
        with pin_clock(DEMO_DAY):
            corrected = send(people.mianchi, 8)
            submission_review(user=people.jiaotong, submission_id=corrected.pk, version=corrected.version, approve=True)
        wait_for(lambda: Alert.objects.get(pk=alert.pk).resolved_at is not None, "the worker to resolve it", 30)
    alert.refresh_from_db()
    assert timezone.localdate(alert.resolved_at) == DEMO_DAY
    assert os.environ.get("TRACKER_TODAY") is None
