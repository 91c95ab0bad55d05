"""Security events: one function that every login step, lockout, second-factor step and role or
permission change of projects/security goes through, so that where they are kept is decided
here and only here.

They are kept in the audit trail (``projects.audit``: time, actor, address, action, object,
result, append-only) and written to the ``tracker.security`` log. Logins, logouts, failed logins
and lockouts are recorded in the audit trail by its own receivers; here they go to the log only,
so that no act is recorded twice.
"""

from __future__ import annotations

import json
import logging

from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.audit.actions import AuditAction
from projects.audit.models import AuditResult
from projects.audit.services import AuditTarget, audit_record, client_address
from projects.models import Event, User

logger = logging.getLogger("tracker.security")

__all__ = ["AuditAction", "security_event", "superuser_login_announce"]

# Recorded in the audit trail by projects.audit's own receivers (the audit engineer's part).
RECORDED_BY_THE_AUDIT_TRAIL = frozenset(
    {AuditAction.LOGIN, AuditAction.LOGIN_FAILED, AuditAction.LOGOUT, AuditAction.LOCKOUT}
)


def security_event(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    username: str = "",
    obj: models.Model | AuditTarget | None = None,
    success: bool = True,
    detail: dict | None = None,
) -> None:
    """Record one security event. ``actor`` defaults to the request's user; ``username`` names
    the account concerned when it is not the actor (the one tried, the one unlocked)."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    detail = {**(detail or {}), **({"username": username} if username else {})}
    logger.log(
        logging.INFO if success else logging.WARNING,
        json.dumps(
            {
                "at": timezone.now().isoformat(),
                "action": str(action),
                "result": "success" if success else "failure",
                "actor": actor.get_username() if actor else "",
                "address": client_address(request) if request is not None else "",
                "object": str(obj) if obj is not None else "",
                "detail": detail,
            },
            ensure_ascii=False,
            default=str,
        ),
    )
    if action in RECORDED_BY_THE_AUDIT_TRAIL:
        return
    audit_record(
        action=action,
        actor=actor,
        request=request,
        obj=obj,
        result=AuditResult.SUCCESS if success else AuditResult.FAILURE,
        detail=detail,
    )


def superuser_login_announce(*, user: User, request: HttpRequest | None) -> None:
    """Tell the security administrators that the break-glass account was used: in their inbox,
    and by e-mail where the notification rules say so."""
    from projects.services.notifications import News, notifications_create
    from projects.tasks import deliveries_enqueue

    at = timezone.localtime()
    address = client_address(request) if request is not None else ""
    news = News(
        event=Event.SECURITY,
        key=f"superuser-login:{user.pk}:{at.isoformat()}",
        subject=_("超级管理员 %(username)s 已登录") % {"username": user.get_username()},
        body=_(
            "超级管理员账号 %(username)s 于 %(time)s 从 %(address)s 登录。超级管理员仅供应急使用；"
            "如非事先知悉的应急操作，请立即核查。"
        )
        % {"username": user.get_username(), "time": f"{at:%Y-%m-%d %H:%M:%S}", "address": address or "-"},
    )
    deliveries_enqueue(notifications_create(items=[news]))
