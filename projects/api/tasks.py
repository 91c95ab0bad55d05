"""The API's periodic job: thin, and harmless to run twice (a second run finds nothing to delete)."""

from __future__ import annotations

from celery import shared_task

from projects.api.services import idempotency_keys_purge
from projects.tasks import RETRYING


@shared_task(name="projects.purge_idempotency_keys", **RETRYING)
def purge_idempotency_keys() -> int:
    """Daily: delete the write keys older than the retention (the one clock's now)."""
    return idempotency_keys_purge()
