"""Monthly reporting: one unit's cumulative figure for one indicator and month, and its review."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .catalogue import DECIMAL, Indicator, Plan, Unit


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


# Figures that count towards progress: what a unit has sent, whether or not reviewed yet.
COUNTED_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)


class Submission(models.Model):
    """月报: the cumulative figure since the plan's start, as of the end of ``month``."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("指标")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("报送单位"))
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    value = models.DecimalField(_("累计完成"), null=True, blank=True, **DECIMAL)
    numerator = models.DecimalField(_("分子"), null=True, blank=True, **DECIMAL)
    denominator = models.DecimalField(_("分母"), null=True, blank=True, **DECIMAL)
    stage = models.PositiveSmallIntegerField(_("节点阶段"), null=True, blank=True)
    progress_text = models.TextField(_("进展情况"), blank=True)
    problems_text = models.TextField(_("存在问题"), blank=True)
    next_steps_text = models.TextField(_("下步打算"), blank=True)
    explanation = models.TextField(
        _("情况说明"), blank=True, help_text=_("累计数低于上月、节点倒退或超目标较多时须说明")
    )
    overshoot_confirmed = models.BooleanField(_("已确认超目标"), default=False)
    # Copied from the indicator when the figure is stored (Indicator.may_be_negative): the database
    # refuses a negative figure unless it is a change that may be a fall (a growth rate).
    signed = models.BooleanField(_("可为负数"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    # Optimistic locking: a form carries the version it was based on; a save on an older one is refused.
    version = models.PositiveIntegerField(_("版本"), default=1)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报送人"),
    )
    late = models.BooleanField(_("逾期报送"), default=False)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最后修改人"),
    )
    # The reason may quote a reviewer's whole comment or the office's reopening reason.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        ordering = ["month", "indicator", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "month"], name="submission_one_per_month"),
            models.CheckConstraint(
                condition=Q(value__gte=0) | Q(value__isnull=True) | Q(signed=True),
                name="submission_value_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(numerator__gte=0) | Q(numerator__isnull=True), name="submission_numerator_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(denominator__gte=0) | Q(denominator__isnull=True),
                name="submission_denominator_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(denominator__isnull=True)
                | Q(numerator__lte=models.F("denominator")),
                name="submission_numerator_within_denominator",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "month"], name="submission_unit_month"),
            models.Index(fields=["month", "status"], name="submission_month_status"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.unit} · {self.month:%Y-%m}"

    @property
    def is_counted(self) -> bool:
        return self.status in COUNTED_STATUSES


class PrivateStorage(FileSystemStorage):
    """Files kept outside MEDIA_ROOT, with no URL: only a view that checks permissions serves them.

    The location is read from settings on every use, so tests can point it at a temporary folder."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no public URL")


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    # A callable, so that migrations refer to it instead of freezing a location.
    return _private_storage


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name is not the user's: it cannot collide or carry a path.
    return f"evidence/{instance.submission.month:%Y-%m}/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(models.Model):
    """A photo or PDF that backs a submission (佐证材料)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_path, storage=private_storage)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class MonthClosure(models.Model):
    """The office closes a month's reporting (e.g. once its bulletin is out); figures then lock."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="closures")
    month = models.DateField(_("月份"))
    closed_at = models.DateTimeField(_("关闭时间"), auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("月报关闭")
        verbose_name_plural = _("月报关闭")
        constraints = [models.UniqueConstraint(fields=["plan", "month"], name="closure_one_per_month")]

    def __str__(self) -> str:
        return f"{self.plan.year} {self.month:%Y-%m}"
