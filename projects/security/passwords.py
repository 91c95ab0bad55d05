"""Password expiry and reuse (TRACKER_PASSWORD_MAX_AGE_DAYS, TRACKER_PASSWORD_REUSE_COUNT).

Both are off in the demo and on in docs/deploy/tracker.env.example. Django calls a validator's
``password_changed`` whenever an account saves a new password (forms, admin, ``set_password``
then ``save``), so every way of setting one is recorded without a signal.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.models import PasswordRecord, User


def reuse_count() -> int:
    return settings.TRACKER_PASSWORD_REUSE_COUNT


def password_set_at(user: User) -> datetime:
    """When the account's password was set: its latest record, else when the account was made."""
    latest = user.password_records.order_by("-set_at").values_list("set_at", flat=True).first()
    return latest or user.date_joined


def password_expired(user: User, *, now: datetime | None = None) -> bool:
    days = settings.TRACKER_PASSWORD_MAX_AGE_DAYS
    if not days or not user.has_usable_password():
        return False
    return (now or timezone.now()) - password_set_at(user) >= timedelta(days=days)


class PasswordHistoryValidator:
    """Refuses the account's last N passwords, and records each new one."""

    def validate(self, password: str, user: User | None = None) -> None:
        count = reuse_count()
        if not count or user is None or user.pk is None:
            return
        # The current password first: an account made with its password (createsuperuser, the
        # manager's create_user) has no record of it yet.
        current = type(user)._default_manager.filter(pk=user.pk).values_list("password", flat=True).first()
        recorded = user.password_records.order_by("-set_at").values_list("encoded", flat=True)[:count]
        recent = list(dict.fromkeys([h for h in (current, *recorded) if h]))[:count]
        if any(check_password(password, encoded) for encoded in recent):
            raise ValidationError(
                ngettext(
                    "不能使用最近 %(count)d 次用过的密码。",
                    "不能使用最近 %(count)d 次用过的密码。",
                    count,
                )
                % {"count": count},
                code="password_reused",
            )

    def password_changed(self, password: str, user: User | None = None) -> None:
        if user is None or user.pk is None:
            return
        PasswordRecord.objects.create(user=user, encoded=user.password, set_at=timezone.now())
        keep = max(reuse_count(), 1)
        old = user.password_records.order_by("-set_at", "-pk").values_list("pk", flat=True)[keep:]
        PasswordRecord.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self) -> str:
        count = reuse_count()
        if not count:
            return ""
        return _("不能与最近 %(count)d 次用过的密码相同。") % {"count": count}
