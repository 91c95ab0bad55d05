"""The dashboards' tables (django-tables2), on one shared base class.

The lists read item rows (dicts from ``selectors.dashboards.item_rows``: a unit's or the city's
standing on one indicator for one month), sorted and paginated in SQL. The alerts table reads
``Alert`` rows (see ``AlertListView`` in views/dashboards.py).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects import rules
from projects.calendar import month_key, month_label
from projects.exports import safe_cell
from projects.formatting import deadline_words, figure, percent, points, rounded_percent
from projects.models import Alert, AlertScope, IndicatorKind, LightChoices
from projects.models.catalogue import stage_list

NUMBER = {"td": {"class": "number text-nowrap"}, "th": {"class": "number"}}
# Every sort ends with the full key of an item (indicator, then unit), so that pages never
# overlap or skip rows however many items tie on the sorted column.
INDICATOR_KEY = ("project_number", "task_number", "position")
UNIT_KEY = ("unit_position", "unit_name")
INDICATOR_ORDER = (*INDICATOR_KEY, *UNIT_KEY)
UNIT_ORDER = (*UNIT_KEY, *INDICATOR_KEY)


def then(*columns: str) -> tuple[str, ...]:
    return (*columns, *INDICATOR_ORDER)


KINDS = dict(IndicatorKind.choices)
# One sign for being behind or ahead of schedule on every page, export and the bulletin: points
# behind expected progress, negative when ahead (formatting.points writes +12.50 / −3.00).
GAP_HEADER = _("落后序时（百分点）")


def stage_text(record: dict[str, Any]) -> str:
    """A staged item's stage by its name (开工建设, 推进实施), as the pages show it; — before any report."""
    stage = record["item_stage"]
    if stage is None:
        return "—"
    stages = stage_list(record["indicator_stages"], kind=record["indicator_kind"])
    return stages[stage].label if 0 <= stage < len(stages) else str(stage)
LIGHTS = dict(LightChoices.choices)


class DashboardTable(tables.Table):
    """Base of every dashboard table: Bootstrap look, 50 rows a page, and exports whose cells
    cannot be read as formulas (CSV/XLSX built from ``as_values``)."""

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        per_page = 50
        empty_text = _("没有符合条件的事项")

    # The columns' order on the page, where it differs from the exports' (None: the same).
    page_sequence: tuple[str, ...] | None = None

    def as_values(self, exclude_columns=None):
        for row in super().as_values(exclude_columns=exclude_columns):
            yield [safe_cell(_plain(value)) for value in row]


def _plain(value: Any) -> Any:
    # Exports keep figures as numbers (Decimal -> int/float, which openpyxl writes as numbers);
    # lazy translations become text.
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)


NOWRAP = {"td": {"class": "text-nowrap"}}
# An indicator's name keeps a readable width: on a phone the table scrolls sideways instead.
NAME = {"td": {"class": "dash-name"}}
# Details that wait for a wider screen than a phone's.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell text-nowrap"}}
WIDE_ONLY_NUMBER = {
    "th": {"class": "number d-none d-md-table-cell"},
    "td": {"class": "number text-nowrap d-none d-md-table-cell"},
}


class ItemTable(DashboardTable):
    """Lagging and overdue items: a unit's (or the city's) standing on an indicator.

    The project, the kind and the unit of measure are in the exports only: on a page they crowd a
    phone's screen, and the indicator's link leads to them."""

    code = tables.Column(verbose_name=_("编号"), accessor="code", order_by=INDICATOR_ORDER, attrs=NOWRAP)
    indicator = tables.Column(verbose_name=_("指标"), accessor="indicator_name", order_by=INDICATOR_ORDER, attrs=NAME)
    project = tables.Column(
        verbose_name=_("民生实事"), accessor="project_title", order_by=INDICATOR_ORDER, visible=False
    )
    unit = tables.Column(verbose_name=_("单位"), accessor="unit_name", order_by=UNIT_ORDER, attrs=NOWRAP)
    kind = tables.Column(
        verbose_name=_("类型"), accessor="indicator_kind", order_by=then("indicator_kind"), visible=False
    )
    month = tables.Column(verbose_name=_("月份"), accessor="item_month", order_by=INDICATOR_ORDER, attrs=WIDE_ONLY)
    value = tables.Column(
        verbose_name=_("累计完成"), accessor="item_value", order_by=then("item_value", "item_stage"), attrs=NUMBER,
        empty_values=(),  # a milestone has no figure, but a stage
    )
    target = tables.Column(verbose_name=_("目标"), accessor="item_target", order_by=then("item_target"), attrs=NUMBER)
    measure = tables.Column(verbose_name=_("计量单位"), accessor="measure", visible=False)
    completion = tables.Column(
        verbose_name=_("完成率"), accessor="item_completion", order_by=then("item_completion"), attrs=NUMBER
    )
    expected = tables.Column(
        verbose_name=_("序时进度"), accessor="item_expected", order_by=then("item_expected"), attrs=NUMBER
    )
    gap = tables.Column(verbose_name=GAP_HEADER, accessor="gap", order_by=then("gap"), attrs=NUMBER)
    light = tables.TemplateColumn(
        verbose_name=_("亮灯"), accessor="item_light", order_by=then("item_light"), template_name="partials/light.html"
    )
    deadline = tables.Column(verbose_name=_("期限"), accessor="deadline", order_by=then("deadline"), attrs=NOWRAP)

    class Meta(DashboardTable.Meta):
        order_by = ("-gap",)
        sequence = ("code", "indicator", "project", "unit", "...")

    # On the page the light and the lag come right after the name, so that on a phone they stay
    # in sight while the figures behind them scroll; exports keep their columns' order.
    page_sequence = ("code", "indicator", "light", "gap", "project", "unit", "...")

    def render_indicator(self, value: str, record: dict[str, Any]) -> str:
        url = reverse("indicator_detail", args=[record["item_indicator"]])
        return format_html('<a href="{}?month={}">{}</a>', url, f"{record['item_month']:%Y-%m}", value)

    def render_unit(self, value: str, record: dict[str, Any]) -> str:
        if record["unit_pk"] is None:
            return format_html('<span class="fw-semibold">{}</span>', value)
        url = reverse("unit_detail", args=[record["unit_pk"]])
        return format_html('<a href="{}?month={}">{}</a>', url, f"{record['item_month']:%Y-%m}", value)

    def value_project(self, value: str, record: dict[str, Any]) -> str:
        return f"{record['project_number']}. {value}"

    def value_kind(self, value: str) -> str:
        return str(KINDS.get(value, value))

    def render_month(self, value: Any) -> str:
        return month_label(value)

    def value_month(self, value: Any) -> str:
        return month_key(value)

    def render_value(self, value: Decimal | None, record: dict[str, Any]) -> str:
        if rules.is_staged(record["indicator_kind"]):
            return stage_text(record)
        return f"{figure(value)} {record['measure']}".strip()

    def render_target(self, value: Decimal | None, record: dict[str, Any]) -> str:
        return f"{figure(value)} {record['measure']}".strip()

    def render_completion(self, value: Decimal) -> str:
        return percent(value)

    render_expected = render_completion

    def render_gap(self, value: Decimal) -> str:
        return points(value)

    def render_deadline(self, value: Any, record: dict[str, Any]) -> str:
        return format_html('<span title="{}">{}</span>', record["deadline_text"], f"{value:%Y-%m-%d}")

    def value_deadline(self, value: Any, record: dict[str, Any]) -> str:
        return deadline_words(text=record["deadline_text"], deadline=value)

    def value_light(self, value: str) -> str:
        return str(LIGHTS.get(value, _("未评价")))

    # Exports carry the plain figures, not their formatted text.
    def value_indicator(self, value: str) -> str:
        return value

    def value_unit(self, value: str) -> str:
        return value

    def value_value(self, value: Decimal | None, record: dict[str, Any]) -> Decimal | str | None:
        if rules.is_staged(record["indicator_kind"]):
            return stage_text(record)
        return value

    def value_target(self, value: Decimal | None) -> Decimal | None:
        return value

    # Percentages and points as the page rounds them (two places), whatever the database's sums.
    def value_completion(self, value: Decimal | None) -> Decimal | None:
        return rounded_percent(value)

    value_expected = value_gap = value_completion


class OverdueTable(ItemTable):
    class Meta(ItemTable.Meta):
        order_by = ("deadline", "code")


class MissingTable(DashboardTable):
    """Figures a unit has not reported for the month (or reported late)."""

    unit = tables.Column(verbose_name=_("单位"), accessor="unit_name", order_by=UNIT_ORDER, attrs=NOWRAP)
    code = tables.Column(verbose_name=_("编号"), accessor="code", order_by=INDICATOR_ORDER, attrs=NOWRAP)
    indicator = tables.Column(verbose_name=_("指标"), accessor="indicator_name", order_by=INDICATOR_ORDER, attrs=NAME)
    project = tables.Column(
        verbose_name=_("民生实事"), accessor="project_title", order_by=INDICATOR_ORDER, visible=False
    )
    month = tables.Column(verbose_name=_("月份"), accessor="item_month", order_by=UNIT_ORDER, attrs=WIDE_ONLY)
    status = tables.Column(
        verbose_name=_("报送情况"), accessor="item_reported", order_by=then("item_reported", "item_late"), attrs=NOWRAP
    )
    value = tables.Column(
        verbose_name=_("最近累计数"),
        accessor="item_value",
        order_by=then("item_value", "item_stage"),
        attrs=NUMBER,
        empty_values=(),
    )
    measure = tables.Column(verbose_name=_("计量单位"), accessor="measure", visible=False)
    light = tables.TemplateColumn(
        verbose_name=_("亮灯"), accessor="item_light", order_by=then("item_light"), template_name="partials/light.html"
    )

    class Meta(DashboardTable.Meta):
        order_by = ("unit", "code")

    page_sequence = ("unit", "code", "indicator", "status", "light", "...")

    render_indicator = ItemTable.render_indicator
    render_unit = ItemTable.render_unit
    render_month = ItemTable.render_month
    value_month = ItemTable.value_month
    render_value = ItemTable.render_value
    value_project = ItemTable.value_project
    value_light = ItemTable.value_light
    value_indicator = ItemTable.value_indicator
    value_unit = ItemTable.value_unit
    value_value = ItemTable.value_value

    def render_status(self, value: bool, record: dict[str, Any]) -> str:
        if not value:
            return str(_("未报送"))
        return str(_("逾期报送")) if record["item_late"] else str(_("按时报送"))

    def value_status(self, value: bool, record: dict[str, Any]) -> str:
        return self.render_status(value, record)


# --- alerts ----------------------------------------------------------------------------------

ALERT_INDICATOR_KEY = ("indicator__task__project__number", "indicator__task__number", "indicator__position")
ALERT_UNIT_KEY = ("unit__position", "unit__name")
# Resolved alerts may repeat an (indicator, unit, kind): the primary key ends every sort.
ALERT_ORDER = (*ALERT_INDICATOR_KEY, *ALERT_UNIT_KEY, "kind", "pk")


def alert_then(*columns: str) -> tuple[str, ...]:
    return (*columns, *ALERT_ORDER)


def _local(value: datetime | None) -> str:
    return "" if value is None else f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


class AlertTable(DashboardTable):
    """Alerts (Alert rows): what the scan found, for whom, how bad, and whether it still holds.

    ``link_indicators``: link the indicator to its page (the office and leaders; a unit user may
    not open the pages of tasks it does not lead)."""

    code = tables.Column(verbose_name=_("编号"), accessor="indicator__code", order_by=ALERT_ORDER, attrs=NOWRAP)
    indicator = tables.Column(verbose_name=_("指标"), accessor="indicator__name", order_by=ALERT_ORDER, attrs=NAME)
    project = tables.Column(
        verbose_name=_("民生实事"), accessor="indicator__task__project__title", order_by=ALERT_ORDER, visible=False
    )
    unit = tables.Column(
        verbose_name=_("单位"), accessor="unit__name", order_by=(*ALERT_UNIT_KEY, *ALERT_ORDER), attrs=NOWRAP
    )
    scope = tables.Column(verbose_name=_("范围"), accessor="scope", order_by=alert_then("scope"), visible=False)
    kind = tables.Column(verbose_name=_("类型"), accessor="kind", order_by=alert_then("kind"), attrs=NOWRAP)
    # Not a TemplateColumn: django-tables2 hands a choices field's cell its display text ("红色").
    severity = tables.Column(verbose_name=_("等级"), accessor="severity", order_by=alert_then("severity"), attrs=NOWRAP)
    month = tables.Column(verbose_name=_("依据月份"), accessor="month", order_by=alert_then("month"), attrs=WIDE_ONLY)
    actual = tables.Column(verbose_name=_("完成率"), accessor="actual", order_by=alert_then("actual"), attrs=NUMBER)
    # Exports only: a milestone's stage in a column of its own (on the page it is beside 完成率).
    stage = tables.Column(verbose_name=_("节点阶段"), accessor="pk", orderable=False, visible=False)
    expected = tables.Column(
        verbose_name=_("序时进度"), accessor="expected", order_by=alert_then("expected"), attrs=WIDE_ONLY_NUMBER
    )
    opened = tables.Column(
        verbose_name=_("发出时间"), accessor="opened_at", order_by=alert_then("opened_at"), attrs=WIDE_ONLY
    )
    status = tables.Column(
        verbose_name=_("状态"),
        accessor="resolved_at",
        order_by=alert_then("resolved_at"),
        attrs=NOWRAP,
        empty_values=(),  # an open alert (no resolved_at) still says so
    )

    class Meta(DashboardTable.Meta):
        order_by = ("severity",)
        empty_text = _("没有符合条件的预警")

    page_sequence = ("code", "indicator", "severity", "kind", "...")

    def __init__(self, *args: Any, link_indicators: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.link_indicators = link_indicators

    def render_indicator(self, value: str, record: Alert) -> str:
        if not self.link_indicators:
            return value
        url = reverse("indicator_detail", args=[record.indicator_id])
        return format_html('<a href="{}?month={}">{}</a>', url, f"{record.month:%Y-%m}", value)

    def render_unit(self, value: str, record: Alert) -> str:
        url = reverse("unit_detail", args=[record.unit_id])
        link = format_html('<a href="{}?month={}">{}</a>', url, f"{record.month:%Y-%m}", value)
        if record.scope == AlertScope.CITY:
            # A city alert is about the city's figure, addressed to the task's lead department.
            return format_html('{} <span class="badge text-bg-light border">{}</span>', link, _("全市指标"))
        return link

    def render_kind(self, record: Alert) -> str:
        return record.get_kind_display()

    def render_severity(self, record: Alert) -> str:
        return render_to_string("partials/light.html", {"light": record.severity})

    def render_month(self, value: date) -> str:
        return month_label(value)

    def render_actual(self, value: Decimal | None, record: Alert) -> str:
        stage = self._stage(record)
        return f"{stage}（{percent(value)}）" if stage else percent(value)

    def render_expected(self, value: Decimal | None) -> str:
        return percent(value)

    @staticmethod
    def _stage(record: Alert) -> str:
        """A milestone's stage by its name, where the list annotated it (selectors.alerts.with_stage)."""
        stage = getattr(record, "stage", None)
        if stage is None or not record.indicator.is_staged:
            return ""
        stages = record.indicator.stage_list
        return stages[stage].label if 0 <= stage < len(stages) else str(stage)

    def render_opened(self, value: datetime) -> str:
        return _local(value)

    def render_status(self, value: datetime | None, record: Alert) -> str:
        if value is not None:
            return format_html(
                '<span class="text-body-secondary">{} {}</span>', _("已解除"), f"{timezone.localtime(value):%Y-%m-%d}"
            )
        if record.escalated_at is not None:
            return format_html('<span class="badge text-bg-danger">{}</span>', _("已督办"))
        return format_html('<span class="badge text-bg-light border">{}</span>', _("未解除"))

    # Exports: plain text and numbers.
    def value_indicator(self, value: str) -> str:
        return value

    def value_unit(self, value: str) -> str:
        return value

    def value_project(self, value: str, record: Alert) -> str:
        return f"{record.indicator.task.project.number}. {value}"

    def value_scope(self, record: Alert) -> str:
        return str(record.get_scope_display())

    def value_kind(self, record: Alert) -> str:
        return str(record.get_kind_display())

    def value_severity(self, record: Alert) -> str:
        return str(LIGHTS.get(record.severity, record.get_severity_display()))

    def value_month(self, value: date) -> str:
        return f"{value:%Y-%m}"

    def value_stage(self, record: Alert) -> str:
        return self._stage(record)

    def value_actual(self, value: Decimal | None) -> Decimal | None:
        return value

    value_expected = value_actual

    def value_opened(self, value: datetime) -> str:
        return _local(value)

    def value_status(self, value: datetime | None, record: Alert) -> str:
        if value is not None:
            return f"{_('已解除')} {_local(value)}"
        return str(_("已督办") if record.escalated_at is not None else _("未解除"))
