"""What the access controls keep besides the users: past passwords and each account's session."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PasswordRecord(models.Model):
    """A password an account has had (Django's salted hash, never the password), with when it was
    set: the latest says when the password expires, the last few may not be used again
    (projects/security/passwords.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_records", verbose_name=_("用户")
    )
    encoded = models.CharField(_("密码摘要"), max_length=256)
    set_at = models.DateTimeField(_("设置时间"))

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        indexes = [models.Index(fields=["user", "-set_at"], name="passwordrecord_user_latest")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.set_at:%Y-%m-%d %H:%M}"


class LoginSession(models.Model):
    """The session an account logged in with last: with one session per account
    (TRACKER_SESSION_ONE_PER_USER), a new login ends the one named here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_session", verbose_name=_("用户")
    )
    session_key = models.CharField(_("会话"), max_length=40)
    started_at = models.DateTimeField(_("登录时间"))

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.started_at:%Y-%m-%d %H:%M}"
