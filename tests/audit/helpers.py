"""Helpers shared by the audit-trail tests."""

from __future__ import annotations

from django.db.models import QuerySet

from projects.audit.chain import chain_verify
from projects.audit.models import AuditChainHead, AuditRecord


def records(action: str | None = None, **filters) -> QuerySet[AuditRecord]:
    """The records written so far, oldest first."""
    qs = AuditRecord.objects.order_by("seq")
    if action is not None:
        qs = qs.filter(action=action)
    return qs.filter(**filters)


def actions() -> list[str]:
    return list(records().values_list("action", flat=True))


def verify_all():
    head = AuditChainHead.objects.filter(pk=1).first()
    return chain_verify(
        AuditRecord.objects.order_by("seq"),
        boundaries={},
        head_seq=head.seq if head else None,
        head_hash=head.last_hash if head else "",
    )
