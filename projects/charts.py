"""Plotly figures of the dashboards, built with the plotly package and drawn by plotly.js.

Each function returns the figure as a plain dict (``{"data": [...], "layout": {...}}``), which a
template puts in a ``<script type="application/json">`` block (``json_script``); static/js/tracker.js
draws it. No inline script: the Content-Security-Policy allows none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from projects import calendar
from projects.selectors.dashboards import CountyView, CurvePoint, Overview

NAVY, GREY, GREEN, YELLOW, RED = "#1f3a5f", "#8c99a8", "#1e7e4a", "#e0a100", "#c0392b"
LIGHT_COLOURS = {"green": GREEN, "yellow": YELLOW, "red": RED, "": GREY}


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _dict(fig: go.Figure) -> dict[str, Any]:
    # Through plotly's own JSON encoder, so that the dict holds only JSON types.
    return json.loads(fig.to_json())


def _layout(**extra: Any) -> dict[str, Any]:
    layout = {
        "template": "none",
        "margin": {"l": 56, "r": 16, "t": 40, "b": 48},
        "legend": {"orientation": "h", "x": 0, "y": 1.15},
        "hovermode": "x unified",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    layout.update(extra)
    return layout


def _month_ticks(months: Sequence[Any]) -> list[str]:
    # "6月" when the months are all of one year (the usual plan), else "2023-06".
    if len({m.year for m in months}) <= 1:
        return [calendar.short_month_label(m) for m in months]
    return [calendar.month_key(m) for m in months]


def curve_figure(points: Sequence[CurvePoint], *, unit: str = "%", title: str = "") -> dict[str, Any]:
    """Cumulative actual against the expected curve, month by month."""
    x = _month_ticks([p.month for p in points])
    percent = unit == "%"
    suffix = "%" if percent else f" {unit}"
    fig = go.Figure(
        data=[
            go.Scatter(
                x=x,
                y=[_num(p.actual) for p in points],
                name=_("累计完成"),
                mode="lines+markers",
                line={"color": NAVY, "width": 3},
                hovertemplate="%{y:,.2f}" + suffix + "<extra></extra>",
            ),
            go.Scatter(
                x=x,
                y=[_num(p.expected) for p in points],
                name=_("序时进度"),
                mode="lines",
                line={"color": GREY, "width": 2, "dash": "dash"},
                hovertemplate="%{y:,.2f}" + suffix + "<extra></extra>",
            ),
        ],
        layout=_layout(
            title={"text": title, "font": {"size": 14}} if title else None,
            # The unit on the ticks ("6000 个"), not as an axis title: plotly turns that sideways,
            # and a Chinese unit on its side reads as an arrow.
            yaxis={"rangemode": "tozero", "ticksuffix": suffix, "automargin": True},
            xaxis={"type": "category"},
        ),
    )
    return _dict(fig)


def projects_figure(data: Overview) -> dict[str, Any]:
    """The projects' completion (bars in their light's colour) against expected progress (marks)."""
    rows = sorted(data.projects, key=lambda r: r.project.number, reverse=True)
    labels = [f"{r.project.number}. {r.project.title}" for r in rows]
    fig = go.Figure(
        data=[
            go.Bar(
                y=labels,
                x=[_num(r.standing.completion) for r in rows],
                orientation="h",
                name=_("完成率"),
                marker={"color": [LIGHT_COLOURS.get(r.standing.light, GREY) for r in rows]},
                hovertemplate="%{x:.2f}%<extra>" + _("完成率") + "</extra>",
            ),
            go.Scatter(
                y=labels,
                x=[_num(r.standing.expected) for r in rows],
                mode="markers",
                name=_("序时进度"),
                marker={"color": NAVY, "symbol": "line-ns-open", "size": 18, "line": {"width": 3}},
                hovertemplate="%{x:.2f}%<extra>" + _("序时进度") + "</extra>",
            ),
        ],
        layout=_layout(
            hovermode="closest",
            height=max(320, 34 * len(rows) + 80),
            margin={"l": 16, "r": 16, "t": 40, "b": 40},
            xaxis={"range": [0, 105], "ticksuffix": "%"},
            yaxis={"automargin": True},
            showlegend=True,
        ),
    )
    return _dict(fig)


HEADER_CHARACTERS = 12  # of an indicator's name in a column header (the cell's title has it whole)


@dataclass(frozen=True)
class HeatCell:
    text: str  # the completion, whole percent capped at 100; empty where there is none to show
    light: str  # "green", "yellow", "red"; empty for a blank cell
    title: str  # what a pointer or a screen reader gets: the figure, its completion and schedule


@dataclass(frozen=True)
class HeatColumn:
    code: str
    name: str  # as the header shows it (cut at HEADER_CHARACTERS)
    full_name: str


@dataclass(frozen=True)
class HeatRow:
    unit: Any
    cells: list[HeatCell]


@dataclass(frozen=True)
class HeatTable:
    columns: list[HeatColumn]
    rows: list[HeatRow]


def heatmap_table(view: CountyView) -> HeatTable:
    """Units × indicators as an HTML table: each cell is the unit's completion of that figure,
    coloured by its light (the same rules and bands as everywhere else, so that a mid-year 50 % on
    schedule is green); blank where the unit has no target of its own for the figure or does not
    report it. Columns carry the indicators' codes and names; the page keeps the units' names in
    sight while the columns scroll (a sticky first column)."""
    columns = [
        HeatColumn(
            code=i.code,
            name=i.name if len(i.name) <= HEADER_CHARACTERS else i.name[: HEADER_CHARACTERS - 1] + "…",
            full_name=i.name,
        )
        for i in view.indicators
    ]
    rows = []
    for unit in view.units:
        cells = []
        for ind in view.indicators:
            cell = view.cells.get((unit.pk, ind.pk))
            completion = cell and cell["completion"]
            # The words outside the f-strings: makemessages does not look inside them.
            if cell is None:
                cells.append(HeatCell("", "", f"{ind.code} {ind.name} · " + _("不报送此项")))
            elif not cell["light"]:
                cells.append(HeatCell("", "", f"{ind.code} {ind.name} · " + _("未分解目标")))
            else:
                words = _("完成 %(c)s · 序时 %(e)s") % {
                    "c": _("未报送") if completion is None else f"{completion}%",
                    "e": f"{cell['expected']}%",
                }
                text = "" if completion is None else f"{min(100, round(completion))}"
                cells.append(HeatCell(text, cell["light"], f"{unit.name} · {ind.code} {ind.name} · {words}"))
        rows.append(HeatRow(unit=unit, cells=cells))
    return HeatTable(columns=columns, rows=rows)
