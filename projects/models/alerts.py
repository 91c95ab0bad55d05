"""Alerts (预警) raised by the progress scan, and the supervision notices (督办通知单) they escalate to."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.supervision.models import LoopItem

from .catalogue import Indicator, Plan, Task, Unit


class AlertKind(models.TextChoices):
    LAGGING = "lagging", _("滞后")
    OVERDUE = "overdue", _("逾期")
    MISSING = "missing", _("未报送")


class AlertScope(models.TextChoices):
    UNIT = "unit", _("单位")
    CITY = "city", _("全市")


class Severity(models.TextChoices):
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")


class Alert(models.Model):
    """One condition (lagging, overdue, missing report) of one indicator and unit while it lasts.

    The scan opens it, updates it in place (severity follows the light), and stamps
    ``resolved_at`` once the condition clears; if it comes back, a new alert is opened. A city
    alert (scope ``city``) is about the city's figure of an additive indicator that is not split
    among units; it is addressed to the task's lead department, which is then its ``unit``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("方案"))
    kind = models.CharField(_("类型"), max_length=10, choices=AlertKind.choices)
    scope = models.CharField(_("范围"), max_length=10, choices=AlertScope.choices, default=AlertScope.UNIT)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("指标"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("单位"))
    month = models.DateField(_("月份"), help_text=_("预警所依据的月份（该月第一天）"))
    severity = models.CharField(_("预警等级"), max_length=10, choices=Severity.choices)
    expected = models.DecimalField(_("序时进度（%）"), max_digits=7, decimal_places=2)
    actual = models.DecimalField(
        _("完成率（%）"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("未报送且单位无分解目标时为空"),
    )
    opened_at = models.DateTimeField(_("发出时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    checked_on = models.DateField(_("最近核查日期"), help_text=_("最近一次扫描的截至日期"))
    # Escalation ladder: the reminder (催办) goes out when the alert opens; the supervision notice
    # when it is still red after the due date of the month after ``red_since``.
    red_since = models.DateField(_("转红月份"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-opened_at"]
        constraints = [
            # One open alert per indicator, unit and kind; two scans racing cannot both open one.
            models.UniqueConstraint(
                fields=["indicator", "unit", "kind"],
                condition=Q(resolved_at__isnull=True),
                name="alert_one_open_per_indicator_unit_kind",
            ),
        ]
        indexes = [
            # alerts_scan loads the open alerts of a plan to compare them with what it finds.
            models.Index(fields=["plan", "kind"], condition=Q(resolved_at__isnull=True), name="alert_open_by_plan"),
            # The escalation step of alerts_scan (and the leaders' digest) looks for red alerts still
            # without a supervision notice.
            models.Index(
                fields=["plan", "red_since"],
                condition=Q(resolved_at__isnull=True, severity="red", escalated_at__isnull=True),
                name="alert_open_red_unescalated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.indicator.code} · {self.unit}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class SupervisionNotice(LoopItem):
    """督办通知单: a formal, numbered notice to a unit (and its lead unit), copied to the leaders in
    charge, when an alert stays red through the next reporting cycle. The unit signs for it and
    answers it in the tracker; the office verifies the answer and closes it (``LoopItem``, the
    states of projects/supervision/states.py)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="notices", verbose_name=_("方案"))
    number = models.PositiveIntegerField(_("序号"))
    code = models.CharField(_("编号"), max_length=50, help_text=_("如：督办〔2022〕3号"))
    alert = models.OneToOneField(
        "projects.Alert", on_delete=models.PROTECT, related_name="notice", verbose_name=_("预警")
    )
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="notices", verbose_name=_("主要任务"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="notices", verbose_name=_("指标"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="notices", verbose_name=_("责任单位"))
    lead_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices_as_lead",
        verbose_name=_("牵头单位"),
    )
    # Copied when issued: the notice is a document and must not change when the unit's record does.
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    problem = models.TextField(_("督办事项"))
    deadline = models.DateField(_("整改期限"))
    issued_at = models.DateTimeField(_("签发时间"))

    class Meta:
        verbose_name = _("督办通知单")
        verbose_name_plural = _("督办通知单")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="notice_unique_number_per_plan"),
        ]
        indexes = [
            # supervision_reminders_send looks for open notices by deadline.
            models.Index(fields=["deadline"], condition=~Q(state="closed"), name="notice_open_by_deadline"),
        ]

    def __str__(self) -> str:
        return self.code
