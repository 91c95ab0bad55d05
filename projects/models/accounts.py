"""Users and the role each plays in the tracker."""

from __future__ import annotations

import simple_history
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.encryption import EncryptedCharField


class AuditedHistory(HistoricalRecords):
    """simple-history that also records a many-to-many change made from the other side.

    ``user.groups.add(group)`` is recorded on the user by simple-history itself; for
    ``group.user_set.add(user)`` it would write a record of the group instead and the user's
    history would miss the change. Here each user concerned gets its record."""

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        accessor = self.cls._meta.get_field(attr).remote_field.get_accessor_name()
        if action == "pre_clear":
            instance._history_cleared_pks = list(getattr(instance, accessor).values_list("pk", flat=True))
            return None
        if action == "post_clear":
            pk_set = instance.__dict__.pop("_history_cleared_pks", [])
        elif action not in ("post_add", "post_remove"):
            return None
        for changed in self.cls._default_manager.filter(pk__in=pk_set):
            self.create_historical_record(changed, "~")
        return None


class Role(models.TextChoices):
    """What an account does. The last three are the three administrators kept apart (三员分立,
    projects/security/roles.py): an account holds one role, so never two of them."""

    OFFICE = "office", _("市政府督查室")
    UNIT = "unit", _("单位填报/审核人员")
    LEADER = "leader", _("市领导")
    SYSTEM_ADMIN = "sysadmin", _("系统管理员")
    SECURITY_ADMIN = "secadmin", _("安全管理员")
    AUDIT_ADMIN = "auditadmin", _("审计管理员")


class User(AbstractUser):
    """A person who logs in. A unit user acts for one unit: it reports that unit's figures and,
    where the unit leads a task, reviews the figures of that task."""

    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.UNIT)
    unit = models.ForeignKey(
        "projects.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属单位"),
    )
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = EncryptedCharField(_("联系电话"), max_length=30, blank=True)  # encrypted at rest
    receives_alerts = models.BooleanField(_("接收预警通知"), default=True)
    # Role, unit and permission changes (and each login, through last_login) are audited;
    # group and permission changes too, which simple-history records only when named here.
    history = AuditedHistory(excluded_fields=["password"], m2m_fields=["groups", "user_permissions"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def is_office(self) -> bool:
        return self.role == Role.OFFICE or self.is_superuser

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


# A group's permissions are every member's permissions: changing them is a permission change.
simple_history.register(Group, app="projects", records_class=AuditedHistory, m2m_fields=["permissions"])
