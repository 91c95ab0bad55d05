"""Helpers shared by the audit-trail tests."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from projects.audit.models import AuditChainHead, AuditRecord
from projects.audit.selectors import audit_verify


def empty_audit_trail() -> None:
    """Empty the trail as the test runner may (inside the test's transaction, rolled back after
    it): TRUNCATE, which PostgreSQL allows the test settings' sessions only."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {AuditRecord._meta.db_table}, {AuditChainHead._meta.db_table}")
        else:
            cursor.execute(f"DELETE FROM {AuditRecord._meta.db_table}")
            cursor.execute(f"DELETE FROM {AuditChainHead._meta.db_table}")


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
