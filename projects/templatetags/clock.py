"""The one clock in templates: the demo ribbon says which day the demo plays."""

from __future__ import annotations

from datetime import date

from django import template

from projects import clock

register = template.Library()


@register.simple_tag
def pinned_day() -> date | None:
    """The pinned day (``TRACKER_TODAY``), None when the clock follows the real date."""
    return clock.pinned()
