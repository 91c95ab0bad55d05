"""Users and the role each plays in the tracker."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    OFFICE = "office", _("市政府督查室")
    UNIT = "unit", _("单位填报/审核人员")
    LEADER = "leader", _("市领导")


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
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    receives_alerts = models.BooleanField(_("接收预警通知"), default=True)
    # Role, unit and permission changes (and each login, through last_login) are audited.
    history = HistoricalRecords(excluded_fields=["password"])

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
