"""Logins, failed logins, logouts and lockouts, recorded from Django's and django-axes' signals
(the only place these events surface). django-axes keeps its own records and evicts the oldest;
the audit trail keeps every one, whoever floods the login page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from projects.audit.actions import AuditAction
from projects.audit.models import AuditResult
from projects.audit.services import AuditTarget, audit_record

AUDIT_READER = "audit_reader"


def _agent(request: HttpRequest | None) -> dict[str, str]:
    return {"user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]} if request is not None else {}


def account_target(username: str) -> AuditTarget:
    """The account a login tried, found by its username; a name no account has is kept as typed."""
    User = get_user_model()
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    if user is not None:
        return AuditTarget.of(user)
    return AuditTarget(type=User._meta.label_lower, text=username)


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, actor=user, request=request, obj=user, detail=_agent(request))
    if request is not None and hasattr(request, "session"):
        # Whether the menu offers the audit page, decided once per login: asking every page for
        # the user's permissions would cost each of them two queries. The page itself checks.
        request.session[AUDIT_READER] = user.has_perm("projects.view_auditrecord")


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGOUT, actor=user, request=request, obj=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django has already masked the password in ``credentials``; only the username is kept.
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or "")
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        obj=account_target(username[:150]),
        result=AuditResult.FAILURE,
        detail={"username": username[:150], **_agent(request)},
    )


def _locked_out(sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None, **kwargs):
    audit_record(
        action=AuditAction.LOCKOUT,
        request=request,
        obj=account_target((username or "")[:150]),
        result=AuditResult.FAILURE,
        detail={"username": (username or "")[:150], "ip_address": ip_address or "", **_agent(request)},
    )


def connect() -> None:
    """Hook up the lockout receiver (django-axes' signal module needs the app registry)."""
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="audit_lockout")
