"""The inbox's filters: kind, project, unit, month and state; the choices are what the user's
own messages hold, with how many of each are still open (unread and not resolved)."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from projects.calendar import month_key, month_label, month_or_none
from projects.models import Event, Message, Project, Unit

UNREAD = Q(read_at__isnull=True, resolved_at__isnull=True)
STATES = {
    "unread": (_("未读"), UNREAD),
    "read": (_("已读"), Q(read_at__isnull=False, resolved_at__isnull=True)),
    "resolved": (_("已解除"), Q(resolved_at__isnull=False)),
    "acknowledged": (_("已确认"), Q(acknowledged_at__isnull=False)),
}
# How the list may be grouped: the message's field, and its label.
GROUPS = {
    "kind": _("类型"),
    "project": _("项目"),
    "unit": _("单位"),
    "month": _("月份"),
}


def _with_count(label: str, total: int, unread: int) -> str:
    return f"{label}（{unread}/{total}）" if unread else f"{label}（{total}）"


class MessageFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), empty_label=_("全部类型"))
    project = django_filters.ModelChoiceFilter(
        label=_("项目"), queryset=Project.objects.none(), empty_label=_("全部项目")
    )
    unit = django_filters.ModelChoiceFilter(label=_("单位"), queryset=Unit.objects.none(), empty_label=_("全部单位"))
    month = django_filters.ChoiceFilter(label=_("月份"), method="filter_month", empty_label=_("全部月份"))
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=[(k, v[0]) for k, v in STATES.items()], method="filter_state", empty_label=_("全部")
    )

    class Meta:
        model = Message
        fields = ["kind", "project", "unit", "month", "state"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        mine = self.queryset.order_by()
        kinds = dict(Event.choices)
        order = list(kinds)
        counted = sorted(
            mine.values("kind").annotate(total=Count("pk"), unread=Count("pk", filter=UNREAD)),
            key=lambda r: order.index(r["kind"]) if r["kind"] in kinds else len(order),
        )
        # (kind, its name, messages, open ones): the tabs above the list.
        self.kind_counts = [(r["kind"], kinds.get(r["kind"], r["kind"]), r["total"], r["unread"]) for r in counted]
        self.filters["kind"].extra["choices"] = [
            (kind, _with_count(str(name), total, unread)) for kind, name, total, unread in self.kind_counts
        ]
        self.filters["project"].queryset = Project.objects.filter(pk__in=mine.values("project")).order_by(
            "-plan__year", "number"
        )
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=mine.values("unit")).order_by("position", "pk")
        months = sorted(set(mine.exclude(month__isnull=True).values_list("month", flat=True)), reverse=True)
        self.filters["month"].extra["choices"] = [(month_key(m), month_label(m)) for m in months]
        for f in self.form.fields.values():
            f.widget.attrs.setdefault("class", "form-select form-select-sm")

    def filter_month(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        month = month_or_none(value)
        return queryset.none() if month is None else queryset.filter(month=month)

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(STATES[value][1]) if value in STATES else queryset
