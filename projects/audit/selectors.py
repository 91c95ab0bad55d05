"""Reading the audit trail: the chain check, and the records a page or an export shows."""

from __future__ import annotations

from django.db import transaction

from projects.audit.actions import AuditAction
from projects.audit.chain import Verification, chain_verify
from projects.audit.models import AuditChainHead, AuditRecord, AuditResult


def purge_boundaries() -> dict[int, str]:
    """Where each recorded purge cut the chain: first kept seq → hash of the last record removed."""
    boundaries = {}
    purges = AuditRecord.objects.filter(action=AuditAction.AUDIT_PURGE, result=AuditResult.SUCCESS)
    for purge in purges.only("seq", "prev_hash", "detail"):
        first = purge.detail.get("first_kept_seq") or purge.seq
        boundaries[first] = purge.detail.get("boundary_hash") or purge.prev_hash
    return boundaries


def audit_verify() -> Verification:
    """Walk the whole chain, oldest first, in pages (it may hold millions of records).

    Head and records are read in one snapshot, so that records written meanwhile (each commits
    with its move of the head) are either all seen or not at all."""
    connection = transaction.get_connection()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        head = AuditChainHead.objects.filter(pk=1).first()
        return chain_verify(
            AuditRecord.objects.order_by("seq").iterator(chunk_size=2000),
            boundaries=purge_boundaries(),
            head_seq=head.seq if head else None,
            head_hash=head.last_hash if head else "",
        )
