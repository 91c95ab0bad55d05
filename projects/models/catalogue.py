"""The plan catalogue: units, plans, projects, tasks, indicators and who reports what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects import calendar, rules
from projects.encryption import EncryptedCharField

DECIMAL = {"max_digits": 18, "decimal_places": 4}


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("市直部门")
    COUNTY = "county", _("县（市、区）政府")
    COMMITTEE = "committee", _("管委会及指挥部")
    COMPANY = "company", _("企业")
    PARTY_MASS = "party_mass", _("党群组织")
    OTHER = "other", _("驻市机构及其他")


class Unit(models.Model):
    """A body the plan names: a department, a county government, a company …"""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=UnitKind.choices)
    position = models.PositiveIntegerField(_("排序"), default=0)
    responsible_person = models.CharField(
        _("责任人"), max_length=50, blank=True, help_text=_("督办通知单上署名的负责人")
    )
    phone = EncryptedCharField(_("联系电话"), max_length=30, blank=True)  # encrypted at rest
    email = models.EmailField(_("单位邮箱"), blank=True, help_text=_("预警与督办邮件的单位收件地址"))

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_county(self) -> bool:
        return self.kind == UnitKind.COUNTY


class PlanKind(models.TextChoices):
    """What kind of document a plan is: its name is shown on the plan's pages, messages and bulletin."""

    LIVELIHOOD = "livelihood", _("重点民生实事")
    WORK_REPORT = "work_report", _("政府工作报告目标任务")
    MEASURES = "measures", _("专项工作措施")
    OTHER = "other", _("其他")


# What one item of each kind of plan is called ("7 项民生实事", "12 项目标任务").
PLAN_KIND_NOUNS = {
    PlanKind.LIVELIHOOD: _("民生实事"),
    PlanKind.WORK_REPORT: _("目标任务"),
    PlanKind.MEASURES: _("工作措施"),
    PlanKind.OTHER: _("事项"),
}


class Plan(models.Model):
    """One year's plan document, with its reporting calendar and light bands."""

    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("方案类别"), max_length=20, choices=PlanKind.choices, default=PlanKind.LIVELIHOOD)
    document = models.CharField(_("文号"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    issuing_body = models.CharField(_("发文机关"), max_length=100)
    issued_on = models.DateField(_("发文日期"))
    start = models.DateField(_("起始日期"))
    default_deadline = models.DateField(_("默认完成期限"))
    due_day = models.PositiveSmallIntegerField(
        _("月报截止日"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("每月数据在次月的第几日前报送"),
    )
    yellow_gap = models.DecimalField(_("黄灯阈值（百分点）"), max_digits=5, decimal_places=2, default=Decimal(10))
    red_gap = models.DecimalField(_("红灯阈值（百分点）"), max_digits=5, decimal_places=2, default=Decimal(30))
    milestone_grace_months = models.PositiveSmallIntegerField(_("节点未启动亮红灯（月）"), default=3)
    overshoot_confirm_percent = models.PositiveSmallIntegerField(
        _("超目标确认比例（%）"), default=150, help_text=_("填报值超过目标的该比例时需确认")
    )
    source = models.CharField(_("来源"), max_length=200, blank=True)
    notes = models.TextField(_("说明"), blank=True)
    validity_text = models.TextField(_("有效期原文"), blank=True, help_text=_("起始日期和完成期限所依据的原文"))
    # Moves on with every load or edit that changes the plan: an edit form made on an older
    # revision is refused instead of overwriting a newer plan.
    revision = models.PositiveIntegerField(_("修订版本"), default=1)

    class Meta:
        verbose_name = _("方案")
        verbose_name_plural = _("方案")
        ordering = ["-year", "document"]
        constraints = [
            models.UniqueConstraint(fields=["year", "document"], name="plan_unique_year_document"),
            models.CheckConstraint(
                condition=models.Q(default_deadline__gte=models.F("start")), name="plan_deadline_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}（{self.document}）"

    @property
    def kind_noun(self) -> str:
        """What one item of this plan is called on its pages ("民生实事", "目标任务")."""
        return str(PLAN_KIND_NOUNS.get(self.kind, PLAN_KIND_NOUNS[PlanKind.OTHER]))

    @property
    def bands(self) -> rules.Bands:
        return rules.Bands(
            yellow_gap=self.yellow_gap,
            red_gap=self.red_gap,
            milestone_grace_months=self.milestone_grace_months,
        )

    def due_date(self, month: date) -> date:
        """The day a month's figures are due (``calendar.due_date`` with the plan's due day)."""
        return calendar.due_date(month, due_day=self.due_day)


class UnitGroup(models.Model):
    """A party a plan names without naming its members ("市政府有关部门"); the office fills in the
    departments. Wherever the group stands in a task or as a reporting unit, each member takes its
    place (rows ``via_group``); a group without members reports nothing."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="unit_groups", verbose_name=_("方案"))
    name = models.CharField(_("名称"), max_length=100)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    members = models.ManyToManyField(
        Unit, through="UnitGroupMember", related_name="unit_groups", verbose_name=_("成员单位")
    )

    class Meta:
        verbose_name = _("单位组")
        verbose_name_plural = _("单位组")
        ordering = ["plan", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="unitgroup_unique_name")]

    def __str__(self) -> str:
        return self.name


class UnitGroupMember(models.Model):
    group = models.ForeignKey(UnitGroup, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="group_memberships", verbose_name=_("单位"))
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("单位组成员")
        verbose_name_plural = _("单位组成员")
        ordering = ["group", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "unit"], name="unitgroupmember_unique_unit")]

    def __str__(self) -> str:
        return f"{self.group} · {self.unit}"


class Project(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="projects", verbose_name=_("方案"))
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("名称"), max_length=200)
    text = models.TextField(_("原文"), blank=True, help_text=_("项目开头一段原文（不属于任何任务时）"))
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="portfolio",
        verbose_name=_("分管领导"),
        help_text=_("收到本项目预警、督办抄送和每周摘要的领导"),
    )

    class Meta:
        verbose_name = _("民生实事")
        verbose_name_plural = _("民生实事")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="project_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Task(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("民生实事"))
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("任务原文"))
    lead_units_text = models.TextField(_("责任单位原文"), blank=True)
    cooperating_units_text = models.TextField(_("配合单位原文"), blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True, help_text=_("留空则为方案起始日期"))
    valid_until = models.DateField(_("有效期止"), null=True, blank=True, help_text=_("留空则为方案完成期限"))
    validity_text = models.TextField(_("有效期原文"), blank=True)
    units = models.ManyToManyField(Unit, through="TaskUnit", related_name="tasks", verbose_name=_("单位"))

    class Meta:
        verbose_name = _("主要任务")
        verbose_name_plural = _("主要任务")
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="task_unique_number")]

    def __str__(self) -> str:
        return f"{self.project.number}.{self.number} {self.text[:40]}"

    @property
    def code(self) -> str:
        return f"{self.project.number}.{self.number}"


class TaskUnitRole(models.TextChoices):
    LEAD = "lead", _("责任单位")
    COOPERATING = "cooperating", _("配合单位")


class TaskUnit(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="task_units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="task_roles", verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=20, choices=TaskUnitRole.choices)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    # A member of a unit group the task names: the row follows the group's members.
    via_group = models.ForeignKey(
        UnitGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("所属单位组")
    )

    class Meta:
        verbose_name = _("任务单位")
        verbose_name_plural = _("任务单位")
        ordering = ["task", "role", "position"]
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="taskunit_unique_unit")]

    def __str__(self) -> str:
        return f"{self.unit}（{self.get_role_display()}）"


class TaskGroup(models.Model):
    """Where a task names a unit group, in the order of its lead or cooperating units."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="task_groups")
    group = models.ForeignKey(UnitGroup, on_delete=models.CASCADE, related_name="task_roles", verbose_name=_("单位组"))
    role = models.CharField(_("角色"), max_length=20, choices=TaskUnitRole.choices)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("任务单位组")
        verbose_name_plural = _("任务单位组")
        ordering = ["task", "role", "position"]
        constraints = [models.UniqueConstraint(fields=["task", "group"], name="taskgroup_unique_group")]

    def __str__(self) -> str:
        return f"{self.group}（{self.get_role_display()}）"


class IndicatorKind(models.TextChoices):
    COUNT = rules.Kind.COUNT.value, _("数量")
    AMOUNT = rules.Kind.AMOUNT.value, _("金额")
    RATE = rules.Kind.RATE.value, _("比率")
    MILESTONE = rules.Kind.MILESTONE.value, _("节点")
    GROWTH = rules.Kind.GROWTH.value, _("增速")
    QUALITATIVE = rules.Kind.QUALITATIVE.value, _("定性")


class Frequency(models.TextChoices):
    MONTHLY = calendar.Frequency.MONTHLY.value, _("按月")
    QUARTERLY = calendar.Frequency.QUARTERLY.value, _("按季度")
    YEARLY = calendar.Frequency.YEARLY.value, _("按年")


class Direction(models.TextChoices):
    AT_LEAST = rules.Direction.AT_LEAST.value, _("不低于")
    AT_MOST = rules.Direction.AT_MOST.value, _("不高于")


class Aggregation(models.TextChoices):
    SUM = "sum", _("各单位合计")
    RATE = "rate", _("分子分母合计")
    LEAD = "lead", _("牵头单位报送")
    EACH = "each", _("各单位分别报送")


class RateBasis(models.TextChoices):
    RATIO = "ratio", _("分子/分母")
    LEVEL = "level", _("比率值")


class Indicator(models.Model):
    """One measurable figure or milestone of a task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("主要任务"))
    code = models.CharField(_("编号"), max_length=20, help_text=_("项目.任务.序号，如 1.1.3"))
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    name = models.CharField(_("指标名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=IndicatorKind.choices)
    unit_of_measure = models.CharField(_("计量单位"), max_length=20, blank=True)
    target = models.DecimalField(_("目标值"), null=True, blank=True, **DECIMAL)
    # A plan copied into a new year keeps last year's targets as proposals until the office confirms
    # them: until then nothing is judged against them.
    target_confirmed = models.BooleanField(_("目标已确认"), default=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST)
    tolerance = models.DecimalField(
        _("容差"), default=Decimal(0), help_text=_("“左右”：目标不利一侧仍算完成的幅度，单位同目标"), **DECIMAL
    )
    frequency = models.CharField(_("报送频次"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    start = models.DateField(_("起始日期"), null=True, blank=True, help_text=_("留空则为方案起始日期"))
    deadline = models.DateField(_("完成期限"))
    deadline_text = models.CharField(_("期限原文"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("所属指标"),
        help_text=_("“其中”“含”所指的上级指标"),
    )
    stock_target = models.DecimalField(_("全市总量目标"), null=True, blank=True, **DECIMAL)
    baseline = models.DecimalField(_("基数"), null=True, blank=True, **DECIMAL)
    base_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True, help_text=_("留空则为上一年"))
    base_value = models.DecimalField(_("基期数值"), null=True, blank=True, **DECIMAL)
    base_unit = models.CharField(_("基期数值单位"), max_length=20, blank=True)
    base_text = models.TextField(_("基期数值原文"), blank=True)
    figure_unit = models.CharField(
        _("参考数值单位"), max_length=20, blank=True, help_text=_("定性指标随进展填报的参考数值的单位")
    )
    aggregation = models.CharField(_("汇总方式"), max_length=10, choices=Aggregation.choices)
    rate_basis = models.CharField(_("比率填报方式"), max_length=10, choices=RateBasis.choices, default=RateBasis.RATIO)
    planned_start = models.DateField(_("计划启动日期"), null=True, blank=True)
    stages = models.JSONField(_("节点阶段"), null=True, blank=True)
    monthly_plan = models.JSONField(_("月度计划"), null=True, blank=True)
    source_text = models.TextField(_("原文"))
    # Kept by the close-out services (projects/supervision) with the close-out that holds it: every
    # page marks the indicator and the reporting services refuse to change its figures while set.
    closed_out_at = models.DateTimeField(_("销号时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "code"], name="indicator_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_additive(self) -> bool:
        return self.aggregation == Aggregation.SUM

    @property
    def is_staged(self) -> bool:
        """Reported as a stage (a milestone, a qualitative task), not a figure."""
        return rules.is_staged(self.kind)

    @property
    def is_measured(self) -> bool:
        """Enters averages and rankings (``rules.MEASURED_KINDS``) with a confirmed target."""
        return rules.is_measured(self.kind) and self.target_confirmed

    @property
    def may_be_negative(self) -> bool:
        """A growth rate may fall; a qualitative task's figure for information (a trade growth) too."""
        return self.kind in (IndicatorKind.GROWTH, IndicatorKind.QUALITATIVE)

    @property
    def stage_list(self) -> tuple[rules.Stage, ...]:
        return stage_list(self.stages, kind=self.kind)

    def window_start(self, plan: Plan) -> date:
        return self.start or plan.start

    def window(self, plan: Plan) -> calendar.Window:
        """When it is measured, followed and reported (``calendar.window``): its own frequency,
        within its task's validity. Reads ``self.task``: select it with the indicators."""
        return calendar.window(
            start=self.window_start(plan),
            deadline=self.deadline,
            plan_deadline=plan.default_deadline,
            frequency=self.frequency,
            valid_from=self.task.valid_from,
            valid_until=self.task.valid_until,
        )


def stage_list(stages: list[dict] | None, *, kind: str = rules.Kind.MILESTONE) -> tuple[rules.Stage, ...]:
    """A staged item's stages from its ``stages`` field (the plan's own, else the default ones of its
    kind: building stages for milestones, policy stages for qualitative tasks)."""
    defaults = rules.default_stages(kind)
    if not stages:
        return defaults
    # Stage 0 is always "not started"; the plan's own stages follow it.
    own = (rules.Stage(s["label"], Decimal(str(s["percent"]))) for s in stages)
    return (defaults[0], *own)


class Assignment(models.Model):
    """A unit that reports an indicator, with its share of the city target (任务分解) if split."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("指标")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("报送单位"))
    target = models.DecimalField(_("分解目标"), null=True, blank=True, **DECIMAL)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # A member of a unit group named as a reporting unit: the row follows the group's members.
    via_group = models.ForeignKey(
        UnitGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("所属单位组")
    )

    class Meta:
        verbose_name = _("报送单位及任务分解")
        verbose_name_plural = _("报送单位及任务分解")
        ordering = ["indicator", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit"], name="assignment_unique_unit"),
            models.CheckConstraint(
                condition=models.Q(target__gte=0) | models.Q(target__isnull=True), name="assignment_target_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.unit}"


class IndicatorGroup(models.Model):
    """Where an indicator's reporting units name a unit group (each member reports)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reporting_groups")
    group = models.ForeignKey(
        UnitGroup, on_delete=models.CASCADE, related_name="reporting_roles", verbose_name=_("单位组")
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("报送单位组")
        verbose_name_plural = _("报送单位组")
        ordering = ["indicator", "position"]
        constraints = [models.UniqueConstraint(fields=["indicator", "group"], name="indicatorgroup_unique_group")]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.group}"
