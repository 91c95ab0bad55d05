"""Helpers shared by the audit-trail tests."""

from __future__ import annotations

from django.db.models import QuerySet

from projects.audit.models import AuditRecord
from projects.audit.selectors import audit_verify


def records(action: str | None = None, **filters) -> QuerySet[AuditRecord]:
    """The records written so far, oldest first."""
    qs = AuditRecord.objects.order_by("seq")
    if action is not None:
        qs = qs.filter(action=action)
    return qs.filter(**filters)


def actions() -> list[str]:
    return list(records().values_list("action", flat=True))


def verify_all():
    return audit_verify()
