"""Celery tasks: thin wrappers that take ids or a date, call a service and enqueue the sending.

Every task is safe to run twice: the scans reconcile (a second run finds nothing new), and a
delivery is claimed before it is sent (a second run finds it taken). ``acks_late`` gives a task
whose worker died back to another worker; that is why running twice has to be harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from celery import Task, shared_task
from django.db import DatabaseError, transaction

from projects import calendar, clock
from projects.services import alerts as alert_services
from projects.services.bulletin import bulletin_notify_leaders
from projects.services.notifications import deliveries_send_due, delivery_send
from projects.services.summaries import digests_send

logger = logging.getLogger(__name__)

# Above this many new deliveries one sweep is cheaper than a task each.
SWEEP_THRESHOLD = 100

# A scan that loses a race (two scans opening the same alert: the unique constraint refuses the
# second) or meets a locked database rolls back whole; it is simply run again.
RETRYING = {
    "acks_late": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "max_retries": 5,
}


def _publish(task: Task, calls: list[tuple]) -> None:
    for done, args in enumerate(calls):
        try:
            task.delay(*args)
        except Exception:
            # The broker is down: the figures are saved all the same. The periodic sweep sends the
            # pending deliveries and the daily scan catches up with the alerts once it is back.
            # The first failure ends the batch: each further try would wait out the same retries.
            left = len(calls) - done - 1
            logger.exception("could not enqueue %s%s%s", task.name, args, f" (and {left} more)" if left else "")
            return


def enqueue(task: Task, *args: object) -> None:
    """Enqueue ``task`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: _publish(task, [args]))


def deliveries_enqueue(delivery_ids: Iterable[int]) -> None:
    ids = list(delivery_ids)
    if len(ids) > SWEEP_THRESHOLD:
        enqueue(deliver_pending)
    elif ids:
        transaction.on_commit(lambda: _publish(deliver, [(delivery_id,) for delivery_id in ids]))


def _as_of(value: str | None) -> date:
    """The day a job runs as of: the one clock's today (the demo's pinned day on `make run`)."""
    return date.fromisoformat(value) if value else clock.today()


@shared_task(name="projects.scan_progress", **RETRYING)
def scan_progress(as_of: str | None = None) -> dict[str, int]:
    """The daily scan for lagging and overdue items, with escalation to supervision notices."""
    result = alert_services.alerts_scan(as_of=_as_of(as_of), kinds=alert_services.PROGRESS_KINDS)
    deliveries_enqueue(result.delivery_ids)
    return result.summary()


@shared_task(name="projects.scan_missing", **RETRYING)
def scan_missing(as_of: str | None = None) -> dict[str, int]:
    """The scan for missing reports, after each month's due day."""
    result = alert_services.alerts_scan(as_of=_as_of(as_of), kinds=(alert_services.AlertKind.MISSING,))
    deliveries_enqueue(result.delivery_ids)
    return result.summary()


@shared_task(name="projects.reevaluate_alerts", **RETRYING)
def reevaluate_alerts(indicator_id: int, unit_id: int) -> dict[str, int]:
    """After a submission change: that unit's alerts on that indicator, and the city's."""
    result = alert_services.alerts_reevaluate(indicator_id=indicator_id, unit_id=unit_id)
    deliveries_enqueue(result.delivery_ids)
    return result.summary()


@shared_task(name="projects.remind_due", **RETRYING)
def remind_due(as_of: str | None = None) -> int:
    """Two days before the due day: tell each unit what it still owes."""
    ids = alert_services.due_reminders_send(as_of=_as_of(as_of))
    deliveries_enqueue(ids)
    return len(ids)


@shared_task(name="projects.send_digests", **RETRYING)
def send_digests(as_of: str | None = None) -> int:
    """Monday morning: each leader's weekly digest."""
    ids = digests_send(as_of=_as_of(as_of))
    deliveries_enqueue(ids)
    return len(ids)


@shared_task(name="projects.send_bulletin", **RETRYING)
def send_bulletin(month: str | None = None) -> int:
    """The monthly bulletin to the leaders: ``month`` (YYYY-MM), by default each plan's reporting
    month as of today (the job runs on the 8th, after the due day and a few days of review)."""
    ids = bulletin_notify_leaders(month=calendar.parse_month(month) if month else None, today=clock.today())
    deliveries_enqueue(ids)
    return len(ids)


@shared_task(name="projects.deliver", acks_late=True)
def deliver(delivery_id: int) -> str:
    """Send one delivery (a no-op if it was sent, is being sent, or is not due)."""
    return delivery_send(delivery_id=delivery_id)


@shared_task(name="projects.deliver_pending", acks_late=True)
def deliver_pending() -> dict[str, int]:
    """The frequent sweep: new deliveries whose task was lost, and retries after back-off."""
    return deliveries_send_due()


# The supervision loop's and the API's jobs live beside their services; importing them here
# registers them with the worker (autodiscovery looks at this module only).
from projects.api import tasks as _api_tasks  # noqa: E402, F401
from projects.supervision import tasks as _supervision_tasks  # noqa: E402, F401
