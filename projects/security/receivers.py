"""The authentication signals, each turned into a security event (and the session's start).

Logins happen in Django's ``login()`` (our login view, the admin's, a test client's), failures
in ``authenticate()``, lockouts in django-axes, second-factor steps in django-otp and
django-two-factor-auth: their signals are the one place that sees every path, so this is the one
module of the project that receives signals. Each receiver only hands on.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django_otp.forms import otp_verification_failed
from django_otp.plugins.otp_static.models import StaticDevice
from two_factor.signals import user_verified

from projects.security.events import AuditAction, security_event, superuser_login_announce
from projects.security.sessions import session_started


def on_login(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    session_started(request=request, user=user)
    security_event(AuditAction.LOGIN, request=request, actor=user)
    if user.is_superuser:
        security_event(AuditAction.SUPERUSER_LOGIN, request=request, actor=user)
        superuser_login_announce(user=user, request=request)


def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        security_event(AuditAction.LOGOUT, request=request, actor=user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    locked = bool(getattr(request, "axes_locked_out", False))
    security_event(
        AuditAction.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username") or ""),
        success=False,
        detail={"refused_while_locked": True} if locked else {},
    )


def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    security_event(
        AuditAction.LOCKOUT,
        request=request,
        username=username or "",
        success=False,
        detail={"scope": getattr(request, "tracker_lockout_scope", "account"), "ip_address": ip_address},
    )


def on_otp_failed(sender, user, reason=None, **kwargs) -> None:
    security_event(
        AuditAction.OTP_FAILED, actor=user, success=False, detail={"reason": str(reason)} if reason else {}
    )


def on_verified(sender, request, user, device, **kwargs) -> None:
    recovery = isinstance(device, StaticDevice)
    security_event(
        AuditAction.OTP_RECOVERY_USED if recovery else AuditAction.OTP_VERIFIED,
        request=request,
        actor=user,
        obj=device,
        detail={"recovery_codes_left": device.token_set.count()} if recovery else {},
    )


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="tracker.security.login")
    user_logged_out.connect(on_logout, dispatch_uid="tracker.security.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="tracker.security.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="tracker.security.locked_out")
    otp_verification_failed.connect(on_otp_failed, dispatch_uid="tracker.security.otp_failed")
    user_verified.connect(on_verified, dispatch_uid="tracker.security.verified")
