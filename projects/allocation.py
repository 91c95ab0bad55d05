"""The rule for splitting a city target among units (任务分解)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _


def allocation_mismatch(*, target: Decimal, parts: Iterable[Decimal | None], unit: str = "") -> str | None:
    """For an additive indicator, the allocated parts must add up to the city target exactly.

    Returns the message to show when they do not, or None when they do (or nothing is split)."""
    given = [p for p in parts if p is not None]
    if not given:
        return None
    total = sum(given, Decimal(0))
    if total == target:
        return None
    return _(
        "分解到各单位的目标合计 %(total)s%(unit)s，与全市目标 %(target)s%(unit)s 不一致（相差 %(diff)s%(unit)s）"
    ) % {
        "total": _plain(total),
        "target": _plain(target),
        "diff": _plain(total - target),
        "unit": unit,
    }


def _plain(value: Decimal) -> str:
    """12.5000 -> 12.5, 60000.0000 -> 60000."""
    text = format(value.normalize(), "f")
    return text
