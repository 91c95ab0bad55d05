"""Security events: one function that every login, lockout, second-factor step and role or
permission change goes through, so that where they are kept is decided here and only here.

Each event carries the time, the actor, the client's address, the action, the object and the
result. Today they go to the ``tracker.security`` log; the audit trail (``projects.AuditRecord``)
takes them where it exists.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field

from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.models import Event, User

logger = logging.getLogger("tracker.security")

__all__ = ["SecurityAction", "SecurityEvent", "security_event", "superuser_login_announce"]


class SecurityAction(models.TextChoices):
    LOGIN = "login", gettext_lazy("登录")
    LOGIN_FAILED = "login_failed", gettext_lazy("登录失败")
    LOGOUT = "logout", gettext_lazy("退出")
    LOCKOUT = "lockout", gettext_lazy("账号或地址被锁定")
    UNLOCK = "unlock", gettext_lazy("解除锁定")
    SUPERUSER_LOGIN = "superuser_login", gettext_lazy("超级管理员登录")
    SESSION_ENDED = "session_ended", gettext_lazy("会话超时结束")
    PASSWORD_CHANGED = "password_changed", gettext_lazy("修改密码")
    OTP_ENROLLED = "otp_enrolled", gettext_lazy("绑定动态口令")
    OTP_VERIFIED = "otp_verified", gettext_lazy("动态口令验证通过")
    OTP_FAILED = "otp_failed", gettext_lazy("动态口令验证失败")
    OTP_RECOVERY_USED = "otp_recovery_used", gettext_lazy("使用备用验证码")
    OTP_RECOVERY_CREATED = "otp_recovery_created", gettext_lazy("生成备用验证码")
    OTP_REMOVED = "otp_removed", gettext_lazy("解除动态口令")
    ACCOUNT_CREATED = "account_created", gettext_lazy("新建账号")
    ACCOUNT_CHANGED = "account_changed", gettext_lazy("修改账号（角色、权限）")
    ACCOUNT_DELETED = "account_deleted", gettext_lazy("删除账号")
    GROUP_CREATED = "group_created", gettext_lazy("新建用户组")
    GROUP_CHANGED = "group_changed", gettext_lazy("修改用户组权限")
    GROUP_DELETED = "group_deleted", gettext_lazy("删除用户组")


@dataclass(frozen=True)
class SecurityEvent:
    at: str
    action: str
    result: str  # "success" or "failure"
    actor: str  # the username of who did it ("" when nobody is logged in)
    username: str  # the account concerned (the one tried, on a failed login)
    address: str
    target: str  # the object: "user:12", "group:3", "accessattempt:7" …
    detail: dict = field(default_factory=dict)


def _address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    # The address django-axes counts by (behind nginx: X-Real-IP, tracker.proxy.client_ip).
    from axes.helpers import get_client_ip_address

    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or ""


def security_event(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    username: str = "",
    target: str = "",
    success: bool = True,
    detail: dict | None = None,
) -> SecurityEvent:
    """Record one security event. ``actor`` defaults to the request's user."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    event = SecurityEvent(
        at=timezone.now().isoformat(),
        action=str(action),
        result="success" if success else "failure",
        actor=actor.get_username() if actor else "",
        username=username or (actor.get_username() if actor else ""),
        address=_address(request),
        target=target,
        detail=detail or {},
    )
    logger.log(logging.INFO if success else logging.WARNING, json.dumps(asdict(event), ensure_ascii=False))
    return event


def superuser_login_announce(*, user: User, request: HttpRequest | None) -> None:
    """Tell the security administrators that the break-glass account was used: in their inbox,
    and by e-mail where the notification rules say so."""
    from projects.services.notifications import News, notifications_create
    from projects.tasks import deliveries_enqueue

    at = timezone.localtime()
    address = _address(request)
    news = News(
        event=Event.SECURITY,
        key=f"superuser-login:{user.pk}:{at.isoformat()}",
        subject=_("超级管理员 %(username)s 已登录") % {"username": user.get_username()},
        body=_(
            "超级管理员账号 %(username)s 于 %(time)s 从 %(address)s 登录。超级管理员仅供应急使用；"
            "如非事先知悉的应急操作，请立即核查。"
        )
        % {"username": user.get_username(), "time": f"{at:%Y-%m-%d %H:%M:%S}", "address": address or "-"},
        link="",
    )
    deliveries_enqueue(notifications_create(items=[news]))
