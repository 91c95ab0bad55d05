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

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from projects.audit import chain
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


def _lock_head() -> AuditChainHead:
    """Lock the chain's head, creating it if it is missing (a fresh or flushed database).

    An UPDATE first, then the read: the UPDATE waits for any other writer's transaction to end
    (PostgreSQL's row lock; SQLite's single writer), so the read sees the link that writer made."""
    for _attempt in range(3):
        if AuditChainHead.objects.filter(pk=HEAD_ID).update(seq=F("seq")):
            return AuditChainHead.objects.get(pk=HEAD_ID)
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
    with transaction.atomic():
        head = _lock_head()
        record = AuditRecord(
            seq=head.seq + 1,
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
            prev_hash=head.last_hash,
        )
        record.hash = chain.record_hash(record, key)
        record.save(force_insert=True)
        AuditChainHead.objects.filter(pk=HEAD_ID).update(seq=record.seq, last_hash=record.hash)
    return record


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
