"""Writes of the API: a client's token, the figures a client sends for its units, and the purge
of old idempotency keys.

The figures go through the reporting service's ``figure_store``, the code behind the figure form
and the Excel import: the same checks, the same messages, the same optimistic lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from projects import calendar, clock
from projects.api.models import ApiClient, IdempotencyKey
from projects.audit.actions import AuditAction
from projects.audit.models import AuditResult
from projects.audit.services import audit_record, audit_refusals
from projects.models import Unit
from projects.selectors import reporting as sel
from projects.services.reporting import Conflict, FigureInput, Locked, figure_store, number_parse

# How long a write's Idempotency-Key is remembered (docs/api.md): a retry within it answers what the
# first call answered; the daily job (projects.purge_idempotency_keys) deletes older keys.
IDEMPOTENCY_RETENTION = dt.timedelta(days=7)
TOKEN_PREFIX = "trk_"  # noqa: S105 - what every token starts with, not a secret
REASON_API_DRAFT = "通过接口保存（{client}）"
REASON_API_SUBMIT = "通过接口报送（{client}）"


# --- who calls -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiPrincipal:
    """The actor of an API call, as the audit trail records it: the client, never a person (no
    account id; the username says which client)."""

    client: ApiClient
    pk: None = None
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False
    is_superuser: bool = False
    role: str = "api"

    def get_username(self) -> str:
        return f"api:{self.client.name}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_client_issue_token(*, client: ApiClient, actor: Any) -> str:
    """Give a client a new token (the old one stops working) and return it: it is shown once and
    only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        client.token_hash = token_hash(token)
        client.token_prefix = token[: len(TOKEN_PREFIX) + 6]
        if client.pk is None:
            client.created_by = actor if getattr(actor, "pk", None) else None
            client.save()
        else:
            client.save(update_fields=["token_hash", "token_prefix"])
        audit_record(
            action=AuditAction.API_TOKEN_ISSUE,
            actor=actor,
            obj=client,
            detail={"prefix": client.token_prefix, "scope": client.scope, "expires_at": client.expires_at},
        )
    return token


# --- the figures a client sends ---------------------------------------------------------------


@dataclass(frozen=True)
class FigureError:
    indicator: int | None
    field: str
    message: str


class FiguresRefused(Exception):
    """Nothing of the request was stored; ``errors`` say why, item by item. ``conflict``: some item
    was based on an older version or is locked (HTTP 409), else the figures are wrong (HTTP 400)."""

    def __init__(self, message: str, errors: list[FigureError], *, conflict: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.conflict = conflict


class KeyReused(Exception):
    """The idempotency key was used before for a different request."""

    def __init__(self) -> None:
        self.message = _("该幂等键（Idempotency-Key）已用于另一内容不同的请求，请为新的请求使用新的键")
        super().__init__(self.message)


@dataclass(frozen=True)
class FigureItem:
    """One item of a request: an indicator's figure with the version it was based on. ``numbers``
    are as sent (JSON numbers or text), read here with the form's ``number_parse``."""

    indicator: int
    figure: FigureInput
    version: int
    numbers: dict[str, Any] = field(default_factory=dict)

    def parsed(self, errors: list[FigureError]) -> FigureInput | None:
        """The figure with its numbers read, or None (and the problems in ``errors``)."""
        values = {}
        for name, raw in self.numbers.items():
            try:
                values[name] = number_parse(raw)
            except ValidationError as exc:
                errors.extend(FigureError(self.indicator, name, m) for m in exc.messages)
        if len(values) != len(self.numbers):
            return None
        return replace(self.figure, **values)


@dataclass
class WriteResult:
    status_code: int
    body: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False


def request_hash(payload: Any) -> str:
    """What a retry must repeat exactly to be the same request."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def writable_units(client: ApiClient):
    """The units a client may write figures for: its named units if its scope is write."""
    return client.units.all() if client.writes and client.is_active else Unit.objects.none()


def api_figures_submit(
    *,
    client: ApiClient,
    unit_id: int,
    month: dt.date,
    items: list[FigureItem],
    submit: bool,
    key: str,
    fingerprint: str,
    today: dt.date | None = None,
) -> WriteResult:
    """Store a unit's figures of a month sent by a client: all of them or none.

    A key already used with the same request returns the first answer and stores nothing; with a
    different request it is refused. Raises ``Unit.DoesNotExist`` for a unit the client does not
    write for, ``FiguresRefused`` or ``KeyReused``; then nothing was stored."""
    principal = ApiPrincipal(client)
    detail = {"month": calendar.month_of(month), "submit": submit, "items": len(items), "key": key}
    target = Unit.objects.filter(pk=unit_id).first() or Unit(pk=unit_id)
    with audit_refusals(action=AuditAction.API_FIGURES, actor=principal, obj=target, detail=detail):
        return _figures_submit(
            client=client, principal=principal, unit_id=unit_id, month=month, items=items, submit=submit, key=key,
            fingerprint=fingerprint, today=today or clock.today(),
        )  # fmt: skip


@transaction.atomic
def _figures_submit(*, client, principal, unit_id, month, items, submit, key, fingerprint, today) -> WriteResult:
    unit = writable_units(client).get(pk=unit_id)
    try:
        with transaction.atomic():
            claim = IdempotencyKey.objects.create(client=client, key=key, request_hash=fingerprint)
    except IntegrityError:
        # The key is taken: by a finished write (a retry), or one that has just committed (a
        # concurrent duplicate waited here for it on PostgreSQL's unique index).
        earlier = IdempotencyKey.objects.get(client=client, key=key)
        if earlier.request_hash != fingerprint:
            raise KeyReused() from None
        return WriteResult(status_code=earlier.status_code, body=earlier.response, replayed=True)

    page = sel.month_page(unit=unit, month=month, today=today)
    rows = {r.indicator.pk: r for r in page.rows}
    errors: list[FigureError] = []
    conflict = False
    seen: set[int] = set()
    stored = []
    reason = (REASON_API_SUBMIT if submit else REASON_API_DRAFT).format(client=client.name)
    for item in items:
        row = rows.get(item.indicator)
        if row is None:
            message = _("不是本单位%(month)s应报的指标") % {"month": calendar.month_label(month)}
            errors.append(FigureError(item.indicator, "indicator", message))
            continue
        if item.indicator in seen:
            errors.append(FigureError(item.indicator, "indicator", _("该指标出现了不止一次")))
            continue
        seen.add(item.indicator)
        figure = item.parsed(errors)
        if figure is None:
            continue
        try:
            stored.append(
                figure_store(
                    actor=None,
                    assignment=row.assignment,
                    month=month,
                    figure=figure,
                    version=item.version,
                    submit=submit,
                    reason=reason,
                    today=today,
                )
            )
        except (Locked, Conflict) as exc:
            conflict = True
            errors.append(FigureError(item.indicator, "version", exc.message))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.extend(FigureError(item.indicator, name, m) for m in messages)
    if errors:
        # Raised inside the transaction: every figure stored above and the key are rolled back.
        message = _("共有 %(n)s 处问题，未保存任何数据，请修改后重新发送") % {"n": len(errors)}
        raise FiguresRefused(message, errors, conflict=conflict)
    body = {
        "unit": unit.name,
        "unit_id": unit.pk,
        "month": f"{month:%Y-%m}",
        "submit": submit,
        "figures": [figure_row(s) for s in stored],
    }
    claim.status_code = 200
    claim.response = body
    claim.save(update_fields=["status_code", "response"])
    audit_record(
        action=AuditAction.API_FIGURES,
        actor=principal,
        obj=unit,
        detail={**{k: v for k, v in body.items() if k != "figures"}, "key": key, "saved": [s.pk for s in stored]},
    )
    return WriteResult(status_code=200, body=body)


def figure_row(submission) -> dict[str, Any]:
    """A stored figure as the API answers it: the ``export_figures`` row of it (a contract) with
    the ids and the version a next write must send."""
    return {
        **sel.figure_export_row(submission),
        "id": submission.pk,
        "indicator_id": submission.indicator_id,
        "unit_id": submission.unit_id,
        "version": submission.version,
    }


def api_call_record(*, request, client: ApiClient | None, status_code: int, reason: str = "") -> None:
    """One record per call, whatever its outcome: which client, what it asked, the answer's status."""
    query = {k: v if len(v) > 1 else v[0] for k, v in request.GET.lists()}
    detail: dict[str, Any] = {
        "client": client.name if client else None,
        "client_id": client.pk if client else None,
        "method": request.method,
        "path": request.path,
        "query": query,
        "status": status_code,
    }
    if reason:
        detail["reason"] = reason[:1000]
    audit_record(
        action=AuditAction.API_CALL,
        actor=ApiPrincipal(client) if client else None,
        request=request,
        obj=client,
        result=AuditResult.SUCCESS if status_code < 400 else AuditResult.FAILURE,
        detail=detail,
    )


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the idempotency keys older than ``IDEMPOTENCY_RETENTION`` as of ``now`` (the one
    clock's); record the purge when it deleted any. Returns how many went."""
    before = (now or clock.now()) - IDEMPOTENCY_RETENTION
    with transaction.atomic():
        deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=before).delete()
        if deleted:
            audit_record(
                action=AuditAction.API_KEYS_PURGE,
                detail={"deleted": deleted, "before": before.isoformat(timespec="seconds")},
            )
    return deleted
