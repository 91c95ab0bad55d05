"""The supervision loop's periodic job: thin, idempotent (each reminder and 催办 is claimed once)."""

from __future__ import annotations

from celery import shared_task

from projects.supervision.services import supervision_reminders_send
from projects.tasks import RETRYING, _as_of, deliveries_enqueue


@shared_task(name="projects.remind_answers", **RETRYING)
def remind_answers(as_of: str | None = None) -> int:
    """Daily: reminders before notices' and instructions' deadlines, the 催办 the day after."""
    ids = supervision_reminders_send(as_of=_as_of(as_of))
    deliveries_enqueue(ids)
    return len(ids)
