"""How figures and percentages are written on pages, in exports and in the bulletin."""

from __future__ import annotations

from decimal import Decimal

DASH = "—"


def figure(value: Decimal | int | float | str | None) -> str:
    """A figure as people write it: 60000.0000 -> 60,000; 12.5000 -> 12.5; None -> —."""
    if value is None or value == "":
        return DASH
    return format(Decimal(str(value)).normalize(), ",f")


def percent(value: Decimal | float | str | None) -> str:
    """45.2 -> 45.20%; None -> —."""
    if value is None or value == "":
        return DASH
    return f"{Decimal(str(value)):.2f}%"


def points(value: Decimal | float | str | None) -> str:
    """A gap in percentage points, signed: 12.5 -> +12.50, -3 -> −3.00."""
    if value is None or value == "":
        return DASH
    value = Decimal(str(value))
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{abs(value):.2f}"
