"""Precomputed progress, kept up to date in the same transaction as every submission change.

Pages, the alert scan and the bulletin read these tables instead of recomputing from the
submissions, so that their cost does not grow with history. ``rebuild_progress`` recomputes them
from the submissions and must give the same rows.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects import rules

from .catalogue import DECIMAL, Indicator, Unit
from .reporting import Submission


class LightChoices(models.TextChoices):
    GREEN = rules.Light.GREEN.value, _("绿灯")
    YELLOW = rules.Light.YELLOW.value, _("黄灯")
    RED = rules.Light.RED.value, _("红灯")


class ProgressFields(models.Model):
    """The figure as of a month's end, and how it stands against schedule."""

    month = models.DateField(_("月份"), help_text=_("该月第一天；数值为截至月末的累计"))
    value = models.DecimalField(_("累计完成"), null=True, **DECIMAL)
    numerator = models.DecimalField(_("分子"), null=True, **DECIMAL)
    denominator = models.DecimalField(_("分母"), null=True, **DECIMAL)
    stage = models.PositiveSmallIntegerField(_("节点阶段"), null=True)
    target = models.DecimalField(_("目标"), null=True, **DECIMAL)
    expected = models.DecimalField(_("序时进度（%）"), max_digits=7, decimal_places=2)
    completion = models.DecimalField(_("完成率（%）"), max_digits=9, decimal_places=2, null=True)
    light = models.CharField(_("亮灯"), max_length=10, choices=LightChoices.choices, blank=True)
    overdue = models.BooleanField(_("逾期未完成"), default=False)
    not_started = models.BooleanField(_("未启动"), default=False)

    class Meta:
        abstract = True


class UnitProgress(ProgressFields):
    """One reporting unit's standing on one indicator at one month's end.

    The figure is carried forward from the unit's latest counted submission, so a month without a
    report still shows where the unit stood. ``light`` is blank where the unit has no target of its
    own (an additive figure that the office has not split among units)."""

    # No index of its own: the unique constraint and unitprogress_indicator_month start with it.
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="unit_progress", db_index=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="progress")
    # Whether the month is one of the indicator's reporting periods (``calendar.periods``): only then
    # is the unit asked for a figure, counted as expected, missing or late. After the deadline the
    # row still carries the figure forward (a late finish shows) but nothing is owed.
    period = models.BooleanField(_("报送期"), default=True, help_text=_("该月是否应报送该指标"))
    reported = models.BooleanField(_("本月已报送"), default=False)
    late = models.BooleanField(_("逾期报送"), default=False)
    submission = models.ForeignKey(Submission, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("单位进度")
        verbose_name_plural = _("单位进度")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "month"], name="unitprogress_unique"),
        ]
        indexes = [
            # Every page, list and scan reads one plan's rows of one month (by a light for the
            # lagging lists): through the plan's indicators, so that the cost follows the plan's
            # size, not the province's, nor the months of history (docs/performance.md).
            models.Index(fields=["indicator", "month", "light"], name="unitprogress_indicator_month"),
            # The county view and a unit's page: one unit's rows of a month.
            models.Index(fields=["unit", "month"], name="unitprogress_unit_month"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.unit_id}/{self.month:%Y-%m}"


class CityProgress(ProgressFields):
    """The city's standing on one indicator at one month's end, from the units' figures."""

    # No index of its own: the unique constraint's starts with it.
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="city_progress", db_index=False)
    units_expected = models.PositiveSmallIntegerField(_("应报单位数"), default=0)
    units_reported = models.PositiveSmallIntegerField(_("已报单位数"), default=0)
    units_on_time = models.PositiveSmallIntegerField(_("按时报送单位数"), default=0)

    class Meta:
        verbose_name = _("全市进度")
        verbose_name_plural = _("全市进度")
        # The unique constraint's index (indicator, month) serves every read: one plan's
        # indicators at one month. An index on (month, light) would read every plan's rows.
        constraints = [models.UniqueConstraint(fields=["indicator", "month"], name="cityprogress_unique")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.month:%Y-%m}"
