"""The audit page's search: time range, actor, act, object, result, address, source."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.audit.actions import AuditAction
from projects.audit.models import AuditRecord, AuditResult, AuditVia

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditRecordFilter(django_filters.FilterSet):
    since = django_filters.DateFilter(label=_("起始日期"), method="filter_since", widget=DAY)
    until = django_filters.DateFilter(label=_("截止日期"), method="filter_until", widget=DAY)
    actor = django_filters.CharFilter(label=_("操作人"), method="filter_actor")
    action = django_filters.ChoiceFilter(label=_("操作"), choices=AuditAction.choices, empty_label=_("全部操作"))
    target = django_filters.CharFilter(label=_("对象"), method="filter_target")
    result = django_filters.ChoiceFilter(label=_("结果"), choices=AuditResult.choices, empty_label=_("全部结果"))
    address = django_filters.CharFilter(label=_("地址"), field_name="address", lookup_expr="startswith")
    via = django_filters.ChoiceFilter(label=_("来源"), choices=AuditVia.choices, empty_label=_("全部来源"))

    class Meta:
        model = AuditRecord
        fields: list[str] = []

    def filter_since(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(at__gte=_day_start(value))

    def filter_until(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        # The whole day, in the office's time zone.
        return queryset.filter(at__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_actor(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(actor_username__icontains=value.strip())

    def filter_target(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """An object by its words (湖滨区政府), its kind (projects.submission) or ``kind:id``."""
        value = value.strip()
        kind, _sep, ident = value.partition(":")
        if ident and "." in kind:
            return queryset.filter(object_type=kind.lower(), object_id=ident)
        return queryset.filter(Q(object_repr__icontains=value) | Q(object_type=value.lower()) | Q(object_id=value))
