"""The audit page's table; its exports are the filtered rows, cells safe from formulas."""

from __future__ import annotations

import json
from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects.audit.actions import action_label
from projects.audit.models import AuditRecord, AuditResult
from projects.tables.dashboards import NOWRAP, DashboardTable


class AuditRecordTable(DashboardTable):
    seq = tables.Column(verbose_name=_("序号"), attrs=NOWRAP)
    at = tables.Column(verbose_name=_("时间"), attrs=NOWRAP)
    actor_username = tables.Column(verbose_name=_("操作人"), attrs=NOWRAP)
    actor_role = tables.Column(verbose_name=_("角色"), attrs=NOWRAP)
    address = tables.Column(verbose_name=_("地址"), attrs=NOWRAP)
    via = tables.Column(verbose_name=_("来源"), attrs=NOWRAP)
    source = tables.Column(verbose_name=_("入口"), visible=False)
    action = tables.Column(verbose_name=_("操作"), attrs=NOWRAP)
    target = tables.Column(verbose_name=_("对象"), accessor="object_repr", order_by=("object_type", "object_id"))
    object_type = tables.Column(verbose_name=_("对象类型"), visible=False)
    object_id = tables.Column(verbose_name=_("对象编号"), visible=False)
    result = tables.Column(verbose_name=_("结果"), attrs=NOWRAP)
    detail = tables.Column(verbose_name=_("详情"), orderable=False, attrs={"td": {"class": "audit-detail small"}})
    hash = tables.Column(verbose_name=_("哈希"), visible=False)

    class Meta(DashboardTable.Meta):
        model = AuditRecord
        fields = ("seq", "at", "actor_username", "actor_role", "address", "via", "source", "action", "target",
                  "object_type", "object_id", "result", "detail", "hash")  # fmt: skip
        order_by = ("-seq",)
        empty_text = _("没有符合条件的审计记录")

    def render_at(self, value) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")

    def value_at(self, value) -> str:
        return self.render_at(value)

    def render_actor_username(self, value: str, record: AuditRecord) -> str:
        return value or "—"

    def render_action(self, value: str) -> str:
        return action_label(value)

    def value_action(self, value: str) -> str:
        return f"{action_label(value)} ({value})"

    def render_via(self, value: str, record: AuditRecord) -> str:
        return format_html('<span title="{}">{}</span>', record.source, record.get_via_display())

    def value_via(self, value: str, record: AuditRecord) -> str:
        return str(record.get_via_display())

    def render_target(self, value: str, record: AuditRecord) -> str:
        kind = f"{record.object_type}:{record.object_id}" if record.object_id else record.object_type
        return format_html('{} <span class="text-muted small">{}</span>', value or "—", kind)

    def render_result(self, value: str, record: AuditRecord) -> str:
        # ``value`` is the choice's words; the code is the record's.
        badge = "text-bg-success" if record.result == AuditResult.SUCCESS else "text-bg-danger"
        return format_html('<span class="badge {}">{}</span>', badge, record.get_result_display())

    def value_result(self, value: str, record: AuditRecord) -> str:
        return str(record.get_result_display())

    def render_detail(self, value: Any) -> str:
        text = self.value_detail(value)
        return text if len(text) <= 160 else text[:160] + "…"

    def value_detail(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
