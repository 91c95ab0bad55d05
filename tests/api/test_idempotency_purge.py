"""Idempotency keys are kept seven days (``IDEMPOTENCY_RETENTION``, docs/api.md), then the daily job
deletes them, asking the one clock for now: within the week a retry still answers what the first
call answered; after it the same request is a new one, and the optimistic lock still keeps it from
storing twice."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from projects.api.models import ApiScope, IdempotencyKey
from projects.api.services import IDEMPOTENCY_RETENTION
from projects.api.tasks import purge_idempotency_keys
from projects.audit.actions import AuditAction
from projects.audit.models import AuditRecord
from projects.models import Submission
from tests.factories import pin_clock
from tests.reporting.conftest import JUNE, indicator, unit

from .helpers import make_client, post

pytestmark = pytest.mark.django_db

URL = "/api/v1/figures/"


def run_job(day: str) -> int:
    """The job as beat starts it (no argument), on ``day`` pinned; at 10:00, the clock fixture's hour."""
    with pin_clock(day):
        return purge_idempotency_keys.delay().get()


def purges() -> list[dict]:
    return list(
        AuditRecord.objects.filter(action=AuditAction.API_KEYS_PURGE).order_by("seq").values_list("detail", flat=True)
    )


def test_a_key_is_kept_seven_days_then_purged(plan_2022, clock):
    assert IDEMPOTENCY_RETENTION.days == 7
    _writer, token = make_client("湖滨区统计系统", scope=ApiScope.WRITE, units=("湖滨区政府",))
    other, _token = make_client("省督查平台")
    body = {
        "unit": unit("湖滨区政府").pk,
        "month": "2022-06",
        "figures": [{"indicator": indicator("1.1.1").pk, "version": 0, "value": 12000}],
    }
    # 3 July 2022, 10:00 (the clock fixture): the write and its key.
    assert post(token, URL, body, key="june-1").status_code == 200
    with pin_clock("2022-06-20"):
        IdempotencyKey.objects.create(client=other, key="old", request_hash="0" * 64)
    stamps = dict(IdempotencyKey.objects.values_list("key", "created_at"))
    assert (stamps["june-1"].isoformat(), stamps["old"].isoformat()) == (
        "2022-07-03T02:00:00+00:00",
        "2022-06-20T02:00:00+00:00",
    )

    # 10 July, 10:00: the key of 3 July is exactly seven days old and stays; the one of 20 June goes.
    assert run_job("2022-07-10") == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["june-1"]
    assert purges() == [{"deleted": 1, "before": "2022-07-03T10:00:00+08:00"}]
    with pin_clock("2022-07-10"):
        retry = post(token, URL, body, key="june-1")
    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    stored = Submission.objects.get(indicator=indicator("1.1.1"), unit=unit("湖滨区政府"), month=JUNE)
    assert stored.version == 1

    # 11 July: the week is over. A second run the same day finds nothing and records nothing.
    assert run_job("2022-07-11") == 1
    assert not IdempotencyKey.objects.exists()
    assert run_job("2022-07-11") == 0
    assert len(purges()) == 2
    # The same request again is a new one now: based on version 0, it is refused, nothing stored.
    with pin_clock("2022-07-11"):
        late_retry = post(token, URL, body, key="june-1")
    assert late_retry.status_code == 409
    stored.refresh_from_db()
    assert stored.version == 1 and not IdempotencyKey.objects.exists()


def test_the_purge_is_a_default_daily_job():
    call_command("setup_schedules", stdout=StringIO())
    job = PeriodicTask.objects.select_related("crontab").get(task="projects.purge_idempotency_keys")
    crontab = job.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_month, crontab.day_of_week, str(crontab.timezone)) == (
        "30",
        "3",
        "*",
        "*",
        "Asia/Shanghai",
    )
    assert job.enabled and json.loads(job.kwargs) == {}
