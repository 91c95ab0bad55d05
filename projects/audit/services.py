"""Writing the audit trail: ``audit_record`` is the one function every part of the tracker calls.

Call it last in the transaction of the act it records (after every other row the act locks):
the record commits or rolls back with the act, and the chain's head stays locked for as short a
time as possible. A refused act is recorded with ``audit_refusals`` around the service, after its
own transaction has rolled back.
"""

from __future__ import annotations

import datetime as dt
import getpass
import ipaddress
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.audit import chain
from projects.audit.actions import AuditAction
from projects.audit.models import AuditChainHead, AuditRecord, AuditResult, AuditVia

HEAD_ID = 1


# --- where an act comes from ----------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    request: HttpRequest | None = None
    via: str | None = None
    source: str = ""


_NO_CONTEXT = _Context()
_context: ContextVar[_Context] = ContextVar("audit_context", default=_NO_CONTEXT)


@contextmanager
def audit_context(*, request: HttpRequest | None = None, via: str | None = None, source: str = "") -> Iterator[None]:
    """Acts recorded inside come from this request, command or job (the middleware sets the
    request of each page; ``AuditedCommand`` the command)."""
    token = _context.set(_Context(request=request, via=via, source=source))
    try:
        yield
    finally:
        _context.reset(token)


def command_source(name: str) -> str:
    """``manage.py load_plan (root@web1)``: the command and who ran it on which machine."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    return f"manage.py {name} ({who}@{socket.gethostname()})"


def _running_task() -> str | None:
    from celery import current_task

    request = getattr(current_task, "request", None) if current_task else None
    return current_task.name if request is not None and getattr(request, "id", None) else None


def client_address(request: HttpRequest) -> str:
    """The client's address as django-axes counts it (behind nginx: the address nginx saw)."""
    from axes.helpers import get_client_ip_address

    return _address(get_client_ip_address(request))


def _address(raw: str | None) -> str:
    try:
        return str(ipaddress.ip_address((raw or "").strip()))
    except ValueError:
        return ""


# --- what is recorded ----------------------------------------------------------------------


@dataclass(frozen=True)
class AuditTarget:
    """The object of an act when no model instance is at hand (an id only, a file, a month)."""

    type: str
    id: str = ""
    text: str = ""

    @classmethod
    def of(cls, obj: models.Model) -> AuditTarget:
        return cls(type=obj._meta.label_lower, id="" if obj.pk is None else str(obj.pk), text=str(obj))

    @classmethod
    def ref(cls, model: type[models.Model], pk: Any, text: str = "") -> AuditTarget:
        return cls(type=model._meta.label_lower, id=str(pk), text=text)


def _clean(text: Any, limit: int) -> str:
    """Text the database takes whatever was typed: no NUL, no lone surrogates, cut to the column."""
    value = str(text).replace("\x00", "")
    return value.encode("utf-8", "replace").decode("utf-8")[:limit]


def _jsonable(value: Any) -> Any:
    """The detail as plain JSON that reads back exactly as written on SQLite and PostgreSQL
    (jsonb rewrites floats, so numbers that are not integers are kept as text)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return _clean(value, 100_000)
    if isinstance(value, float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {_clean(k, 200): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, models.Model):
        return {"type": value._meta.label_lower, "id": value.pk, "text": _clean(value, 255)}
    return _clean(value, 10_000)


def actor_role(user: Any) -> str:
    """The role copied into each record (accounts change; the record keeps what it was)."""
    if getattr(user, "is_superuser", False):
        return "superuser"
    return str(getattr(user, "role", "") or "")


def _target(obj: models.Model | AuditTarget | None) -> AuditTarget:
    if obj is None:
        return AuditTarget(type="")
    if isinstance(obj, AuditTarget):
        return obj
    return AuditTarget.of(obj)


def _lock_head() -> tuple[int, str]:
    """Lock the chain's head and read it: ``(seq, last_hash)`` of the chain's last record.

    One UPDATE … RETURNING: it waits for any other writer's transaction to end (PostgreSQL's row
    lock; SQLite's single writer), so what it returns is the link that writer made. A missing head
    (a fresh or flushed database) is made from the last record."""
    table = AuditChainHead._meta.db_table
    for _attempt in range(3):
        connection = transaction.get_connection()
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET seq = seq WHERE id = %s RETURNING seq, last_hash", [HEAD_ID])  # noqa: S608
            row = cursor.fetchone()
        if row is not None:
            return row[0], row[1]
        last = AuditRecord.objects.order_by("-seq").only("seq", "hash").first()
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(
                    pk=HEAD_ID, seq=last.seq if last else 0, last_hash=last.hash if last else ""
                )
        except IntegrityError:
            continue  # another writer created it first: lock theirs
    raise RuntimeError("could not lock the audit chain's head")


def audit_record(
    *,
    action: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: models.Model | AuditTarget | None = None,
    result: str = AuditResult.SUCCESS,
    detail: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Record one act: who (``actor``, else the request's user), from where (the request, else
    the current page's request, command or job), what (``action``, a code of ``AuditAction``),
    on what (``obj``), with what ``result`` and ``detail`` (plain JSON)."""
    context = _context.get()
    request = request or context.request
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    task = _running_task()
    if task:
        via, source = AuditVia.TASK, task
    elif context.via:
        via, source = context.via, context.source
    elif request is not None:
        via, source = AuditVia.WEB, ""
    else:
        via, source = AuditVia.SYSTEM, ""
    if request is not None and not source:
        source = f"{request.method} {request.path}"
    target = _target(obj)
    key_id, key = chain.signing_key()
    # No savepoint of its own: inside the act's transaction the record commits or rolls back with it.
    with transaction.atomic(savepoint=False):
        head_seq, head_hash = _lock_head()
        record = AuditRecord(
            seq=head_seq + 1,
            at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
            actor_username=_clean(actor.get_username() if actor is not None else "", 150),
            actor_role=_clean(actor_role(actor) if actor is not None else "", 30),
            address=client_address(request) if request is not None else "",
            via=via,
            source=_clean(source, 200),
            action=_clean(action, 64),
            object_type=_clean(target.type, 100),
            object_id=_clean(target.id, 64),
            object_repr=_clean(target.text, 255),
            result=result,
            detail=_jsonable(dict(detail or {})),
            key_id=key_id,
            prev_hash=head_hash,
        )
        record.hash = chain.record_hash(record, key)
        record.save(force_insert=True)
        AuditChainHead.objects.filter(pk=HEAD_ID).update(seq=record.seq, last_hash=record.hash)
    return record


def audit_export(
    *,
    request: HttpRequest,
    what: str,
    fmt: str,
    obj: models.Model | AuditTarget | None = None,
    action: str = AuditAction.EXPORT,
    detail: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Record data leaving the tracker through a page: which list or file, in which format, with
    the query that chose its rows."""
    query = {k: v if len(v) > 1 else v[0] for k, v in request.GET.lists()}
    return audit_record(
        action=action,
        request=request,
        obj=obj,
        detail={"what": what, "format": fmt, "query": query, **(detail or {})},
    )


def refusal_reason(exc: BaseException) -> str:
    """What the user was told, or the kind of error."""
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    if isinstance(exc, models.ObjectDoesNotExist):
        return "not found, or not permitted"
    return f"{type(exc).__name__}: {exc}"


@contextmanager
def audit_refusals(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | AuditTarget | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Iterator[None]:
    """Record a refused act (a stale form, a locked month, an object that is not the actor's) as
    a failure, then let the refusal go on to the caller. Wrap the service's own transaction, so
    that the record is not rolled back with it."""
    try:
        yield
    except Exception as exc:
        if transaction.get_connection().needs_rollback:
            raise  # an enclosing transaction is broken and will roll back whatever we write
        audit_record(
            action=action,
            actor=actor,
            obj=obj,
            result=AuditResult.FAILURE,
            detail={**(detail or {}), "reason": refusal_reason(exc)[:1000]},
        )
        raise


# --- retention ------------------------------------------------------------------------------


def purge_limit(*, now: dt.datetime | None = None) -> dt.datetime:
    """The newest moment a purge may reach: records younger than the retention period stay."""
    return (now or timezone.now()) - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)


@dataclass(frozen=True)
class PurgeResult:
    deleted: int
    before: dt.datetime
    record: AuditRecord


def audit_purge(*, actor: Any, before: dt.datetime | None = None) -> PurgeResult:
    """Delete the records older than ``before`` (at most the retention limit), as the audit
    administrator, and record the purge with the hash it cut the chain at, so that
    ``verify_audit`` checks the chain from the first kept record on.

    Only a prefix of the chain goes (records up to the first one not older than ``before``), so
    what stays is one unbroken chain."""
    if actor is None or not actor.has_perm("projects.purge_auditrecord"):
        with audit_refusals(action=AuditAction.AUDIT_PURGE, actor=actor):
            raise PermissionDenied("purging the audit trail needs the purge_auditrecord permission")
    limit = purge_limit()
    before = before or limit
    if before > limit:
        message = _("审计记录至少保存 %(days)s 天：只能清理 %(limit)s 之前的记录") % {
            "days": settings.AUDIT_RETENTION_DAYS,
            "limit": timezone.localtime(limit).strftime("%Y-%m-%d %H:%M"),
        }
        with audit_refusals(action=AuditAction.AUDIT_PURGE, actor=actor, detail={"before": before}):
            raise ValidationError(message)
    with transaction.atomic():
        _head_seq, head_hash = _lock_head()  # no record is written while the chain is cut
        first_kept = AuditRecord.objects.filter(at__gte=before).order_by("seq").only("seq", "prev_hash").first()
        doomed = AuditRecord.objects.filter(seq__lt=first_kept.seq) if first_kept else AuditRecord.objects.all()
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The database lets the purge delete records older than this, and only this transaction.
                cursor.execute("SELECT set_config('tracker.audit_purge_before', %s, true)", [before.isoformat()])
        deleted, _by_model = doomed.delete()
        record = audit_record(
            action=AuditAction.AUDIT_PURGE,
            actor=actor,
            detail={
                "before": before,
                "deleted": deleted,
                # None: nothing older was kept, so the chain starts at this record.
                "first_kept_seq": first_kept.seq if first_kept else None,
                "boundary_hash": first_kept.prev_hash if first_kept else head_hash,
            },
        )
    return PurgeResult(deleted=deleted, before=before, record=record)
