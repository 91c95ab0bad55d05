"""The supervision loop's periodic job: thin, idempotent (each reminder and 催办 is claimed once)."""

from __future__ import annotations

from celery import shared_task

from projects.people.services.deputies import suggestion_reminders_send
from projects.supervision.services import supervision_reminders_send
from projects.tasks import RETRYING, _as_of, deliveries_enqueue


@shared_task(name="projects.remind_answers", **RETRYING)
def remind_answers(as_of: str | None = None) -> int:
    """Daily: reminders before notices', instructions' and deputies' suggestions' deadlines, the
    催办 the day after."""
    day = _as_of(as_of)
    ids = supervision_reminders_send(as_of=day) + suggestion_reminders_send(as_of=day)
    deliveries_enqueue(ids)
    return len(ids)
