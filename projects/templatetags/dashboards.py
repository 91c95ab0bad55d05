"""Formatting for the dashboards: figures, percentages, months and evidence links."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse

from projects import formatting
from projects.calendar import day_label, month_key, month_label, short_day_label, short_month_label

register = template.Library()


register.filter("figure", formatting.figure)
register.filter("target_words", formatting.target_words)
register.filter("base_words", formatting.base_words)
register.filter("percent", formatting.percent)
register.filter("points", formatting.points)


@register.filter
def cap100(value: Decimal | float | None) -> str:
    """A percentage for a bar's width, between 0 and 100, as a plain number."""
    if value is None:
        return "0"
    return f"{min(Decimal(100), max(Decimal(0), Decimal(str(value)))):.2f}"


@register.filter
def month_name(value: date | None) -> str:
    return "" if value is None else month_label(value)


@register.filter
def short_month(value: date | None) -> str:
    """6月 (the year is the page's)."""
    return "" if value is None else short_month_label(value)


@register.filter
def day_name(value: date | None) -> str:
    """2022年10月5日 / Oct. 5, 2022."""
    return "" if value is None else day_label(value)


@register.filter
def short_day(value: date | None) -> str:
    """10月5日 / Oct 5 (the year is the page's)."""
    return "" if value is None else short_day_label(value)


@register.filter
def deadline_words(indicator) -> str:
    """An indicator's deadline in the plan's words, with its date (``formatting.deadline_words``)."""
    return formatting.deadline_words(text=indicator.deadline_text, deadline=indicator.deadline)


@register.filter
def month_param(value: date | None) -> str:
    return "" if value is None else month_key(value)


@register.simple_tag
def evidence_url(evidence) -> str | None:
    """The download link of a piece of evidence, where the reporting pages provide one."""
    for kwargs in ({"pk": evidence.pk}, {"evidence_id": evidence.pk}):
        try:
            return reverse("evidence_download", kwargs=kwargs)
        except NoReverseMatch:
            continue
    try:
        return reverse("evidence_download", args=[evidence.pk])
    except NoReverseMatch:
        return None


@register.filter
def form_select(field) -> str:
    """A filter form's select, in Bootstrap's small style."""
    return field.as_widget(attrs={"class": "form-select form-select-sm"})


@register.filter
def stage_label(indicator, stage: int | None) -> str:
    """A staged item's reported stage by its name (前期准备, 开工建设, 推进实施 …)."""
    if stage is None:
        return "—"
    stages = indicator.stage_list
    return stages[stage].label if 0 <= stage < len(stages) else str(stage)


@register.filter
def rate_level(row) -> str:
    """A rate's level: the reported value, else numerator over denominator (as the rules read it)."""
    if row.value is not None:
        return formatting.percent(row.value)
    if row.numerator is not None and row.denominator:
        return formatting.percent(Decimal(row.numerator) * 100 / Decimal(row.denominator))
    return formatting.DASH
